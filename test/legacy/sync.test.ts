import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, it } from 'node:test';
import type { Scenario } from '../../fixtures/simulator/index.ts';
import { runCli } from '../support/cli.ts';
import { syncEnv, type SyncEnv } from '../support/sync-env.ts';
import { tempDir } from '../support/tmp.ts';
import { buildLegacyDb, iso, KEYS, legacyScenario, SITE, type LegacyBuild } from './fixture.ts';

/**
 * A user who swaps the image: the legacy controllers.json (CONFIG_PATH) and the legacy database
 * (DB_PATH) as they are, over HTTPS with the legacy default verify_ssl false. The office host is
 * in upper case in both, as a user may have typed it.
 */
function tlsScenario(): Scenario {
  const scenario = legacyScenario();
  for (const c of scenario.controllers) c.tls = true;
  return scenario;
}

interface Switched {
  env: SyncEnv;
  legacy: LegacyBuild;
  controllersJson: string;
  /** Env of the legacy deployment: no --config, no --db. */
  legacyEnv: Record<string, string>;
  hosts: { home: string; office: string };
}

async function switched(): Promise<Switched> {
  const env = await syncEnv(tlsScenario());
  const port = (name: string) => new URL(env.sim.controller(name).url).port;
  const hosts = { home: `127.0.0.1:${port('home')}`, office: `LOCALHOST:${port('office')}` };
  const legacy = buildLegacyDb(join(env.dir, 'dns_sync.db'), hosts);
  const controllersJson = join(env.dir, 'controllers.json');
  const types = ['A_RECORD', 'AAAA_RECORD', 'CNAME_RECORD'];
  writeFileSync(
    controllersJson,
    JSON.stringify([
      { host: hosts.home, api_key: KEYS.home, site: 'default', allowed_record_types: types },
      { host: hosts.office, api_key: KEYS.office, site: 'default', allowed_record_types: types, verify_ssl: false },
    ]),
  );
  return { env, legacy, controllersJson, legacyEnv: { CONFIG_PATH: controllersJson, DB_PATH: legacy.path }, hosts };
}

// Not env.dir: its dnssync.json would be found before CONFIG_PATH.
const cwd = tempDir('dnssync-legacy-cwd-');

function runLegacy(s: Switched, args: string[]) {
  return runCli(args, { env: s.legacyEnv, cwd });
}

function read<T>(path: string, sql: string, ...params: Array<string | number | null>): T[] {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

const s = await switched();
const { env, legacy } = s;
const policyWrites = () => env.sim.requests().filter((r) => r.method !== 'GET');

describe('legacy switch: the first sync converts the legacy database and carries on', () => {
  it('converts in place (backup beside it) and creates nothing that exists: only the truly missing record, and the refused one again', async () => {
    const result = await runLegacy(s, ['sync', '--json']);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout);
    assert.equal(report.outcome, 'success');
    assert.ok(readdirSync(env.dir).some((f) => /^dns_sync\.db\.legacy-\d{8}T\d{6}Z$/.test(f)), 'backup written');
    for (const key of Object.values(KEYS)) {
      assert.ok(!readFileSync(legacy.path).includes(key), 'no plain-text key in the converted file');
      if (existsSync(`${legacy.path}-wal`)) assert.ok(!readFileSync(`${legacy.path}-wal`).includes(key));
    }

    // No duplicate: the copies the legacy tool made are recognised; only two creates are sent.
    const writes = policyWrites();
    assert.deepEqual(
      writes.map((w) => [w.method, w.controller, w.site, (w.body as { domain: string }).domain, w.status]).sort(),
      [
        ['POST', 'office', SITE.officeLab, 'printer.lan', 201],
        ['POST', 'office', SITE.officeLab, 'www.lan', 400], // the local DNS name still refuses it
      ].sort(),
    );
    assert.equal(report.summary.created, 1);
    assert.equal(report.summary.deleted, 0);
    assert.equal(report.summary.updated, 0);
    for (const site of ['default', 'lab']) {
      const domains = env.sim.policies('office', site).map((p) => `${p.type} ${p.domain}`);
      assert.equal(domains.length, new Set(domains).size, `no duplicate at office/${site}: ${domains.join(', ')}`);
    }
  });

  it('recognises the replicas: their policy ids are learnt by identity, and they are not origins', () => {
    const replicas = read<{ domain: string; uuid: string; policy_id: string | null }>(
      legacy.path,
      `SELECT d.domain, s.uuid, r.policy_id FROM replicas r JOIN dns_records d ON d.id = r.record_id JOIN sites s ON s.id = r.site_id ORDER BY d.domain, s.uuid`,
    );
    const controllerOf = (uuid: string) => (uuid.startsWith('a1') ? 'home' : 'office');
    const expected = [
      ['ipv6.lan', SITE.homeDefault],
      ['ipv6.lan', SITE.officeDefault],
      ['ipv6.lan', SITE.officeLab],
      ['nas.lan', SITE.homeGarage],
      ['nas.lan', SITE.officeDefault],
      ['nas.lan', SITE.officeLab],
      ['old.lan', SITE.homeGarage],
      ['old.lan', SITE.officeDefault],
      ['printer.lan', SITE.homeDefault],
      ['printer.lan', SITE.homeGarage],
      ['printer.lan', SITE.officeLab], // created by this run
      ['www.lan', SITE.homeGarage],
      ['www.lan', SITE.officeDefault],
    ];
    assert.deepEqual(
      replicas.map((r) => [r.domain, r.uuid]),
      expected,
    );
    for (const r of replicas) {
      const live = env.sim.policies(controllerOf(r.uuid), r.uuid).find((p) => p.domain === r.domain);
      assert.ok(live, `${r.domain} at ${r.uuid}`);
      assert.equal(r.policy_id, live.id, `policy id of ${r.domain} at ${r.uuid}`);
    }
    const both = read<{ n: number }>(legacy.path, 'SELECT count(*) AS n FROM record_origins o JOIN replicas r USING (record_id, site_id)');
    assert.equal(both[0]!.n, 0, 'no (record, site) is both an origin and a replica');

    // The refused create of the legacy tool: not a replica, and dnssync says why it skipped it.
    const skipped = read<{ status: string; reason: string; run_id: number }>(
      legacy.path,
      `SELECT e.status, e.reason, e.run_id FROM sync_events e JOIN sites s ON s.id = e.site_id WHERE e.domain = 'www.lan' AND s.uuid = ? AND e.run_id IS NOT NULL`,
      SITE.officeLab,
    );
    assert.deepEqual(
      skipped.map((e) => [e.status, e.reason]),
      [['SKIPPED', `refused ${new Date().toISOString().slice(0, 10)}: overlap-with-local-dns`]],
    );

    // Origins now carry the policy ids discovery found; the collapsed CNAME is two records again.
    const origins = read<{ domain: string; target: string; uuid: string; policy_id: string | null }>(
      legacy.path,
      `SELECT d.domain, d.target, s.uuid, o.policy_id FROM record_origins o JOIN dns_records d ON d.id = o.record_id JOIN sites s ON s.id = o.site_id ORDER BY d.domain, d.target`,
    );
    assert.deepEqual(
      origins.map((o) => [o.domain, o.target, o.uuid]),
      [
        ['ipv6.lan', 'fd00::1', SITE.homeGarage],
        ['media.lan', 'jellyfin.lan', SITE.officeDefault],
        ['media.lan', 'plex.lan', SITE.homeGarage],
        ['nas.lan', '10.0.0.10', SITE.homeDefault],
        ['printer.lan', '10.0.0.20', SITE.officeDefault],
        ['www.lan', 'nas.lan', SITE.homeDefault],
      ],
    );
    assert.ok(origins.every((o) => o.policy_id !== null));
    // old.lan stays an orphan within the grace period (15m, the default): its replicas are kept.
    assert.equal(read<{ n: number }>(legacy.path, "SELECT count(*) AS n FROM dns_records WHERE domain = 'old.lan' AND orphaned_at IS NOT NULL")[0]!.n, 1);
  });

  it('keeps the legacy events with their original times, next to the new ones', async () => {
    const events = read<{ timestamp: string; status: string }>(legacy.path, 'SELECT timestamp, status FROM sync_events WHERE run_id IS NULL ORDER BY id');
    assert.equal(events.length, 35);
    assert.deepEqual(
      events.map((e) => e.timestamp),
      legacy.events.map((e) => iso(e.at)).sort(),
    );

    const history = await runLegacy(s, ['history', '--json', '--limit', '1000', '--record', 'www.lan']);
    assert.equal(history.code, 0, history.stderr);
    {
      const rows = history.stdout.trim().split('\n').map((line) => JSON.parse(line));
      const legacyRows = rows.filter((r) => r.runId === null);
      assert.deepEqual(
        legacyRows.map((r) => [r.timestamp, r.status, r.site]).sort(),
        [
          ['2025-01-10T08:00:00.223Z', 'DISCOVERED', 'Default'],
          ['2025-01-10T08:00:02.300Z', 'CREATED', 'Garage'],
          ['2025-01-10T08:00:02.400Z', 'CREATED', 'Default'],
          ['2025-01-10T08:00:02.500Z', 'CREATED', 'Lab'],
          ['2025-01-10T09:00:00.300Z', 'DISCOVERED', 'Garage'],
          ['2025-01-10T09:00:00.400Z', 'DISCOVERED', 'Default'],
        ].sort(),
      );
      assert.ok(rows.every((r) => r.target === 'nas.lan' && r.type === 'CNAME_RECORD'));
      assert.ok(rows.some((r) => r.runId !== null && r.status === 'SKIPPED'), 'the new events follow');
    }
  });

  it('propagates deletions afterwards: a record deleted at its origin goes from every site the legacy tool copied it to', async () => {
    // The user moves to dnssync.json (same controllers, same database) and sets no grace period.
    const config = join(env.dir, 'dnssync.json');
    writeFileSync(
      config,
      JSON.stringify({
        controllers: [
          { url: `https://${s.hosts.home}`, apiKey: KEYS.home, tls: { verify: false } },
          { url: `https://${s.hosts.office.toLowerCase()}`, apiKey: KEYS.office, tls: { verify: false } },
        ],
        sync: { orphanGracePeriod: 0 },
      }),
    );
    env.sim.clearRequests();
    assert.ok(env.sim.removePolicy('home', 'default', '00000001-1111-4111-8111-111111111111'), 'nas.lan at its origin');
    const result = await runLegacy(s, ['sync', '--json', '--config', config]);
    assert.equal(result.code, 0, result.stderr);

    const deletes = policyWrites()
      .filter((w) => w.method === 'DELETE')
      .map((w) => [w.controller, w.site, w.status]);
    assert.equal(deletes.length, 5, JSON.stringify(deletes));
    const has = (controller: string, site: string, domain: string) => env.sim.policies(controller, site).some((p) => p.domain === domain);
    for (const [controller, site] of [['home', SITE.homeGarage], ['office', SITE.officeDefault], ['office', SITE.officeLab]] as const) {
      assert.ok(!has(controller, site, 'nas.lan'), `nas.lan gone from ${controller}/${site}`);
    }
    // old.lan, an orphan since the conversion, goes too now that the grace period is 0.
    assert.ok(!has('home', SITE.homeGarage, 'old.lan') && !has('office', SITE.officeDefault, 'old.lan'));
    // Natives are never touched.
    assert.ok(has('office', SITE.officeDefault, 'printer.lan') && has('home', SITE.homeGarage, 'ipv6.lan'));
    assert.ok(has('home', SITE.homeDefault, 'www.lan'));
    assert.equal(read<{ n: number }>(legacy.path, "SELECT count(*) AS n FROM replicas r JOIN dns_records d ON d.id = r.record_id WHERE d.domain IN ('nas.lan', 'old.lan')")[0]!.n, 0);
  });
});
