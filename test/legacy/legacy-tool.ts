/**
 * The legacy Python tool's sync_dns() (unifi-dns-sync at c5ed457), replayed against the simulator
 * as shared/legacy/README.md ("Corrections from running the tool itself") describes it, writing
 * its database exactly as it did. Checked against the real run in legacy-tool.test.ts; used to
 * build the legacy fixtures of issue 17 (many policies a site, allowed_record_types, clients).
 *
 * What it does, pass after pass:
 * - discovery: per controller (config order) and site (API order), the first page (25) of policies
 *   of its allowed_record_types, domains lowercased without a trailing dot, and its client records;
 *   each one upserted into dns_records (record_raw rewritten at every sighting), with an origin row
 *   and a DISCOVERY event the first time it is seen at that site uuid;
 * - sync: per controller and site, every record (ordered by id) not in the site's first page (of
 *   its allowed types, compared as `type, domain, ipv4 or nothing`) and with no origin row at that
 *   uuid is POSTed as its record_raw without `id` (and without `metadata`, as the run that wrote
 *   the real database did); CREATED is logged on success and on an overlap refusal.
 */
import { createHash } from 'node:crypto';
import { DatabaseSync } from 'node:sqlite';
import { Agent, request } from 'undici';
import { LEGACY_DDL } from './fixture.ts';

export interface LegacyController {
  host: string;
  api_key: string;
  /** The simulator's URL of this controller (the tool built https://{host}). */
  url: string;
  sync_dhcp_clients?: boolean;
  domain_suffix?: string;
  allowed_record_types?: string[];
}

type Json = Record<string, unknown>;

const agent = new Agent({ connect: { rejectUnauthorized: false } });

/** Python's datetime.utcnow() as sqlite3 stored it (`2026-11-26 09:39:49.549894`), from a clock that only moves forward. */
export class PythonClock {
  #us: number;
  constructor(start: string) {
    this.#us = Date.parse(start) * 1000;
  }
  /** Each call is a little later than the one before, as the tool's calls were. */
  now(): string {
    this.#us += 1_537;
    const iso = new Date(Math.floor(this.#us / 1000)).toISOString();
    return `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${String(this.#us % 1_000_000).padStart(6, '0')}`;
  }
  /** Time between two passes (the tool's loop interval). */
  later(ms: number): void {
    this.#us += ms * 1000;
  }
}

export class LegacyTool {
  readonly db: DatabaseSync;
  readonly #controllers: LegacyController[];
  readonly #clock: PythonClock;

  constructor(path: string, controllers: LegacyController[], clock: PythonClock) {
    this.db = new DatabaseSync(path, { enableForeignKeyConstraints: false });
    this.db.exec(LEGACY_DDL.replaceAll('CREATE TABLE', 'CREATE TABLE IF NOT EXISTS'));
    this.#controllers = controllers;
    this.#clock = clock;
  }

  async pass(): Promise<void> {
    for (const c of this.#controllers) {
      this.db.prepare('INSERT OR REPLACE INTO controllers (host, api_key, last_contact) VALUES (?, ?, ?)').run(c.host, c.api_key, this.#clock.now());
      for (const site of await this.#sites(c)) {
        this.db.prepare('INSERT OR REPLACE INTO sites (uuid, controller_host, name, last_synced) VALUES (?, ?, ?, ?)').run(site.id, c.host, site.name, this.#clock.now());
        for (const r of [...(await this.#policies(c, site.id)), ...(await this.#clientRecords(c, site.id))]) this.#upsert(r, site.id);
      }
    }
    const records = this.db
      .prepare('SELECT d.id, d.type, d.domain, d.target, d.record_raw, group_concat(o.site_uuid) AS origins FROM dns_records d JOIN record_origins o ON o.record_id = d.id GROUP BY d.id')
      .all() as Array<{ id: string; type: string; domain: string; target: string | null; record_raw: string; origins: string }>;
    for (const c of this.#controllers) {
      for (const site of await this.#sites(c)) {
        const present = new Set((await this.#policies(c, site.id)).map((r) => key(r.type as string, r.domain as string, target(r))));
        for (const rec of records) {
          if (present.has(key(rec.type, rec.domain, rec.target)) || rec.origins.split(',').includes(site.id)) continue;
          const { id: _id, metadata: _metadata, ...body } = JSON.parse(rec.record_raw) as Json;
          if (await this.#create(c, site.id, body)) {
            this.db.prepare("INSERT INTO sync_events (record_id, site_uuid, status, timestamp) VALUES (?, ?, 'CREATED', ?)").run(rec.id, site.id, this.#clock.now());
          }
        }
      }
    }
  }

  close(): void {
    this.db.close();
  }

  #upsert(r: Json, uuid: string): void {
    const type = r.type as string;
    const domain = normalise(r.domain as string);
    const t = target(r);
    const id = createHash('sha256').update(`${type}:${domain}:${t ?? 'None'}`).digest('hex');
    this.db.prepare('INSERT OR REPLACE INTO dns_records (id, type, domain, target, record_raw) VALUES (?, ?, ?, ?, ?)').run(id, type, domain, t, pythonJson(r));
    if (!this.db.prepare('SELECT 1 FROM record_origins WHERE record_id = ? AND site_uuid = ?').get(id, uuid)) {
      const at = this.#clock.now();
      this.db.prepare('INSERT INTO record_origins (record_id, site_uuid, first_seen) VALUES (?, ?, ?)').run(id, uuid, at);
      this.db.prepare("INSERT INTO sync_events (record_id, site_uuid, status, timestamp) VALUES (?, ?, 'DISCOVERY', ?)").run(id, uuid, at);
    }
  }

  async #sites(c: LegacyController): Promise<Array<{ id: string; name: string }>> {
    return (await get(c, '/sites')) as Array<{ id: string; name: string }>;
  }

  /** The first page only, of the allowed types, domains normalised. */
  async #policies(c: LegacyController, siteId: string): Promise<Json[]> {
    const allowed = c.allowed_record_types ?? ['A_RECORD', 'CNAME_RECORD'];
    const page = (await get(c, `/sites/${siteId}/dns/policies`)) as Json[];
    return page.filter((r) => allowed.includes(r.type as string)).map((r) => ({ ...r, domain: normalise(r.domain as string) }));
  }

  /** name, else hostname, else displayName; [^A-Za-z0-9-] → '-' before the suffix is looked at; TTL 3600. */
  async #clientRecords(c: LegacyController, siteId: string): Promise<Json[]> {
    if (!c.sync_dhcp_clients || !(c.allowed_record_types ?? ['A_RECORD', 'CNAME_RECORD']).includes('A_RECORD')) return [];
    const suffix = (c.domain_suffix ?? '').trim().replace(/^\.+/, '');
    const records: Json[] = [];
    for (const client of (await get(c, `/sites/${siteId}/clients`)) as Json[]) {
      const raw = (client.name || client.hostname || client.displayName) as string | undefined;
      const ip = client.ipAddress as string | undefined;
      if (!raw || !ip) continue;
      const name = raw.replace(/[^A-Za-z0-9-]/g, '-').replace(/^-+|-+$/g, '');
      if (!name) continue;
      const full = suffix && !name.toLowerCase().endsWith(`.${suffix.toLowerCase()}`) && name.toLowerCase() !== suffix.toLowerCase() ? `${name}.${suffix}` : name;
      records.push({ type: 'A_RECORD', domain: normalise(full), ipv4Address: ip, enabled: true, ttlSeconds: 3600 });
    }
    return records;
  }

  async #create(c: LegacyController, siteId: string, body: Json): Promise<boolean> {
    const res = await request(`${c.url}/proxy/network/integration/v1/sites/${siteId}/dns/policies`, {
      method: 'POST',
      headers: { 'x-api-key': c.api_key, 'content-type': 'application/json' },
      body: JSON.stringify({ ...body, domain: normalise(body.domain as string) }),
      dispatcher: agent,
    });
    const answer = (await res.body.json()) as Json;
    if (res.statusCode === 200 || res.statusCode === 201) return true;
    // The overlap refusals were taken for "effectively present", and logged CREATED.
    return res.statusCode === 400 && ['api.dns.policy.validation.overlap-with-local-dns', 'api.dns.policy.validation.cname-alias-overlap'].includes(answer.code as string);
  }
}

async function get(c: LegacyController, path: string): Promise<unknown[]> {
  const res = await request(`${c.url}/proxy/network/integration/v1${path}`, { headers: { 'x-api-key': c.api_key }, dispatcher: agent });
  const body = (await res.body.json()) as { data: unknown[] };
  if (res.statusCode !== 200) throw new Error(`legacy tool: GET ${path} answered ${res.statusCode}`);
  return body.data;
}

function normalise(domain: string): string {
  return domain ? domain.toLowerCase().replace(/\.+$/, '') : '';
}

/** `ipv4Address or alias or value or host`: only A records (and clients) have one. */
function target(r: Json): string | null {
  for (const field of ['ipv4Address', 'alias', 'value', 'host']) if (r[field]) return r[field] as string;
  return null;
}

function key(type: string, domain: string, t: string | null): string {
  return `${type}\n${normalise(domain)}\n${t ?? ''}`;
}

/** json.dumps with Python's default separators. */
function pythonJson(value: Json): string {
  return JSON.stringify(value).replaceAll('":', '": ').replaceAll(',"', ', "');
}
