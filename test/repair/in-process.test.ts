import assert from 'node:assert/strict';
import { closeSync, openSync, readdirSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { describe, it } from 'node:test';
import { recordId } from '../../src/domain/record.ts';
import { checkDatabase, repairDatabase, type RepairReport } from '../../src/repair/index.ts';
import { knownMigrations } from '../../src/store/migrations.ts';
import { tempDir } from '../support/tmp.ts';
import { baseline, damageIndexEntry, dump, NAS, plant, query, rec, sha, V6, WWW } from './helpers.ts';

/**
 * The repair checks called in-process on real database files (checks.test.ts drives the same
 * through the CLI): each problem planted, found by checkDatabase without a byte written, fixed by
 * repairDatabase after a backup of exactly the state before, and gone on a re-check.
 */

const dir = tempDir('dnssync-repair-in-process-');
const AT = new Date('2026-11-22T08:11:21.500Z');
const STAMP = '20261122T081121Z';
const WHO = { host: hostname(), pid: process.pid, now: () => AT };
const T0 = '2026-01-01T00:00:00.000Z';
let n = 0;
const fresh = () => baseline(dir, `in-process-${++n}`);
const newFiles = (db: string) => readdirSync(dir).filter((f) => f.startsWith(`${db.split('/').pop()}.`) && !/-(wal|shm)$/.test(f));

function findAndFix(db: string, check: string, untouched: string[] = []): { found: RepairReport; fixed: RepairReport; before: Record<string, string[]> } {
  const before = dump(db);
  const bytes = sha(db);
  const found = checkDatabase(db, WHO);
  assert.ok(
    found.findings.some((f) => f.check === check && f.outcome === 'found'),
    `the check names ${check}: ${JSON.stringify(found.findings, null, 2)}`,
  );
  assert.equal(found.backup, null);
  assert.equal(sha(db), bytes, 'checking writes nothing');

  const fixed = repairDatabase(db, WHO);
  const ours = fixed.findings.filter((f) => f.check === check);
  assert.ok(ours.length > 0, `repair names ${check}`);
  for (const f of ours) assert.ok(f.outcome === 'fixed' || f.outcome === 'left-for-sync', `${f.problem}: ${f.outcome} (${f.action})`);
  assert.equal(fixed.remaining, 0, JSON.stringify(fixed.findings, null, 2));
  assert.equal(fixed.backup, `${db}.backup-${STAMP}`);
  assert.equal(statSync(fixed.backup).mode & 0o777, 0o600, 'the backup is as private as the database');
  assert.deepEqual(dump(fixed.backup), before, 'the backup holds exactly the state the fixes started from');
  const after = dump(db);
  for (const table of untouched) assert.deepEqual(after[table], before[table], `${table} untouched`);
  return { found, fixed, before };
}

function clean(db: string): void {
  assert.deepEqual(checkDatabase(db, WHO).findings, []);
}

describe('repair in-process: a clean database', () => {
  it('finds nothing, changes nothing and writes no backup, checking or repairing', () => {
    const db = fresh();
    const bytes = sha(db);
    for (const report of [checkDatabase(db, WHO), repairDatabase(db, WHO)]) {
      assert.deepEqual(report.findings, []);
      assert.equal(report.state, 'database');
      assert.equal(report.backup, null);
      assert.deepEqual(report.schema, { version: knownMigrations().at(-1)!.version, latest: knownMigrations().at(-1)!.version, pending: [] });
    }
    assert.equal(sha(db), bytes);
    assert.deepEqual(newFiles(db), []);
  });
});

describe('repair in-process: each check', () => {
  it('integrity: an index entry that matches no row is rebuilt; the rows stay as they were', () => {
    const db = fresh();
    const events = damageIndexEntry(db);

    const { fixed } = findAndFix(db, 'integrity');
    assert.match(fixed.findings[0]!.action, /REINDEX sync_events_site_domain/);
    assert.deepEqual(query(db, 'SELECT * FROM sync_events NOT INDEXED ORDER BY id'), events);
    assert.deepEqual(query(db, 'PRAGMA integrity_check'), [{ integrity_check: 'ok' }]);
    clean(db);
  });

  it('schema: a dropped index is recreated and an edited checksum recorded again', () => {
    const db = fresh();
    plant(db, (conn) => {
      conn.exec("UPDATE schema_migrations SET checksum = 'edited-by-hand' WHERE version = 1");
      conn.exec('DROP INDEX sync_events_site_domain');
    });
    findAndFix(db, 'schema', ['controllers', 'sites', 'dns_records', 'record_origins', 'replicas', 'runs', 'sync_events', 'sync_lock']);
    assert.deepEqual(query(db, 'SELECT checksum FROM schema_migrations WHERE version = 1'), [{ checksum: knownMigrations()[0]!.checksum }]);
    assert.equal(query(db, "SELECT 1 FROM sqlite_schema WHERE name = 'sync_events_site_domain'").length, 1);
    clean(db);
  });

  it('stale-lock: the lock row of a host gone silent is deleted, and nothing else', () => {
    const db = fresh();
    plant(db, (conn) => conn.exec(`INSERT INTO sync_lock VALUES (1, 1, 'pod-gone-7f9c', 1, '${T0}', '${T0}')`));
    const { found } = findAndFix(db, 'stale-lock', ['controllers', 'sites', 'dns_records', 'record_origins', 'replicas', 'runs', 'sync_events', 'schema_migrations']);
    assert.match(found.findings[0]!.problem, /host pod-gone-7f9c with no heartbeat since/);
    assert.deepEqual(query(db, 'SELECT * FROM sync_lock'), []);
    clean(db);
  });

  it('foreign-key: a record that its events prove is put back exactly as it was', () => {
    const db = fresh();
    const row = query(db, 'SELECT * FROM dns_records WHERE id = ?', NAS.id);
    plant(db, (conn) => conn.prepare('DELETE FROM dns_records WHERE id = ?').run(NAS.id));
    const { found } = findAndFix(db, 'foreign-key', ['record_origins', 'replicas', 'sync_events', 'runs', 'sync_lock', 'schema_migrations']);
    assert.match(found.findings[0]!.action, /put the record back from its events \(A_RECORD nas\.home → 10\.0\.0\.5\)/);
    assert.deepEqual(query(db, 'SELECT * FROM dns_records WHERE id = ?', NAS.id), row);
    clean(db);
  });

  it('unknown-site: replicas and origins of a site the database does not know are deleted', () => {
    const db = fresh();
    plant(db, (conn) => {
      conn.prepare(`INSERT INTO replicas VALUES (?, 99, 'replica-99', '${T0}', NULL, NULL, NULL)`).run(NAS.id);
      conn.prepare(`INSERT INTO record_origins VALUES (?, 99, '${T0}', 'native-99', '{"enabled":true}')`).run(WWW.id);
    });
    const { before } = findAndFix(db, 'unknown-site', ['controllers', 'sites', 'dns_records', 'runs', 'sync_events', 'sync_lock']);
    const after = dump(db);
    assert.deepEqual(after.replicas, before.replicas!.filter((r) => !r.includes('"site_id":99')));
    assert.deepEqual(after.record_origins, before.record_origins!.filter((r) => !r.includes('"site_id":99')));
    clean(db);
  });

  it('record-id: a record under a wrong id is re-keyed, its origin, replica and events with it', () => {
    const db = fresh();
    const pi = rec('A_RECORD', 'pi.home', '10.0.0.7', { ipv4Address: '10.0.0.7' });
    const wrong = 'f'.repeat(64);
    plant(db, (conn) => {
      conn.prepare(`INSERT INTO dns_records VALUES (?, ?, ?, ?, ?, '${T0}', NULL, NULL)`).run(wrong, pi.type, pi.domain, pi.target, pi.raw);
      conn.prepare(`INSERT INTO record_origins VALUES (?, 1, '${T0}', 'native-pi', '{"enabled":true}')`).run(wrong);
      conn.prepare(`INSERT INTO replicas VALUES (?, 2, 'replica-pi', '${T0}', NULL, NULL, NULL)`).run(wrong);
      conn.prepare(`INSERT INTO sync_events (run_id, record_id, type, domain, target, site_id, status, timestamp) VALUES (1, ?, 'A_RECORD', 'pi.home', '10.0.0.7', 2, 'CREATED', '${T0}')`).run(wrong);
    });
    findAndFix(db, 'record-id', ['controllers', 'sites', 'runs', 'sync_lock', 'schema_migrations']);
    for (const table of ['dns_records', 'record_origins', 'replicas', 'sync_events']) {
      const column = table === 'dns_records' ? 'id' : 'record_id';
      assert.deepEqual(query(db, `SELECT ${column} AS id FROM ${table} WHERE ${column} IN (?, ?)`, wrong, pi.id), [{ id: pi.id }], table);
    }
    clean(db);
  });

  it("legacy-target: a 'None' target and a legacy API body are rewritten as sync writes them, under the recomputed id", () => {
    const db = fresh();
    const legacyId = recordId('CNAME_RECORD', 'legacy.home', 'None');
    const body = JSON.stringify({ id: '65f1c0de', type: 'CNAME_RECORD', domain: 'legacy.home', targetDomain: 'NAS.home.', enabled: true, metadata: { origin: 'USER_DEFINED' } });
    plant(db, (conn) => conn.prepare(`INSERT INTO dns_records VALUES (?, 'CNAME_RECORD', 'legacy.home', 'None', ?, '${T0}', NULL, NULL)`).run(legacyId, body));
    const { found } = findAndFix(db, 'legacy-target', ['controllers', 'sites', 'record_origins', 'replicas', 'runs', 'sync_events', 'sync_lock']);
    assert.match(found.findings.find((f) => f.check === 'legacy-target')!.problem, /target is 'None' \(written by the legacy tool\)/);
    const cname = rec('CNAME_RECORD', 'legacy.home', 'nas.home', { targetDomain: 'nas.home' });
    assert.deepEqual(query(db, 'SELECT id, target, record_raw FROM dns_records WHERE domain = ?', 'legacy.home'), [{ id: cname.id, target: 'nas.home', record_raw: cname.raw }]);
    clean(db);
  });

  it('duplicate: copies that differ by case or trailing dot are merged into the canonical record', () => {
    const db = fresh();
    const upper = rec('A_RECORD', 'NAS.Home.', '10.0.0.5', { ipv4Address: '10.0.0.5' });
    plant(db, (conn) => {
      conn.prepare("INSERT INTO dns_records VALUES (?, ?, ?, ?, ?, '2025-01-01T00:00:00.000Z', NULL, NULL)").run(upper.id, upper.type, upper.domain, upper.target, upper.raw);
      conn.prepare(`INSERT INTO record_origins VALUES (?, 2, '2025-01-01T00:00:00.000Z', 'native-upper', '{"enabled":false}')`).run(upper.id);
    });
    findAndFix(db, 'duplicate', ['controllers', 'sites', 'runs', 'sync_lock', 'schema_migrations']);
    assert.deepEqual(query(db, "SELECT id, domain, first_seen FROM dns_records WHERE lower(domain) LIKE 'nas.home%'"), [
      { id: NAS.id, domain: 'nas.home', first_seen: '2025-01-01T00:00:00.000Z' },
    ]);
    assert.deepEqual(query(db, 'SELECT site_id, policy_id FROM record_origins WHERE record_id = ? ORDER BY site_id', NAS.id), [
      { site_id: 1, policy_id: 'native-nas.home-1' },
      { site_id: 2, policy_id: 'native-upper' },
    ]);
    clean(db);
  });

  it('crash-intent: an update intent is cleared; a create intent is left for the next sync and still reported', () => {
    const db = fresh();
    plant(db, (conn) => {
      conn.prepare("UPDATE replicas SET pending = 'update', pending_run_id = 1, pending_body = '{\"enabled\":false}' WHERE record_id = ?").run(NAS.id);
      conn.prepare("UPDATE replicas SET policy_id = NULL, pending = 'create', pending_run_id = 1, pending_body = ? WHERE record_id = ?").run(V6.raw, V6.id);
    });
    const { fixed } = findAndFix(db, 'crash-intent', ['controllers', 'sites', 'dns_records', 'record_origins', 'runs', 'sync_events', 'sync_lock']);
    assert.deepEqual(fixed.findings.map((f) => f.outcome).sort(), ['fixed', 'left-for-sync']);
    assert.deepEqual(query(db, 'SELECT record_id, pending FROM replicas WHERE pending IS NOT NULL'), [{ record_id: V6.id, pending: 'create' }]);
    assert.deepEqual(checkDatabase(db, WHO).findings.map((f) => [f.check, f.outcome]), [['crash-intent', 'found']]);
  });
});

describe('repair in-process: a row told as the conversion and sync tell it', () => {
  it('an emptied record_raw beside the columns as sync writes them: record_raw is written again from the columns', () => {
    const db = fresh();
    plant(db, (conn) => conn.prepare("UPDATE dns_records SET record_raw = '' WHERE id = ?").run(WWW.id));
    const { found } = findAndFix(db, 'legacy-target', ['controllers', 'sites', 'record_origins', 'replicas', 'runs', 'sync_events', 'sync_lock']);
    assert.match(found.findings[0]!.action, /rewrite it in canonical form from its columns/);
    assert.deepEqual(query(db, 'SELECT id, record_raw FROM dns_records WHERE id = ?', WWW.id), [{ id: WWW.id, record_raw: WWW.raw }]);
    clean(db);
  });

  it('a FORWARD_DOMAIN record_raw over the columns of an A record is no record: reported, not fixed, nothing written', () => {
    const db = fresh();
    const id = recordId('A_RECORD', 'corp.lan', '10.0.0.1');
    plant(db, (conn) =>
      conn.prepare(`INSERT INTO dns_records VALUES (?, 'A_RECORD', 'corp.lan', '10.0.0.1', ?, '${T0}', NULL, NULL)`).run(id, JSON.stringify({ type: 'FORWARD_DOMAIN', domain: 'corp.lan', ipAddress: '10.0.0.1' })),
    );
    const bytes = sha(db);
    const report = repairDatabase(db, WHO);
    assert.deepEqual(
      report.findings.map((f) => [f.check, f.outcome, f.problem]),
      [['legacy-target', 'not-fixed', 'its identity cannot be told (FORWARD_DOMAIN is never synced)']],
    );
    assert.equal(report.remaining, 1);
    assert.equal(report.backup, null, 'nothing to change, so no backup');
    assert.equal(sha(db), bytes);
    assert.deepEqual(newFiles(db), []);
  });
});

describe('repair in-process: the files it writes', () => {
  it('never writes its backup over a file that is there: the next free name is taken', () => {
    const db = fresh();
    const taken = `${db}.backup-${STAMP}`;
    writeFileSync(taken, 'someone else’s file');
    plant(db, (conn) => conn.exec(`INSERT INTO sync_lock VALUES (1, 1, 'pod-gone', 1, '${T0}', '${T0}')`));
    const report = repairDatabase(db, WHO);
    assert.equal(report.backup, `${taken}-2`);
    assert.equal(readFileSync(taken, 'utf8'), 'someone else’s file');
    assert.deepEqual(query(report.backup!, 'SELECT host FROM sync_lock'), [{ host: 'pod-gone' }]);
  });

  it('reads a file whose header was overwritten into <db>.recovered-<stamp>, leaving the file as it is', () => {
    const db = fresh();
    const rows = dump(db);
    const fd = openSync(db, 'r+');
    writeSync(fd, Buffer.from('garbage garbage!'), 0, 16, 0);
    closeSync(fd);
    const bytes = sha(db);
    const report = repairDatabase(db, WHO);
    assert.equal(report.state, 'not-sqlite');
    assert.equal(report.recovered?.path, `${db}.recovered-${STAMP}`);
    assert.equal(report.recovered?.lost, 0);
    assert.equal(statSync(report.recovered!.path!).mode & 0o777, 0o600);
    const copy = dump(report.recovered!.path!);
    for (const table of ['controllers', 'sites', 'dns_records', 'record_origins', 'replicas', 'runs', 'sync_events']) assert.deepEqual(copy[table], rows[table], table);
    assert.equal(sha(db), bytes);
    assert.deepEqual(newFiles(db), [`${db.split('/').pop()}.recovered-${STAMP}`], 'the patched copy it read from is gone');
  });
});
