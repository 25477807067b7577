/**
 * A database of the legacy Python tool (unifi-dns-sync), built with its exact DDL
 * (../shared/legacy/README.md) and the rows it would have written for the UniFi state of
 * `legacyScenario`: two controllers (one host in upper case), four sites, A / AAAA / CNAME records,
 * copies it made recorded as origins with their CREATED events, a CREATED event for a create the
 * controller refused with an overlap error, CNAMEs with NULL targets, two CNAMEs of one name
 * collapsed into one row, a duplicate that differs by case and trailing dot, a FORWARD_DOMAIN and
 * a broken record_raw, Python timestamps, and plain-text keys.
 */
import { createHash } from 'node:crypto';
import { DatabaseSync } from 'node:sqlite';
import type { PolicyInput, Scenario } from '../../fixtures/simulator/index.ts';

export const LEGACY_DDL = `
CREATE TABLE controllers (host TEXT PRIMARY KEY, api_key TEXT, last_contact DATETIME);
CREATE TABLE sites (uuid TEXT PRIMARY KEY, controller_host TEXT, name TEXT, last_synced DATETIME,
  FOREIGN KEY (controller_host) REFERENCES controllers(host));
CREATE TABLE dns_records (id TEXT PRIMARY KEY, type TEXT, domain TEXT, target TEXT, record_raw TEXT);
CREATE TABLE record_origins (record_id TEXT, site_uuid TEXT, first_seen DATETIME,
  PRIMARY KEY (record_id, site_uuid),
  FOREIGN KEY (record_id) REFERENCES dns_records(id), FOREIGN KEY (site_uuid) REFERENCES sites(uuid));
CREATE TABLE sync_events (id INTEGER PRIMARY KEY AUTOINCREMENT, record_id TEXT, site_uuid TEXT,
  status TEXT, timestamp DATETIME,
  FOREIGN KEY (record_id) REFERENCES dns_records(id), FOREIGN KEY (site_uuid) REFERENCES sites(uuid));
`;

/** The API keys: the simulator's, and the legacy database's plain-text copies of them. */
export const KEYS = { home: 'legacy-home-key-5f1e9a2c7d3b', office: 'legacy-office-key-8c4d2e6a0b9f' };

export const SITE = {
  homeDefault: 'a1a1a1a1-0000-4000-8000-000000000001',
  homeGarage: 'a1a1a1a1-0000-4000-8000-000000000002',
  officeDefault: 'b2b2b2b2-0000-4000-8000-000000000001',
  officeLab: 'b2b2b2b2-0000-4000-8000-000000000002',
} as const;
/** A site uuid some legacy events name but the sites table does not hold. */
export const UNKNOWN_SITE = 'c3c3c3c3-0000-4000-8000-00000000dead';

/** The legacy id formula: sha256 of "{type}:{domain}:{target}", target "None" when NULL. */
export const legacyId = (type: string, domain: string, target: string | null) =>
  createHash('sha256').update(`${type}:${domain}:${target ?? 'None'}`).digest('hex');
/** The canonical id, as dnssync computes it. */
export const canonicalId = (type: string, domain: string, target: string) => createHash('sha256').update(`${type}:${domain}:${target}`).digest('hex');

type P = PolicyInput & { id: string };
const pid = (n: number) => `0000${String(n).padStart(4, '0')}-1111-4111-8111-111111111111`;

/** Native policies (origins) and the copies the legacy tool made, as they are at the controllers. */
export const POLICIES = {
  nas: { type: 'A_RECORD', domain: 'nas.lan', ipv4Address: '10.0.0.10', ttlSeconds: 300 },
  www: { type: 'CNAME_RECORD', domain: 'www.lan', targetDomain: 'nas.lan', ttlSeconds: 300 },
  ipv6: { type: 'AAAA_RECORD', domain: 'ipv6.lan', ipv6Address: 'fd00:0:0:0:0:0:0:1', ttlSeconds: 0 },
  printer: { type: 'A_RECORD', domain: 'printer.lan', ipv4Address: '10.0.0.20', ttlSeconds: 0 },
  mediaJellyfin: { type: 'CNAME_RECORD', domain: 'media.lan', targetDomain: 'jellyfin.lan', ttlSeconds: 0 },
  mediaPlex: { type: 'CNAME_RECORD', domain: 'media.lan', targetDomain: 'plex.lan', ttlSeconds: 0 },
  /** Native at no site any more: the legacy tool had copied it everywhere it is. */
  old: { type: 'A_RECORD', domain: 'old.lan', ipv4Address: '10.0.0.99', ttlSeconds: 0 },
  forward: { type: 'FORWARD_DOMAIN', domain: 'corp.lan', ipAddress: '10.0.0.53' },
} satisfies Record<string, PolicyInput>;

const policy = (n: number, p: PolicyInput): P => ({ id: pid(n), enabled: true, ...p });

/**
 * The controllers as they are when the user switches: natives at their origins, and the legacy
 * tool's copies. www.lan was refused at office/lab (a local DNS name there).
 */
export function legacyScenario(): Scenario {
  return {
    controllers: [
      {
        name: 'home',
        apiKey: KEYS.home,
        sites: [
          {
            id: SITE.homeDefault,
            internalReference: 'default',
            name: 'Default',
            policies: [policy(1, POLICIES.nas), policy(2, POLICIES.www), policy(3, POLICIES.ipv6), policy(4, POLICIES.printer)],
          },
          {
            id: SITE.homeGarage,
            internalReference: 'garage',
            name: 'Garage',
            policies: [
              policy(11, POLICIES.ipv6),
              policy(12, POLICIES.mediaPlex),
              policy(13, POLICIES.nas),
              policy(14, POLICIES.www),
              policy(15, POLICIES.printer),
              policy(16, POLICIES.old),
            ],
          },
        ],
      },
      {
        name: 'office',
        apiKey: KEYS.office,
        sites: [
          {
            id: SITE.officeDefault,
            internalReference: 'default',
            name: 'Default',
            policies: [
              policy(21, POLICIES.printer),
              policy(22, POLICIES.mediaJellyfin),
              policy(23, POLICIES.forward),
              policy(24, POLICIES.nas),
              policy(25, POLICIES.www),
              policy(26, POLICIES.ipv6),
              policy(27, POLICIES.old),
            ],
          },
          {
            id: SITE.officeLab,
            internalReference: 'lab',
            name: 'Lab',
            localDns: ['www.lan'],
            policies: [policy(31, POLICIES.nas), policy(32, POLICIES.ipv6)],
          },
        ],
      },
    ],
  };
}

export interface LegacyHosts {
  /** As the legacy controllers.json had it, e.g. `127.0.0.1:41234`. */
  home: string;
  /** In upper case on purpose, e.g. `LOCALHOST:41235`. */
  office: string;
}

export interface LegacyEvent {
  record: string;
  site: string;
  status: 'DISCOVERY' | 'CREATED';
  at: string;
}

export interface LegacyBuild {
  path: string;
  hosts: LegacyHosts;
  ids: Record<'nas' | 'www' | 'ipv6' | 'printer' | 'printerDup' | 'media' | 'old' | 'forward' | 'broken', string>;
  events: LegacyEvent[];
}

/** The raw JSON of a policy as the API returned it, as Python's json.dumps wrote it. */
function raw(n: number, p: PolicyInput, origin = 'USER_DEFINED'): string {
  const body = { id: pid(n), enabled: true, ...p, metadata: { origin } };
  return JSON.stringify(body).replaceAll('":', '": ').replaceAll(',"', ', "');
}

/** Writes the legacy database at `path`, for controllers reachable at `hosts`. */
export function buildLegacyDb(path: string, hosts: LegacyHosts): LegacyBuild {
  const db = new DatabaseSync(path);
  // Python's sqlite3 wrote with the default rollback journal and no foreign key enforcement.
  db.exec('PRAGMA foreign_keys = OFF');
  db.exec(LEGACY_DDL);

  const ids = {
    nas: legacyId('A_RECORD', 'nas.lan', '10.0.0.10'),
    www: legacyId('CNAME_RECORD', 'www.lan', null),
    ipv6: legacyId('AAAA_RECORD', 'ipv6.lan', null),
    printer: legacyId('A_RECORD', 'printer.lan', '10.0.0.20'),
    printerDup: legacyId('A_RECORD', 'Printer.lan.', '10.0.0.20'),
    media: legacyId('CNAME_RECORD', 'media.lan', null),
    old: legacyId('A_RECORD', 'old.lan', '10.0.0.99'),
    forward: legacyId('FORWARD_DOMAIN', 'corp.lan', null),
    broken: legacyId('TXT_RECORD', 'broken.lan', null),
  };

  const controller = db.prepare('INSERT INTO controllers (host, api_key, last_contact) VALUES (?, ?, ?)');
  controller.run(hosts.home, KEYS.home, '2025-03-02 07:00:04.512345');
  controller.run(hosts.office, KEYS.office, '2025-03-02 07:00:05.001002');

  const site = db.prepare('INSERT INTO sites (uuid, controller_host, name, last_synced) VALUES (?, ?, ?, ?)');
  site.run(SITE.homeDefault, hosts.home, 'Default', '2025-03-02 07:00:04.612345');
  site.run(SITE.homeGarage, hosts.home, 'Garage', '2025-03-02 07:00:04.712345');
  site.run(SITE.officeDefault, hosts.office, 'Default', '2025-03-02 07:00:05.101002');
  site.run(SITE.officeLab, hosts.office, 'Lab', '2025-03-02 07:00:05.201002');

  const record = db.prepare('INSERT INTO dns_records (id, type, domain, target, record_raw) VALUES (?, ?, ?, ?, ?)');
  record.run(ids.nas, 'A_RECORD', 'nas.lan', '10.0.0.10', raw(1, POLICIES.nas));
  // Non-A records: target NULL, id over "None"; the real target only in record_raw.
  record.run(ids.www, 'CNAME_RECORD', 'www.lan', null, raw(2, POLICIES.www));
  record.run(ids.ipv6, 'AAAA_RECORD', 'ipv6.lan', null, raw(11, POLICIES.ipv6));
  record.run(ids.printer, 'A_RECORD', 'printer.lan', '10.0.0.20', raw(21, POLICIES.printer));
  // An older legacy version kept case and trailing dot: the same record after canonicalisation.
  record.run(ids.printerDup, 'A_RECORD', 'Printer.lan.', '10.0.0.20', raw(21, { ...POLICIES.printer, domain: 'Printer.lan.' }));
  // media.lan → plex.lan (home/garage) and → jellyfin.lan (office/default) collapsed into one row;
  // the last upsert (jellyfin) won record_raw.
  record.run(ids.media, 'CNAME_RECORD', 'media.lan', null, raw(22, POLICIES.mediaJellyfin));
  record.run(ids.old, 'A_RECORD', 'old.lan', '10.0.0.99', raw(16, POLICIES.old));
  record.run(ids.forward, 'FORWARD_DOMAIN', 'corp.lan', null, raw(23, POLICIES.forward));
  record.run(ids.broken, 'TXT_RECORD', 'broken.lan', null, `{"type": "TXT_RECORD", "domain": "broken.lan", "text": "v=spf1 `);

  const events: LegacyEvent[] = [];
  const origin = db.prepare('INSERT INTO record_origins (record_id, site_uuid, first_seen) VALUES (?, ?, ?)');
  const event = db.prepare('INSERT INTO sync_events (record_id, site_uuid, status, timestamp) VALUES (?, ?, ?, ?)');
  const discover = (recordId: string, siteUuid: string, at: string) => {
    origin.run(recordId, siteUuid, at);
    event.run(recordId, siteUuid, 'DISCOVERY', at);
    events.push({ record: recordId, site: siteUuid, status: 'DISCOVERY', at });
  };
  const created = (recordId: string, siteUuid: string, at: string) => {
    event.run(recordId, siteUuid, 'CREATED', at);
    events.push({ record: recordId, site: siteUuid, status: 'CREATED', at });
  };

  // 2024-11: an old version saw Printer.lan. at office/default and copied it to home/default.
  discover(ids.printerDup, SITE.officeDefault, '2024-11-03 21:15:00.250000');
  // old.lan was native at a site long gone; the legacy tool copied it to garage and office/default.
  created(ids.old, SITE.homeGarage, '2024-11-03 21:15:01.000001');
  created(ids.old, SITE.officeDefault, '2024-11-03 21:15:01.100001');
  created(ids.printerDup, SITE.homeDefault, '2024-11-03 21:15:01.500000');
  // Run 1, 2025-01-10: discovery of the natives, then the copies.
  discover(ids.nas, SITE.homeDefault, '2025-01-10 08:00:00.123456');
  discover(ids.www, SITE.homeDefault, '2025-01-10 08:00:00.223456');
  discover(ids.ipv6, SITE.homeGarage, '2025-01-10 08:00:00.323456');
  discover(ids.media, SITE.homeGarage, '2025-01-10 08:00:00.423456');
  discover(ids.printer, SITE.officeDefault, '2025-01-10 08:00:01.000000');
  discover(ids.media, SITE.officeDefault, '2025-01-10 08:00:01.100000');
  discover(ids.forward, SITE.officeDefault, '2025-01-10 08:00:01.200000');
  discover(ids.broken, SITE.officeLab, '2025-01-10 08:00:01.300000');
  for (const [n, recordId, siteUuid] of [
    [0, ids.nas, SITE.homeGarage],
    [1, ids.nas, SITE.officeDefault],
    [2, ids.nas, SITE.officeLab],
    [3, ids.www, SITE.homeGarage],
    [4, ids.www, SITE.officeDefault],
    [5, ids.www, SITE.officeLab], // refused: overlap-with-local-dns; logged CREATED all the same
    [6, ids.ipv6, SITE.homeDefault],
    [7, ids.ipv6, SITE.officeDefault],
    [8, ids.ipv6, SITE.officeLab],
    [9, ids.printer, SITE.homeGarage],
  ] as const) {
    created(recordId, siteUuid, `2025-01-10 08:00:02.${String(n * 100000 + 1).padStart(6, '0')}`);
  }
  // Run 2, an hour later: the copies are discovered, and recorded as origins.
  discover(ids.nas, SITE.homeGarage, '2025-01-10 09:00:00');
  discover(ids.nas, SITE.officeDefault, '2025-01-10 09:00:00.100000');
  discover(ids.nas, SITE.officeLab, '2025-01-10 09:00:00.200000');
  discover(ids.www, SITE.homeGarage, '2025-01-10 09:00:00.300000');
  discover(ids.www, SITE.officeDefault, '2025-01-10 09:00:00.400000');
  discover(ids.ipv6, SITE.homeDefault, '2025-01-10 09:00:00.500000');
  discover(ids.ipv6, SITE.officeDefault, '2025-01-10 09:00:00.600000');
  discover(ids.ipv6, SITE.officeLab, '2025-01-10 09:00:00.700000');
  discover(ids.printer, SITE.homeGarage, '2025-01-10 09:00:00.800000');
  discover(ids.printerDup, SITE.homeDefault, '2025-01-10 09:00:00.900000');
  discover(ids.old, SITE.homeGarage, '2025-01-10 09:00:01.000000');
  discover(ids.old, SITE.officeDefault, '2025-01-10 09:00:01.100000');
  // A site that is not in the sites table (foreign keys were never enforced).
  event.run(ids.nas, UNKNOWN_SITE, 'DISCOVERY', '2025-01-11 10:00:00.000000');
  events.push({ record: ids.nas, site: UNKNOWN_SITE, status: 'DISCOVERY', at: '2025-01-11 10:00:00.000000' });
  // An event of a record the table does not hold: nothing to show for it.
  event.run(legacyId('A_RECORD', 'ghost.lan', '10.9.9.9'), SITE.homeDefault, 'DISCOVERY', '2025-01-12 10:00:00.000000');
  db.close();
  return { path, hosts, ids, events };
}

/** Every legacy row, table by table, for comparing a file with the one built. */
export function legacyDump(path: string): Record<string, unknown[]> {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const dump: Record<string, unknown[]> = {};
    for (const table of ['controllers', 'sites', 'dns_records', 'record_origins', 'sync_events']) {
      dump[table] = db.prepare(`SELECT * FROM ${table} ORDER BY rowid`).all().map((row) => ({ ...row }));
    }
    return dump;
  } finally {
    db.close();
  }
}

/** `2025-01-10 08:00:00.123456` → `2025-01-10T08:00:00.123Z`. */
export function iso(python: string): string {
  const [date, time] = python.split(' ') as [string, string];
  const [hms, fraction = ''] = time.split('.');
  return `${date}T${hms}.${(fraction + '000').slice(0, 3)}Z`;
}
