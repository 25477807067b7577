import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, it } from 'node:test';
import { keyFingerprint } from '../../src/config/key.ts';
import { DatabaseError } from '../../src/domain/errors.ts';
import { createApp } from '../../src/cli/app.ts';
import { LegacyDatabaseMet, openStore } from '../../src/store/database.ts';
import { convertInPlace, convertOrRefuse, legacyShape } from '../../src/legacy/index.ts';
import { knownMigrations } from '../../src/store/migrations.ts';
import { legacyTime } from '../../src/legacy/time.ts';
import { runCli } from '../support/cli.ts';
import { tempDir } from '../support/tmp.ts';
import { buildLegacyDb, canonicalId, iso, KEYS, legacyDump, SITE, type LegacyBuild } from './fixture.ts';

const dir = tempDir('dnssync-legacy-');
let n = 0;
const HOSTS = { home: '127.0.0.1:8443', office: 'LOCALHOST:11443' };

/** A fresh legacy file in its own folder (so that backups and -wal files can be listed). */
function legacyFile(name = 'dns_sync.db'): LegacyBuild {
  const folder = join(dir, `case-${++n}`);
  spawnSync('mkdir', ['-p', folder]);
  return buildLegacyDb(join(folder, name), HOSTS);
}

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const count = (db: DatabaseSync, table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
const folderOf = (path: string) => path.slice(0, path.lastIndexOf('/'));

function schemaOf(db: DatabaseSync): string[] {
  const rows = db
    .prepare("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY type, name")
    .all() as Array<{ type: string; name: string; sql: string }>;
  return rows.map((r) => `${r.type} ${r.name}: ${r.sql.replace(/--[^\n]*/g, '').replace(/\s+/g, ' ').replace(/ ,/g, ',').replace(/\( /g, '(').replace(/ \)/g, ')').trim()}`);
}

describe('legacy database: converted in place by the first command that writes', () => {
  it('writes the backup copy first, converts with every repair, prints the summary, and drops the plain-text keys', async () => {
    const legacy = legacyFile();
    const before = legacyDump(legacy.path);
    const result = await runCli(['migrate', '--db', legacy.path]);
    assert.equal(result.code, 0, result.stderr);

    // The backup: beside the file, named with the UTC time, 0600, the legacy content untouched.
    const backups = readdirSync(folderOf(legacy.path)).filter((f) => f.startsWith('dns_sync.db.legacy-'));
    assert.equal(backups.length, 1);
    assert.match(backups[0]!, /^dns_sync\.db\.legacy-\d{8}T\d{6}Z$/);
    const backup = join(folderOf(legacy.path), backups[0]!);
    assert.equal(statSync(backup).mode & 0o777, 0o600);
    assert.deepEqual(legacyDump(backup), before);
    assert.ok(readFileSync(backup).includes(KEYS.home), 'the backup is the legacy file as it was, keys included');

    // The summary, on stdout.
    assert.match(result.stdout, new RegExp(`applied ${knownMigrations().length} migration\\(s\\) \\(0001 initial, `));
    assert.match(result.stdout, /converted the legacy unifi-dns-sync database .* in place/);
    assert.ok(result.stdout.includes(`backup of the legacy file: ${backup}`));
    assert.match(result.stdout, /imported: 2 controllers, 4 sites, 6 records, 6 origins, 13 replicas, 35 events/);
    assert.match(result.stdout, /4 record ids recomputed from record_raw \(3 NULL targets recovered\)/);
    assert.match(result.stdout, /1 duplicate record merged/);
    assert.match(result.stdout, /12 copies made by the legacy tool but recorded as origins turned into replicas/);
    assert.match(result.stdout, /1 CREATED event never followed by a sighting/);
    assert.match(result.stdout, /2 plain-text API keys dropped/);
    assert.match(result.stdout, /LOCALHOST:11443 → localhost:11443/);
    assert.match(result.stdout, /record FORWARD_DOMAIN corp\.lan .*: FORWARD_DOMAIN is never synced/);
    assert.match(result.stdout, /record TXT_RECORD broken\.lan .*: record_raw is not valid JSON/);
    assert.match(result.stdout, /1 event of a record the legacy database does not hold/);
    assert.ok(result.stdout.includes(`warning: the backup ${backup} still holds the plain-text API keys`));
    assert.doesNotMatch(result.stdout + result.stderr, new RegExp(`${KEYS.home}|${KEYS.office}`));

    // The keys are nowhere in the converted file or its WAL.
    for (const file of [legacy.path, `${legacy.path}-wal`]) {
      if (!existsSync(file)) continue;
      const bytes = readFileSync(file);
      for (const key of Object.values(KEYS)) assert.ok(!bytes.includes(key), `${file} holds a plain-text key`);
    }

    const db = new DatabaseSync(legacy.path, { readOnly: true });
    try {
      assert.equal((db.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode, 'wal');
      // Exactly the schema a new database gets.
      const reference = new DatabaseSync(':memory:');
      reference.exec(readFileSync(new URL('../../schema.sql', import.meta.url), 'utf8'));
      assert.deepEqual(schemaOf(db), schemaOf(reference));
      reference.close();
      assert.equal(legacyShape(db).kind, 'none');

      assert.deepEqual(
        db.prepare('SELECT host, name, url, key_fingerprint AS fp, last_contact FROM controllers ORDER BY host').all().map((r) => ({ ...r })),
        [
          { host: '127.0.0.1:8443', name: '127.0.0.1:8443', url: 'https://127.0.0.1:8443', fp: keyFingerprint(KEYS.home), last_contact: '2025-03-02T07:00:04.512Z' },
          { host: 'localhost:11443', name: 'localhost:11443', url: 'https://localhost:11443', fp: keyFingerprint(KEYS.office), last_contact: '2025-03-02T07:00:05.001Z' },
        ],
      );
      assert.deepEqual(
        db.prepare('SELECT controller_host AS host, uuid, name, first_seen, last_synced FROM sites ORDER BY uuid').all().map((r) => ({ ...r })),
        [
          { host: '127.0.0.1:8443', uuid: SITE.homeDefault, name: 'Default', first_seen: '2024-11-03T21:15:01.500Z', last_synced: '2025-03-02T07:00:04.612Z' },
          { host: '127.0.0.1:8443', uuid: SITE.homeGarage, name: 'Garage', first_seen: '2024-11-03T21:15:01.000Z', last_synced: '2025-03-02T07:00:04.712Z' },
          { host: 'localhost:11443', uuid: SITE.officeDefault, name: 'Default', first_seen: '2024-11-03T21:15:00.250Z', last_synced: '2025-03-02T07:00:05.101Z' },
          { host: 'localhost:11443', uuid: SITE.officeLab, name: 'Lab', first_seen: '2025-01-10T08:00:01.300Z', last_synced: '2025-03-02T07:00:05.201Z' },
        ],
      );

      // Identity recomputed from record_raw: real targets, canonical ids, duplicates merged.
      const records = db.prepare('SELECT id, type, domain, target, record_raw, first_seen, orphaned_at FROM dns_records ORDER BY domain').all() as Array<Record<string, string | null>>;
      assert.deepEqual(
        records.map((r) => [r.type, r.domain, r.target, r.id]),
        [
          ['A_RECORD', 'nas.lan', '10.0.0.10', canonicalId('A_RECORD', 'nas.lan', '10.0.0.10')],
          ['AAAA_RECORD', 'ipv6.lan', 'fd00::1', canonicalId('AAAA_RECORD', 'ipv6.lan', 'fd00::1')],
          ['CNAME_RECORD', 'media.lan', 'jellyfin.lan', canonicalId('CNAME_RECORD', 'media.lan', 'jellyfin.lan')],
          ['A_RECORD', 'old.lan', '10.0.0.99', canonicalId('A_RECORD', 'old.lan', '10.0.0.99')],
          ['A_RECORD', 'printer.lan', '10.0.0.20', canonicalId('A_RECORD', 'printer.lan', '10.0.0.20')],
          ['CNAME_RECORD', 'www.lan', 'nas.lan', canonicalId('CNAME_RECORD', 'www.lan', 'nas.lan')],
        ].sort((a, b) => a[1]!.localeCompare(b[1]!)),
      );
      const www = records.find((r) => r.domain === 'www.lan')!;
      assert.deepEqual(JSON.parse(www.record_raw!), { type: 'CNAME_RECORD', domain: 'www.lan', targetDomain: 'nas.lan' });
      assert.equal(records.find((r) => r.domain === 'printer.lan')!.first_seen, '2024-11-03T21:15:00.250Z', 'earliest of the merged rows');
      // old.lan was a copy at every site it is at: an orphan from the conversion on.
      assert.deepEqual(records.filter((r) => r.orphaned_at !== null).map((r) => r.domain), ['old.lan']);

      // Origins: only where the record is native; replicas where the legacy tool created it.
      const pairs = (table: string, extra: string) =>
        db
          .prepare(`SELECT d.domain, s.uuid ${extra} FROM ${table} t JOIN dns_records d ON d.id = t.record_id JOIN sites s ON s.id = t.site_id ORDER BY d.domain, s.uuid`)
          .all()
          .map((r) => ({ ...r }));
      assert.deepEqual(pairs('record_origins', ', t.first_seen, t.policy_id, t.attributes'), [
        { domain: 'ipv6.lan', uuid: SITE.homeGarage, first_seen: '2025-01-10T08:00:00.323Z', policy_id: null, attributes: '{"enabled":true,"ttlSeconds":0}' },
        { domain: 'media.lan', uuid: SITE.homeGarage, first_seen: '2025-01-10T08:00:00.423Z', policy_id: null, attributes: '{"enabled":true,"ttlSeconds":0}' },
        { domain: 'media.lan', uuid: SITE.officeDefault, first_seen: '2025-01-10T08:00:01.100Z', policy_id: null, attributes: '{"enabled":true,"ttlSeconds":0}' },
        { domain: 'nas.lan', uuid: SITE.homeDefault, first_seen: '2025-01-10T08:00:00.123Z', policy_id: null, attributes: '{"enabled":true,"ttlSeconds":300}' },
        { domain: 'printer.lan', uuid: SITE.officeDefault, first_seen: '2024-11-03T21:15:00.250Z', policy_id: null, attributes: '{"enabled":true,"ttlSeconds":0}' },
        { domain: 'www.lan', uuid: SITE.homeDefault, first_seen: '2025-01-10T08:00:00.223Z', policy_id: null, attributes: '{"enabled":true,"ttlSeconds":300}' },
      ]);
      assert.deepEqual(pairs('replicas', ', t.policy_id, t.pending, t.created_at'), [
        { domain: 'ipv6.lan', uuid: SITE.homeDefault, policy_id: null, pending: null, created_at: '2025-01-10T08:00:02.600Z' },
        { domain: 'ipv6.lan', uuid: SITE.officeDefault, policy_id: null, pending: null, created_at: '2025-01-10T08:00:02.700Z' },
        { domain: 'ipv6.lan', uuid: SITE.officeLab, policy_id: null, pending: null, created_at: '2025-01-10T08:00:02.800Z' },
        { domain: 'nas.lan', uuid: SITE.homeGarage, policy_id: null, pending: null, created_at: '2025-01-10T08:00:02.000Z' },
        { domain: 'nas.lan', uuid: SITE.officeDefault, policy_id: null, pending: null, created_at: '2025-01-10T08:00:02.100Z' },
        { domain: 'nas.lan', uuid: SITE.officeLab, policy_id: null, pending: null, created_at: '2025-01-10T08:00:02.200Z' },
        { domain: 'old.lan', uuid: SITE.homeGarage, policy_id: null, pending: null, created_at: '2024-11-03T21:15:01.000Z' },
        { domain: 'old.lan', uuid: SITE.officeDefault, policy_id: null, pending: null, created_at: '2024-11-03T21:15:01.100Z' },
        { domain: 'printer.lan', uuid: SITE.homeDefault, policy_id: null, pending: null, created_at: '2024-11-03T21:15:01.500Z' },
        { domain: 'printer.lan', uuid: SITE.homeGarage, policy_id: null, pending: null, created_at: '2025-01-10T08:00:02.900Z' },
        { domain: 'www.lan', uuid: SITE.homeGarage, policy_id: null, pending: null, created_at: '2025-01-10T08:00:02.300Z' },
        { domain: 'www.lan', uuid: SITE.officeDefault, policy_id: null, pending: null, created_at: '2025-01-10T08:00:02.400Z' },
        // Refused with an overlap error; a replica only until the next discovery finds no such policy.
        { domain: 'www.lan', uuid: SITE.officeLab, policy_id: null, pending: null, created_at: '2025-01-10T08:00:02.500Z' },
      ]);

      // Events: every legacy event but the one of an unknown record, in time order, original times.
      const events = db
        .prepare('SELECT e.run_id, e.record_id, e.type, e.domain, e.target, s.uuid, e.status, e.reason, e.timestamp FROM sync_events e LEFT JOIN sites s ON s.id = e.site_id ORDER BY e.id')
        .all() as Array<Record<string, string | null>>;
      assert.equal(events.length, 35);
      assert.ok(events.every((e) => e.run_id === null && e.reason === null));
      const times = events.map((e) => e.timestamp!);
      assert.deepEqual(times, [...times].sort());
      const expected = legacy.events.map((e) => iso(e.at)).sort();
      assert.deepEqual(times, expected);
      assert.ok(times.every((t) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(t)));
      assert.deepEqual([...new Set(events.map((e) => e.status))].sort(), ['CREATED', 'DISCOVERED']);
      const wwwCreatedAtLab = events.filter((e) => e.domain === 'www.lan' && e.status === 'CREATED' && e.uuid === SITE.officeLab);
      assert.deepEqual(wwwCreatedAtLab.map((e) => [e.record_id, e.target, e.timestamp]), [[www.id, 'nas.lan', '2025-01-10T08:00:02.500Z']]);
      assert.equal(events.find((e) => e.timestamp === '2025-01-10T09:00:00.000Z')!.domain, 'nas.lan', 'a time without microseconds');
      assert.equal(events.filter((e) => e.uuid === null).length, 1, 'the event of an unknown site, kept without one');
      // Events of records not imported stay as history, under their legacy ids.
      assert.deepEqual(
        events.filter((e) => e.domain === 'corp.lan' || e.domain === 'broken.lan').map((e) => [e.record_id, e.type, e.domain, e.status]),
        [
          [legacy.ids.forward, 'FORWARD_DOMAIN', 'corp.lan', 'DISCOVERED'],
          [legacy.ids.broken, 'TXT_RECORD', 'broken.lan', 'DISCOVERED'],
        ],
      );
    } finally {
      db.close();
    }

    // Converted once: the next command finds a dnssync database, and writes no second backup.
    const again = await runCli(['migrate', '--db', legacy.path]);
    assert.equal(again.code, 0, again.stderr);
    assert.ok(again.stdout.includes(`up to date, schema version ${knownMigrations().at(-1)!.version}`), again.stdout);
    assert.doesNotMatch(again.stdout, /unifi-dns-sync|backup/);
    assert.equal(readdirSync(folderOf(legacy.path)).filter((f) => f.includes('.legacy-')).length, 1);
  });

  it('--json puts the summary in the one JSON document', async () => {
    const legacy = legacyFile();
    const result = await runCli(['migrate', '--json', '--db', legacy.path]);
    assert.equal(result.code, 0, result.stderr);
    const doc = JSON.parse(result.stdout);
    assert.deepEqual(doc.applied, knownMigrations().map(({ version, name }) => ({ version, name })));
    const s = doc.legacyConversion;
    assert.equal(s.mode, 'in-place');
    assert.equal(s.database, legacy.path);
    assert.match(s.backup, /\.legacy-\d{8}T\d{6}Z$/);
    assert.deepEqual(s.imported, { controllers: 2, sites: 4, records: 6, origins: 6, replicas: 13, events: 35 });
    assert.equal(s.repaired.idsRecomputed, 4);
    assert.equal(s.repaired.targetsRecovered, 3);
    assert.equal(s.repaired.duplicatesMerged, 1);
    assert.equal(s.repaired.copiesToReplicas, 12);
    assert.equal(s.repaired.createdNeverSeen, 1);
    assert.equal(s.repaired.keysDropped, 2);
    assert.equal(s.repaired.statusesRenamed, 22);
    assert.equal(s.repaired.eventsWithoutSite, 1);
    assert.deepEqual(s.repaired.hostsNormalised, [{ from: 'LOCALHOST:11443', to: 'localhost:11443' }]);
    assert.deepEqual(s.repaired.orphaned, [{ type: 'A_RECORD', domain: 'old.lan', target: '10.0.0.99' }]);
    assert.deepEqual(
      s.notImported.records.map((r: { domain: string; reason: string }) => [r.domain, r.reason]),
      [
        ['corp.lan', 'FORWARD_DOMAIN is never synced'],
        ['broken.lan', 'record_raw is not valid JSON'],
      ],
    );
    assert.deepEqual(s.notImported.events, { 'of a record the legacy database does not hold': 1 });
    assert.ok(s.warnings.some((w: string) => w.includes('still holds the plain-text API keys')));
  });

  it('a failure during the conversion leaves the legacy file as it was, and removes the backup', () => {
    const legacy = legacyFile();
    const before = legacyDump(legacy.path);
    const db = new DatabaseSync(legacy.path);
    assert.throws(
      () =>
        convertInPlace(db, legacy.path, {
          beforeCommit: () => {
            throw new Error('disk on fire');
          },
        }),
      (e: unknown) => e instanceof DatabaseError && /cannot convert the legacy database .*disk on fire.*left as it was/.test(e.message),
    );
    db.close();
    assert.deepEqual(legacyDump(legacy.path), before);
    assert.deepEqual(readdirSync(folderOf(legacy.path)), ['dns_sync.db']);
  });

  it('a process killed in the middle of the conversion leaves the legacy file intact; the next run converts it', async () => {
    const legacy = legacyFile();
    const before = legacyDump(legacy.path);
    const script = `
      import { DatabaseSync } from 'node:sqlite';
      import { convertInPlace } from ${JSON.stringify(new URL('../../src/legacy/index.ts', import.meta.url).href)};
      const db = new DatabaseSync(${JSON.stringify(legacy.path)});
      convertInPlace(db, ${JSON.stringify(legacy.path)}, { beforeCommit: () => process.kill(process.pid, 'SIGKILL') });
    `;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.equal(child.signal, 'SIGKILL', child.stderr);
    // The rollback journal of the interrupted transaction is rolled back by the next reader.
    assert.deepEqual(legacyDump(legacy.path), before);

    const result = await runCli(['migrate', '--db', legacy.path]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /imported: 2 controllers, 4 sites, 6 records, 6 origins, 13 replicas, 35 events/);
    const backups = readdirSync(folderOf(legacy.path)).filter((f) => f.includes('.legacy-'));
    assert.ok(backups.length >= 1 && backups.every((b) => /\.legacy-\d{8}T\d{6}Z(-\d+)?$/.test(b)), backups.join());
    for (const b of backups) assert.deepEqual(legacyDump(join(folderOf(legacy.path), b)), before);
  });

  it('never overwrites an existing file with the backup', () => {
    const legacy = legacyFile();
    const taken = `${legacy.path}.legacy-20261122T081121Z`;
    writeFileSync(taken, 'not mine');
    const db = new DatabaseSync(legacy.path);
    const result = convertInPlace(db, legacy.path, { now: () => new Date('2026-11-22T08:11:21.500Z') });
    db.close();
    assert.equal(result!.summary.backup, `${taken}-2`);
    assert.equal(readFileSync(taken, 'utf8'), 'not mine');
    assert.equal(legacyDump(`${taken}-2`).controllers!.length, 2);
  });
});

describe('legacy database: converted when a command that writes opens it', () => {
  it('the store alone refuses it untouched; the app converts it and logs the summary as one info line (stderr) and its warnings', async () => {
    const legacy = legacyFile();
    const before = readFileSync(legacy.path);
    assert.throws(() => openStore(legacy.path, { create: true }), LegacyDatabaseMet);
    assert.deepEqual(readFileSync(legacy.path), before);

    let logged = '';
    const stderr = { write: (text: string) => ((logged += text), true) } as never;
    const app = createApp({ stdout: stderr, stderr, env: {}, cwd: '/' }, { db: legacy.path, logFormat: 'json' }, () => {
      throw new Error('no exit');
    });
    const store = await app.openStore({ create: true });
    try {
      assert.equal(store.legacy?.mode, 'in-place');
      assert.deepEqual(store.applied.map((m) => m.version), knownMigrations().map((m) => m.version));
      const lines = logged.trim().split('\n').map((line) => JSON.parse(line));
      assert.equal(lines[0].level, 'info');
      assert.equal(lines[0].msg, 'converted the legacy unifi-dns-sync database');
      assert.deepEqual([lines[0].records, lines[0].origins, lines[0].replicas, lines[0].events], [6, 6, 13, 35]);
      assert.match(lines[0].backup, /\.legacy-\d{8}T\d{6}Z$/);
      assert.deepEqual(lines.slice(1).map((l) => l.level), ['warn', 'warn']);
      assert.doesNotMatch(logged, new RegExp(`${KEYS.home}|${KEYS.office}`));
    } finally {
      store.close();
    }
    const again = await app.openStore({ create: true });
    assert.equal(again.legacy, null);
    assert.deepEqual(again.applied, []);
    again.close();
  });
});

describe('legacy database: commands that only read leave it untouched', () => {
  it('migrate --status reports the conversion as pending; sync --dry-run refuses with exit 1; not a byte changes', async () => {
    const legacy = legacyFile();
    const config = join(folderOf(legacy.path), 'dnssync.json');
    writeFileSync(config, JSON.stringify({ controllers: [{ url: 'http://127.0.0.1:9', apiKey: 'x' }] }));
    const before = sha(legacy.path);

    const status = await runCli(['migrate', '--status', '--json', '--db', legacy.path]);
    assert.equal(status.code, 0, status.stderr);
    const doc = JSON.parse(status.stdout);
    assert.equal(doc.legacy, true);
    assert.equal(doc.conversion, 'pending');
    assert.equal(doc.exists, true);
    assert.equal(doc.schemaVersion, 0);
    assert.ok(doc.migrations.every((m: { status: string }) => m.status === 'pending'));

    const text = await runCli(['migrate', '--status', '--db', legacy.path]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /legacy Python tool \(unifi-dns-sync\): conversion pending; 'dnssync migrate'/);

    const dry = await runCli(['sync', '--dry-run', '--config', config, '--db', legacy.path, '--log-format', 'text']);
    assert.equal(dry.code, 1);
    assert.match(dry.stderr, /is a database of the legacy Python tool \(unifi-dns-sync\); this command only reads, so it left the file untouched: run 'dnssync migrate --db .*' to convert it/);
    assert.equal(dry.stdout, '');

    assert.throws(() => openStore(legacy.path, { create: false, readOnly: true }), /legacy Python tool/);

    assert.equal(sha(legacy.path), before);
    assert.deepEqual(readdirSync(folderOf(legacy.path)).sort(), ['dns_sync.db', 'dnssync.json']);
  });

  it('refuses, untouched, a file with only some of the legacy tables', () => {
    const path = join(dir, 'partial.db');
    const db = new DatabaseSync(path);
    db.exec(`CREATE TABLE dns_records (id TEXT PRIMARY KEY, type TEXT, domain TEXT, target TEXT, record_raw TEXT);
      CREATE TABLE sync_events (id INTEGER PRIMARY KEY AUTOINCREMENT, record_id TEXT, site_uuid TEXT, status TEXT, timestamp DATETIME);`);
    db.close();
    const before = sha(path);
    assert.throws(() => openStore(path, { create: true }), LegacyDatabaseMet);
    for (const readOnly of [false, true]) {
      assert.throws(() => convertOrRefuse(path, readOnly), /legacy Python tool .* lacks table controllers, table sites, table record_origins; dnssync cannot convert it/);
    }
    assert.equal(sha(path), before);
    assert.ok(!readdirSync(dir).some((f) => f.startsWith('partial.db.legacy-')));
  });
});

describe('migrate --import-legacy PATH', () => {
  it('imports another file read-only, with the same repairs, into a new database; a second import adds nothing', async () => {
    const legacy = legacyFile('legacy.db');
    const before = sha(legacy.path);
    const target = join(folderOf(legacy.path), 'dnssync.db');

    const first = await runCli(['migrate', '--import-legacy', legacy.path, '--db', target]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, new RegExp(`applied ${knownMigrations().length} migration\\(s\\)`));
    assert.match(first.stdout, /imported the legacy unifi-dns-sync database .*legacy\.db into .*dnssync\.db \(the legacy file is unchanged\)/);
    assert.match(first.stdout, /imported: 2 controllers, 4 sites, 6 records, 6 origins, 13 replicas, 35 events/);
    assert.match(first.stdout, /warning: .*legacy\.db still holds the plain-text API keys/);
    assert.equal(sha(legacy.path), before, 'the source is never modified');
    assert.deepEqual(readdirSync(folderOf(legacy.path)).filter((f) => f.startsWith('legacy.db')), ['legacy.db']);

    const db = new DatabaseSync(target, { readOnly: true });
    const counts = () => ['controllers', 'sites', 'dns_records', 'record_origins', 'replicas', 'sync_events'].map((t) => count(db, t));
    assert.deepEqual(counts(), [2, 4, 6, 6, 13, 35]);
    for (const key of Object.values(KEYS)) assert.ok(!readFileSync(target).includes(key));

    const second = await runCli(['migrate', '--json', '--import-legacy', legacy.path, '--db', target]);
    assert.equal(second.code, 0, second.stderr);
    const doc = JSON.parse(second.stdout);
    assert.deepEqual(doc.legacyImport.imported, { controllers: 0, sites: 0, records: 0, origins: 0, replicas: 0, events: 0 });
    assert.deepEqual(doc.legacyImport.alreadyPresent, { controllers: 2, sites: 4, records: 6, origins: 6, replicas: 13, events: 35 });
    assert.deepEqual(counts(), [2, 4, 6, 6, 13, 35]);
    db.close();
    assert.equal(sha(legacy.path), before);
  });

  it('merges into a database with data without duplicating, keeping the earliest first_seen', async () => {
    const legacy = legacyFile('legacy.db');
    const target = join(folderOf(legacy.path), 'converted.db');
    copyFileSync(legacy.path, target);
    assert.equal((await runCli(['migrate', '--db', target])).code, 0); // converted in place: same rows
    const db = new DatabaseSync(target);
    db.exec("UPDATE record_origins SET first_seen = '2026-01-01T00:00:00.000Z'");
    db.close();

    const result = await runCli(['migrate', '--json', '--import-legacy', legacy.path, '--db', target]);
    assert.equal(result.code, 0, result.stderr);
    const s = JSON.parse(result.stdout).legacyImport;
    assert.equal(s.mode, 'import');
    assert.equal(s.backup, null);
    assert.deepEqual(s.imported, { controllers: 0, sites: 0, records: 0, origins: 0, replicas: 0, events: 0 });
    const check = new DatabaseSync(target, { readOnly: true });
    assert.deepEqual(
      ['dns_records', 'record_origins', 'replicas', 'sync_events'].map((t) => count(check, t)),
      [6, 6, 13, 35],
    );
    assert.equal(
      (check.prepare("SELECT min(first_seen) AS f FROM record_origins").get() as { f: string }).f,
      '2024-11-03T21:15:00.250Z',
      'the legacy first_seen is earlier, so it is kept',
    );
    check.close();
  });

  it('names what is wrong with the path: missing (exit 2), not SQLite, not legacy (exit 1)', async () => {
    const folder = join(dir, 'bad-import');
    spawnSync('mkdir', ['-p', folder]);
    const db = join(folder, 'dnssync.db');
    const missing = await runCli(['migrate', '--import-legacy', join(folder, 'nope.db'), '--db', db]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--import-legacy: no file at .*nope\.db/);
    assert.equal(existsSync(db), false, 'nothing created for a usage error');

    writeFileSync(join(folder, 'text.db'), 'hello');
    const text = await runCli(['migrate', '--import-legacy', join(folder, 'text.db'), '--db', db]);
    assert.equal(text.code, 1);
    assert.match(text.stderr, /is not a SQLite database/);

    const other = join(folder, 'other.db');
    assert.equal((await runCli(['migrate', '--db', other])).code, 0);
    const notLegacy = await runCli(['migrate', '--import-legacy', other, '--db', db]);
    assert.equal(notLegacy.code, 1);
    assert.match(notLegacy.stderr, /is not a database of the legacy Python tool \(unifi-dns-sync\); it is a dnssync database/);
  });
});

describe('legacy timestamps', () => {
  it('reads Python utcnow() text as UTC, with or without microseconds, and refuses what is not a time', () => {
    assert.equal(legacyTime('2025-01-10 08:00:00.123456'), '2025-01-10T08:00:00.123Z');
    assert.equal(legacyTime('2025-01-10 08:00:00'), '2025-01-10T08:00:00.000Z');
    assert.equal(legacyTime('2025-01-10T08:00:00.5'), '2025-01-10T08:00:00.500Z');
    assert.equal(legacyTime('2025-01-10 08:00:00+02:00'), '2025-01-10T06:00:00.000Z');
    assert.equal(legacyTime('2025-02-30 08:00:00'), null);
    assert.equal(legacyTime('yesterday'), null);
    assert.equal(legacyTime(null), null);
  });
});
