import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { DatabaseSync } from 'node:sqlite';
import { describe, it } from 'node:test';
import { knownMigrations } from '../../src/store/migrations.ts';
import { recordId } from '../../src/domain/record.ts';
import { LEGACY_DDL } from '../legacy/fixture.ts';
import { runCli } from '../support/cli.ts';
import { tempDir } from '../support/tmp.ts';
import { baseline, checkFinds, clean, damageIndexEntry, deadPid, dump, NAS, plant, query, rec, repair, repairFixes, rows, sha, V6, WWW } from './helpers.ts';

const dir = tempDir('dnssync-repair-');
let n = 0;
const fresh = () => baseline(dir, `db-${++n}`);
const backups = (db: string) => readdirSync(dir).filter((f) => f.startsWith(`${db.split('/').pop()}.backup-`));

describe('dnssync repair: a clean database', () => {
  it('--check and repair both say "no problem", exit 0, and write nothing', async () => {
    const db = fresh();
    const before = sha(db);
    const check = await runCli(['repair', '--check', '--db', db]);
    assert.equal(check.code, 0, check.stderr);
    assert.match(check.stdout, /no problem found\n$/);
    assert.doesNotMatch(check.stdout, /\x1b\[/, 'no ANSI escape on a pipe');

    const fix = await runCli(['repair', '--db', db]);
    assert.equal(fix.code, 0, fix.stderr);
    assert.match(fix.stdout, /no problem found; nothing changed\n$/);
    assert.deepEqual(backups(db), [], 'nothing to fix, so no backup');
    assert.equal(sha(db), before);

    const json = await repair(db, '--check');
    assert.equal(json.code, 0);
    assert.deepEqual(json.report.findings, []);
    assert.equal(json.report.remaining, 0);
    assert.equal(json.report.state, 'database');
    const latest = knownMigrations().at(-1)!.version;
    assert.deepEqual([json.report.schemaVersion, json.report.latestVersion, json.report.pendingMigrations], [latest, latest, []]);
  });

  it('needs no config file, and creates no database where there is none (exit 1)', async () => {
    const missing = `${dir}/nothing-here.db`;
    const result = await runCli(['repair', '--db', missing, '--log-format', 'text'], { cwd: dir });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /no database at .*nothing-here\.db/);
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.startsWith('nothing-here')),
      [],
    );
  });
});

describe('dnssync repair: a legacy database', () => {
  it('is not repair\'s to change: it says so, points to migrate, exits 1 and leaves the file as it is', async () => {
    const db = `${dir}/dns_sync.db`;
    const conn = new DatabaseSync(db);
    conn.exec(LEGACY_DDL);
    conn.exec("INSERT INTO dns_records VALUES ('x', 'CNAME_RECORD', 'www.home', NULL, '{}')");
    conn.close();
    const before = sha(db);
    for (const args of [['--check'], []]) {
      const result = await repair(db, ...args);
      assert.equal(result.code, 1);
      assert.equal(result.report.state, 'legacy');
      assert.match(result.report.findings[0]!.problem, /legacy Python tool \(unifi-dns-sync\), not converted yet/);
      assert.match(result.report.findings[0]!.action, /run 'dnssync migrate --db .*dns_sync\.db' to convert it/);
    }
    assert.equal(sha(db), before);
  });
});

describe('dnssync repair: integrity_check', () => {
  it('finds index entries that do not match their table and rebuilds the index', async () => {
    const db = fresh();
    const events = damageIndexEntry(db);

    const found = await checkFinds(db, 'integrity');
    assert.match(found.findings.find((f) => f.check === 'integrity')!.problem, /missing from the index/);
    assert.equal(found.findings.find((f) => f.check === 'integrity')!.where, 'index sync_events_site_domain');

    const { report } = await repairFixes(db, 'integrity', 0, ['controllers', 'sites', 'dns_records', 'record_origins', 'replicas', 'runs', 'sync_events', 'sync_lock', 'schema_migrations']);
    assert.match(report.findings[0]!.action, /REINDEX sync_events_site_domain/);
    assert.equal(query<{ integrity_check: string }>(db, 'PRAGMA integrity_check')[0]!.integrity_check, 'ok');
    assert.deepEqual(query(db, 'SELECT * FROM sync_events NOT INDEXED ORDER BY id'), events, 'the rows themselves are untouched');
    await clean(db);
  });
});

describe('dnssync repair: schema', () => {
  it('finds a migration recorded with another checksum and a dropped index; records the checksum and recreates the index', async () => {
    const db = fresh();
    plant(db, (conn) => {
      conn.exec("UPDATE schema_migrations SET checksum = 'edited-by-hand' WHERE version = 1");
      conn.exec('DROP INDEX sync_events_site_domain');
    });
    // Every other command refuses such a database and points at repair.
    const refused = await runCli(['migrate', '--db', db, '--log-format', 'text']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /dnssync repair --check/);

    const found = await checkFinds(db, 'schema');
    assert.ok(found.findings.some((f) => /index sync_events_site_domain is missing/.test(f.problem)));
    assert.ok(found.findings.some((f) => /recorded with checksum edited-by-ha, this dnssync's is /.test(f.problem) && /would record this dnssync's checksum/.test(f.action)));

    await repairFixes(db, 'schema', 0, ['controllers', 'sites', 'dns_records', 'record_origins', 'replicas', 'runs', 'sync_events', 'sync_lock']);
    assert.equal(query<{ checksum: string }>(db, 'SELECT checksum FROM schema_migrations WHERE version = 1')[0]!.checksum, knownMigrations()[0]!.checksum);
    assert.equal(query(db, "SELECT 1 FROM sqlite_schema WHERE name = 'sync_events_site_domain'").length, 1);
    await clean(db);
    assert.equal((await runCli(['migrate', '--db', db])).code, 0, 'the other commands accept it again');
  });

  it('reports pending migrations without calling them a problem', async () => {
    const db = fresh();
    const result = await repair(db, '--check');
    assert.equal(result.code, 0);
    assert.deepEqual(result.report.pendingMigrations, []);
  });
});

describe('dnssync repair: stale lock', () => {
  it('finds and removes the lock of a dead process on this host', async () => {
    const db = fresh();
    const pid = await deadPid();
    plant(db, (conn) =>
      conn.prepare("INSERT INTO sync_lock (id, run_id, host, pid, acquired_at, heartbeat_at) VALUES (1, 1, ?, ?, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')").run(hostname(), pid),
    );
    const found = await checkFinds(db, 'stale-lock');
    assert.match(found.findings[0]!.problem, new RegExp(`pid ${pid} on this host, which is no longer running`));
    const { before } = await repairFixes(db, 'stale-lock');
    assert.deepEqual(query(db, 'SELECT * FROM sync_lock'), []);
    const after = dump(db);
    for (const table of Object.keys(before).filter((t) => t !== 'sync_lock')) assert.deepEqual(after[table], before[table], `${table} untouched`);
    await clean(db);
  });

  it('finds and removes the lock of another host whose heartbeat is older than the staleness limit', async () => {
    const db = fresh();
    plant(db, (conn) =>
      conn.exec("INSERT INTO sync_lock VALUES (1, 1, 'pod-gone-7f9c', 1, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:30.000Z')"),
    );
    const found = await checkFinds(db, 'stale-lock');
    assert.match(found.findings[0]!.problem, /host pod-gone-7f9c with no heartbeat since 2026-01-01T00:00:30\.000Z/);
    await repairFixes(db, 'stale-lock');
    assert.deepEqual(query(db, 'SELECT * FROM sync_lock'), []);
    await clean(db);
  });

  it('refuses (exit 5), checking or repairing, while a live sync holds the lock; nothing is written', async () => {
    const db = fresh();
    const now = new Date().toISOString();
    // This test's own process is alive on this host: a live holder.
    plant(db, (conn) => conn.prepare('INSERT INTO sync_lock VALUES (1, 1, ?, ?, ?, ?)').run(hostname(), process.pid, now, now));
    // And an intent, which is in flight rather than left by a crash.
    plant(db, (conn) => conn.prepare("UPDATE replicas SET pending = 'update', pending_run_id = 1, pending_body = '{}' WHERE record_id = ?").run(NAS.id));
    const before = sha(db);
    for (const args of [['--check'], []]) {
      const result = await runCli(['repair', ...args, '--db', db, '--log-format', 'text']);
      assert.equal(result.code, 5, result.stderr);
      assert.match(result.stderr, new RegExp(`a sync holds the database .*host ${hostname()}, pid ${process.pid}, since ${now}`));
      assert.equal(result.stdout, '');
    }
    assert.equal(sha(db), before);
    assert.deepEqual(backups(db), []);
  });
});

describe('dnssync repair: foreign keys', () => {
  it('puts back a record its events prove, drops rows nothing explains, keeps history with NULL references, adds an unknown controller', async () => {
    const db = fresh();
    const nobody = recordId('A_RECORD', 'nobody.home', '10.9.9.9');
    const nasRow = query(db, 'SELECT * FROM dns_records WHERE id = ?', NAS.id)[0];
    plant(db, (conn) => {
      conn.prepare('DELETE FROM dns_records WHERE id = ?').run(NAS.id); // its origin, replica and events remain
      conn.prepare("INSERT INTO record_origins VALUES (?, 2, '2026-01-01T00:00:00.000Z', 'native-x', '{\"enabled\":true}')").run(nobody);
      conn.exec("UPDATE sync_events SET run_id = 42 WHERE id = 1");
      conn.exec("UPDATE sync_events SET site_id = 9 WHERE id = 2");
      conn.exec("INSERT INTO sites (id, controller_host, uuid, first_seen) VALUES (3, 'gone.example', 'u-3', '2026-01-01T00:00:00.000Z')");
    });
    const found = await checkFinds(db, 'foreign-key');
    const problems = found.findings.filter((f) => f.check === 'foreign-key').map((f) => `${f.problem} | ${f.action}`);
    assert.ok(problems.some((p) => /1 origin\(s\) and 1 replica\(s\) refer to record .*not in dns_records \| would put the record back from its events \(A_RECORD nas\.home → 10\.0\.0\.5\)/.test(p)), problems.join('\n'));
    assert.ok(problems.some((p) => /1 origin\(s\) refer to record .*\| would delete those rows/.test(p)), problems.join('\n'));
    assert.ok(problems.some((p) => /event\(s\) refer to runs\.id = 42/.test(p)));
    assert.ok(problems.some((p) => /event\(s\) refer to sites\.id = 9.*set site_id to NULL/.test(p)));
    assert.ok(problems.some((p) => /site\(s\) refer to controllers\.host = gone\.example/.test(p)));

    const { before } = await repairFixes(db, 'foreign-key', 0, ['replicas', 'runs', 'sync_lock', 'schema_migrations']);
    assert.deepEqual(query(db, 'SELECT * FROM dns_records WHERE id = ?', NAS.id)[0], nasRow, 'the record is back exactly as it was');
    assert.deepEqual(query(db, 'SELECT * FROM record_origins WHERE record_id = ?', nobody), []);
    assert.deepEqual(query(db, 'SELECT run_id, site_id FROM sync_events WHERE id IN (1, 2) ORDER BY id'), [
      { run_id: null, site_id: 1 },
      { run_id: 1, site_id: null },
    ]);
    assert.equal(query(db, 'SELECT count(*) AS n FROM sync_events')[0]!.n, rows(before, 'sync_events').length, 'no event deleted');
    assert.deepEqual(query(db, "SELECT host, name, url FROM controllers WHERE host = 'gone.example'"), [{ host: 'gone.example', name: 'gone.example', url: 'https://gone.example' }]);
    assert.deepEqual(query(db, 'PRAGMA foreign_key_check'), []);
    await clean(db);
  });
});

describe('dnssync repair: unknown sites', () => {
  it('deletes replicas and origins of a site that is not in sites, and says so', async () => {
    const db = fresh();
    const orphan = rec('A_RECORD', 'far.home', '10.7.7.7', { ipv4Address: '10.7.7.7' });
    plant(db, (conn) => {
      conn.prepare("INSERT INTO dns_records VALUES (?, ?, ?, ?, ?, '2026-01-01T00:00:00.000Z', NULL, NULL)").run(orphan.id, orphan.type, orphan.domain, orphan.target, orphan.raw);
      conn.prepare("INSERT INTO record_origins VALUES (?, 99, '2026-01-01T00:00:00.000Z', 'native-far', '{\"enabled\":true}')").run(orphan.id);
      conn.prepare("INSERT INTO replicas VALUES (?, 99, 'replica-nas-99', '2026-01-01T00:00:00.000Z', NULL, NULL, NULL)").run(NAS.id);
      conn.prepare("INSERT INTO replicas VALUES (?, 99, NULL, '2026-01-01T00:00:00.000Z', 'create', 1, '{}')").run(WWW.id);
    });
    const found = await checkFinds(db, 'unknown-site');
    const finding = found.findings.find((f) => f.check === 'unknown-site')!;
    assert.match(finding.problem, /2 replica\(s\) and 1 origin\(s\) belong to site 99, which is not in sites/);
    assert.match(finding.action, /would delete them: no sync can reach a site the database does not know; 1 of them are create intents/);
    assert.ok(!found.findings.some((f) => f.check === 'crash-intent'), 'an intent at an unknown site is that check’s, not reported twice');

    const { before } = await repairFixes(db, 'unknown-site', 0, ['controllers', 'sites', 'dns_records', 'runs', 'sync_events', 'sync_lock']);
    assert.match(found.findings[0]!.where, /site_id = 99/);
    assert.deepEqual(query(db, 'SELECT * FROM replicas WHERE site_id = 99'), []);
    assert.deepEqual(query(db, 'SELECT * FROM record_origins WHERE site_id = 99'), []);
    const after = dump(db);
    assert.deepEqual(after.replicas, before.replicas!.filter((r) => !r.includes('"site_id":99')), 'the other replicas are untouched');
    assert.deepEqual(after.sync_events, before.sync_events);
    await clean(db);
  });
});

describe('dnssync repair: ids that do not match their identity', () => {
  it('re-keys a record to its identity, with its origins, replicas and events', async () => {
    const db = fresh();
    const pi = rec('A_RECORD', 'pi.home', '10.0.0.7', { ipv4Address: '10.0.0.7' });
    const wrong = 'f'.repeat(64);
    plant(db, (conn) => {
      conn.prepare("INSERT INTO dns_records VALUES (?, ?, ?, ?, ?, '2026-01-01T00:00:00.000Z', NULL, NULL)").run(wrong, pi.type, pi.domain, pi.target, pi.raw);
      conn.prepare("INSERT INTO record_origins VALUES (?, 1, '2026-01-01T00:00:00.000Z', 'native-pi', '{\"enabled\":true}')").run(wrong);
      conn.prepare("INSERT INTO replicas VALUES (?, 2, 'replica-pi', '2026-01-01T00:01:00.000Z', NULL, NULL, NULL)").run(wrong);
      conn.prepare("INSERT INTO sync_events (run_id, record_id, type, domain, target, site_id, status, timestamp) VALUES (1, ?, 'A_RECORD', 'pi.home', '10.0.0.7', 2, 'CREATED', '2026-01-01T00:01:00.000Z')").run(wrong);
    });
    const found = await checkFinds(db, 'record-id');
    const finding = found.findings.find((f) => f.check === 'record-id')!;
    assert.match(finding.problem, /id is not the SHA-256 of "A_RECORD:pi\.home:10\.0\.0\.7"/);
    assert.deepEqual(finding.keys, [wrong]);
    assert.match(finding.action, new RegExp(`would re-key it to ${pi.id.slice(0, 12)}`));

    await repairFixes(db, 'record-id', 0, ['controllers', 'sites', 'runs', 'sync_lock', 'schema_migrations']);
    assert.deepEqual(query(db, 'SELECT id FROM dns_records WHERE domain = ?', 'pi.home'), [{ id: pi.id }]);
    for (const table of ['record_origins', 'replicas', 'sync_events']) {
      assert.equal(query(db, `SELECT count(*) AS n FROM ${table} WHERE record_id = ?`, wrong)[0]!.n, 0, `${table} follow the record`);
      assert.equal(query(db, `SELECT count(*) AS n FROM ${table} WHERE record_id = ?`, pi.id)[0]!.n, 1);
    }
    await clean(db);
  });

  it('merges into the existing record when the right id is taken: earliest first_seen, origins united, events re-pointed', async () => {
    const db = fresh();
    const wrong = 'e'.repeat(64);
    plant(db, (conn) => {
      conn.prepare("INSERT INTO dns_records VALUES (?, ?, ?, ?, ?, '2025-06-01T00:00:00.000Z', NULL, NULL)").run(wrong, NAS.type, NAS.domain, NAS.target, NAS.raw);
      // Seen natively at site 1 earlier than the right record's origin there.
      conn.prepare("INSERT INTO record_origins VALUES (?, 1, '2025-06-01T00:00:00.000Z', 'native-old', '{\"enabled\":true}')").run(wrong);
      conn.prepare("INSERT INTO sync_events (run_id, record_id, type, domain, target, site_id, status, timestamp) VALUES (1, ?, 'A_RECORD', 'nas.home', '10.0.0.5', 1, 'DISCOVERED', '2025-06-01T00:00:00.000Z')").run(wrong);
    });
    await checkFinds(db, 'record-id');
    const { report } = await repairFixes(db, 'record-id', 0, ['controllers', 'sites', 'runs', 'sync_lock', 'schema_migrations']);
    assert.match(report.findings.find((f) => f.check === 'record-id')!.action, new RegExp(`merged into ${NAS.id.slice(0, 12)}`));
    assert.deepEqual(query(db, 'SELECT id, first_seen FROM dns_records WHERE domain = ?', 'nas.home'), [{ id: NAS.id, first_seen: '2025-06-01T00:00:00.000Z' }]);
    assert.deepEqual(query(db, 'SELECT site_id, first_seen, policy_id FROM record_origins WHERE record_id = ?', NAS.id), [
      { site_id: 1, first_seen: '2025-06-01T00:00:00.000Z', policy_id: 'native-nas.home-1' },
    ]);
    assert.deepEqual(query(db, 'SELECT site_id, policy_id FROM replicas WHERE record_id = ?', NAS.id), [{ site_id: 2, policy_id: 'replica-nas.home-2' }]);
    assert.equal(query(db, 'SELECT count(*) AS n FROM sync_events WHERE record_id = ?', NAS.id)[0]!.n, 3);
    assert.equal(query(db, 'SELECT count(*) AS n FROM dns_records WHERE id = ?', wrong)[0]!.n, 0);
    await clean(db);
  });
});

describe('dnssync repair: legacy targets', () => {
  it('recomputes targets and ids from record_raw (NULL, empty or "None" targets; legacy API bodies)', async () => {
    const db = fresh();
    const legacyId = recordId('CNAME_RECORD', 'legacy.home', 'None');
    const legacyRaw = JSON.stringify({ id: '65f1c0de', type: 'CNAME_RECORD', domain: 'legacy.home', targetDomain: 'NAS.home.', enabled: true, metadata: { origin: 'USER_DEFINED' } });
    const mxId = recordId('MX_RECORD', 'mail.home', '');
    plant(db, (conn) => {
      conn.prepare("INSERT INTO dns_records VALUES (?, 'CNAME_RECORD', 'legacy.home', 'None', ?, '2024-01-01T00:00:00.000Z', NULL, NULL)").run(legacyId, legacyRaw);
      conn.prepare("INSERT INTO record_origins VALUES (?, 1, '2024-01-01T00:00:00.000Z', NULL, '{\"enabled\":true}')").run(legacyId);
      conn.prepare("INSERT INTO replicas VALUES (?, 2, NULL, '2024-01-01T00:00:00.000Z', NULL, NULL, NULL)").run(legacyId);
      conn.prepare("INSERT INTO sync_events (run_id, record_id, type, domain, target, site_id, status, timestamp) VALUES (NULL, ?, 'CNAME_RECORD', 'legacy.home', 'None', 1, 'DISCOVERED', '2024-01-01T00:00:00.000Z')").run(legacyId);
      conn.prepare("INSERT INTO dns_records VALUES (?, 'MX_RECORD', 'mail.home', '', ?, '2024-01-01T00:00:00.000Z', NULL, NULL)").run(
        mxId,
        JSON.stringify({ type: 'MX_RECORD', domain: 'mail.home', mailServerDomain: 'mx.home.', priority: 10 }),
      );
    });
    const found = await checkFinds(db, 'legacy-target');
    const legacy = found.findings.filter((f) => f.check === 'legacy-target');
    assert.equal(legacy.length, 2);
    assert.ok(legacy.some((f) => /target is 'None' \(written by the legacy tool\).*record_raw holds more than the identity \(id, enabled, metadata\)/.test(f.problem)));
    assert.ok(legacy.some((f) => /target is '' /.test(f.problem)));

    const { before } = await repairFixes(db, 'legacy-target', 0, ['controllers', 'sites', 'runs', 'sync_lock', 'schema_migrations']);
    const cname = rec('CNAME_RECORD', 'legacy.home', 'nas.home', { targetDomain: 'nas.home' });
    const mx = rec('MX_RECORD', 'mail.home', '10 mx.home', { mailServerDomain: 'mx.home', priority: 10 });
    assert.deepEqual(query(db, "SELECT id, target, record_raw, first_seen FROM dns_records WHERE domain IN ('legacy.home', 'mail.home') ORDER BY domain"), [
      { id: cname.id, target: 'nas.home', record_raw: cname.raw, first_seen: '2024-01-01T00:00:00.000Z' },
      { id: mx.id, target: '10 mx.home', record_raw: mx.raw, first_seen: '2024-01-01T00:00:00.000Z' },
    ]);
    assert.deepEqual(query(db, 'SELECT site_id FROM record_origins WHERE record_id = ?', cname.id), [{ site_id: 1 }]);
    assert.deepEqual(query(db, 'SELECT site_id FROM replicas WHERE record_id = ?', cname.id), [{ site_id: 2 }]);
    assert.deepEqual(query(db, 'SELECT record_id, target FROM sync_events WHERE domain = ?', 'legacy.home'), [{ record_id: cname.id, target: 'nas.home' }]);
    // Everything else is as it was.
    const after = dump(db);
    for (const r of rows<{ id: string }>(before, 'dns_records').filter((r) => ![legacyId, mxId].includes(r.id))) {
      assert.ok(after.dns_records!.includes(JSON.stringify(r)), `record ${r.id} untouched`);
    }
    await clean(db);
  });

  it('reports a legacy target it cannot tell, leaves it as it is, and exits 1', async () => {
    const db = fresh();
    const id = recordId('CNAME_RECORD', 'mystery.home', 'None');
    plant(db, (conn) =>
      conn.prepare("INSERT INTO dns_records VALUES (?, 'CNAME_RECORD', 'mystery.home', 'None', ?, '2024-01-01T00:00:00.000Z', NULL, NULL)").run(id, '{"type":"CNAME_RECORD","domain":"mystery.home"}'),
    );
    await checkFinds(db, 'legacy-target');
    const before = dump(db);
    const result = await repair(db);
    assert.equal(result.code, 1);
    const finding = result.report.findings.find((f) => f.check === 'legacy-target')!;
    assert.equal(finding.outcome, 'not-fixed');
    assert.equal(finding.fixed, false);
    assert.match(finding.action, /cannot be fixed: its identity cannot be told \(record_raw has no targetDomain, and target is 'None'\)/);
    assert.equal(result.report.remaining, 1);
    assert.equal(result.report.backup, null, 'nothing to change, so no backup');
    assert.deepEqual(dump(db), before);
  });
});

describe('dnssync repair: duplicates that differ only by case or trailing dot', () => {
  it('merges them into one canonical record, keeping the earliest first_seen and every origin, replica and event', async () => {
    const db = fresh();
    const upper = rec('A_RECORD', 'NAS.Home.', '10.0.0.5', { ipv4Address: '10.0.0.5' });
    const dotted = rec('A_RECORD', 'nas.home.', '10.0.0.5', { ipv4Address: '10.0.0.5' });
    plant(db, (conn) => {
      const insert = conn.prepare('INSERT INTO dns_records VALUES (?, ?, ?, ?, ?, ?, NULL, NULL)');
      insert.run(upper.id, upper.type, upper.domain, upper.target, upper.raw, '2025-01-01T00:00:00.000Z');
      insert.run(dotted.id, dotted.type, dotted.domain, dotted.target, dotted.raw, '2025-03-01T00:00:00.000Z');
      conn.prepare("INSERT INTO record_origins VALUES (?, 2, '2025-01-01T00:00:00.000Z', 'native-upper', '{\"enabled\":false}')").run(upper.id);
      // A replica at the same site as the canonical record's, not confirmed (as a legacy import leaves it): one row can hold both.
      conn.prepare("INSERT INTO replicas VALUES (?, 2, NULL, '2024-01-01T00:01:00.000Z', NULL, NULL, NULL)").run(dotted.id);
      // And one at a site the canonical record has none at.
      conn.prepare("INSERT INTO replicas VALUES (?, 1, NULL, '2024-01-01T00:01:00.000Z', NULL, NULL, NULL)").run(upper.id);
      conn.prepare("INSERT INTO sync_events (run_id, record_id, type, domain, target, site_id, status, timestamp) VALUES (1, ?, 'A_RECORD', 'NAS.Home.', '10.0.0.5', 2, 'DISCOVERED', '2025-01-01T00:00:00.000Z')").run(upper.id);
    });
    const found = await checkFinds(db, 'duplicate');
    const finding = found.findings.find((f) => f.check === 'duplicate')!;
    assert.match(finding.problem, /3 records are one identity, differing only in form/);
    assert.deepEqual([...(finding.keys as string[])].sort(), [NAS.id, upper.id, dotted.id].sort());

    await repairFixes(db, 'duplicate', 0, ['controllers', 'sites', 'runs', 'sync_lock', 'schema_migrations']);
    assert.deepEqual(query(db, "SELECT id, domain, first_seen FROM dns_records WHERE lower(domain) LIKE 'nas.home%'"), [
      { id: NAS.id, domain: 'nas.home', first_seen: '2025-01-01T00:00:00.000Z' },
    ]);
    assert.deepEqual(query(db, 'SELECT site_id, policy_id FROM record_origins WHERE record_id = ? ORDER BY site_id', NAS.id), [
      { site_id: 1, policy_id: 'native-nas.home-1' },
      { site_id: 2, policy_id: 'native-upper' },
    ]);
    assert.deepEqual(query(db, 'SELECT site_id, policy_id, created_at FROM replicas WHERE record_id = ? ORDER BY site_id', NAS.id), [
      { site_id: 1, policy_id: null, created_at: '2024-01-01T00:01:00.000Z' },
      { site_id: 2, policy_id: 'replica-nas.home-2', created_at: '2024-01-01T00:01:00.000Z' },
    ]);
    assert.deepEqual(query(db, "SELECT DISTINCT record_id, domain FROM sync_events WHERE lower(domain) LIKE 'nas.home%'"), [{ record_id: NAS.id, domain: 'nas.home' }]);
    assert.deepEqual(query(db, 'SELECT * FROM dns_records WHERE id IN (?, ?)', WWW.id, V6.id).length, 2);
    await clean(db);
  });

  it('leaves a pair it cannot merge safely (two different policies at one site), and exits 1', async () => {
    const db = fresh();
    const upper = rec('A_RECORD', 'NAS.HOME', '10.0.0.5', { ipv4Address: '10.0.0.5' });
    plant(db, (conn) => {
      conn.prepare("INSERT INTO dns_records VALUES (?, ?, ?, ?, ?, '2025-01-01T00:00:00.000Z', NULL, NULL)").run(upper.id, upper.type, upper.domain, upper.target, upper.raw);
      conn.prepare("INSERT INTO replicas VALUES (?, 2, 'another-policy', '2025-01-01T00:00:00.000Z', NULL, NULL, NULL)").run(upper.id);
    });
    await checkFinds(db, 'duplicate');
    const before = dump(db);
    const result = await repair(db);
    assert.equal(result.code, 1);
    const finding = result.report.findings.find((f) => f.check === 'duplicate')!;
    assert.equal(finding.outcome, 'not-fixed');
    assert.match(finding.action, /at site 2 both records have a replica that may be a policy at the controller \(policy replica-nas\.home-2 and policy another-policy\)/);
    assert.ok(result.report.backup, 'a fix was attempted, so the backup was written first');
    assert.deepEqual(dump(db), before, 'the merge was rolled back whole');
  });
});

describe('dnssync repair: intents left by a crash', () => {
  it('clears the intents it can prove harmless and leaves create and delete intents to the next sync', async () => {
    const db = fresh();
    const lonely = rec('A_RECORD', 'new.home', '10.0.0.8', { ipv4Address: '10.0.0.8' });
    plant(db, (conn) => {
      conn.exec("INSERT INTO runs (id, started_at, mode, host, pid, user, version, policy) VALUES (2, '2026-01-02T00:00:00.000Z', 'sync', 'box', 200, 'ops', '0.1.0', 'sync')");
      conn.prepare("INSERT INTO dns_records VALUES (?, ?, ?, ?, ?, '2026-01-02T00:00:00.000Z', NULL, NULL)").run(lonely.id, lonely.type, lonely.domain, lonely.target, lonely.raw);
      // A create that may have reached the controller, an update and a delete of confirmed replicas, an update without policy id.
      conn.prepare("INSERT INTO replicas VALUES (?, 2, NULL, '2026-01-02T00:00:00.000Z', 'create', 2, ?)").run(lonely.id, JSON.stringify({ ...JSON.parse(lonely.raw), enabled: true }));
      conn.prepare("UPDATE replicas SET pending = 'update', pending_run_id = 2, pending_body = '{\"enabled\":false}' WHERE record_id = ?").run(NAS.id);
      conn.prepare("UPDATE replicas SET pending = 'delete', pending_run_id = 2 WHERE record_id = ?").run(WWW.id);
      conn.prepare("UPDATE replicas SET policy_id = NULL, pending = 'update', pending_run_id = 2, pending_body = '{}' WHERE record_id = ?").run(V6.id);
    });
    const found = await checkFinds(db, 'crash-intent');
    const intents = found.findings.filter((f) => f.check === 'crash-intent');
    assert.equal(intents.length, 4);
    assert.ok(intents.some((f) => /1 create intent\(s\) left by a crash/.test(f.problem) && /would leave it for the next sync: the next sync adopts the policy by identity/.test(f.action)));

    const { report, before } = await repairFixes(db, 'crash-intent', 0, ['controllers', 'sites', 'dns_records', 'record_origins', 'runs', 'sync_events', 'sync_lock']);
    const outcomes = report.findings.filter((f) => f.check === 'crash-intent').map((f) => `${f.outcome}: ${f.problem}`).sort();
    assert.deepEqual(outcomes, [
      'fixed: 1 update intent(s) left by a crash',
      'fixed: 1 update or delete intent(s) on replicas without a policy id',
      'left-for-sync: 1 create intent(s) left by a crash: the create may or may not have reached the controller',
      'left-for-sync: 1 delete intent(s) left by a crash: the delete may or may not have reached the controller',
    ]);
    assert.equal(report.remaining, 0);
    const pending = query<{ record_id: string; policy_id: string | null; pending: string | null }>(db, 'SELECT record_id, policy_id, pending FROM replicas ORDER BY record_id');
    const byId = new Map(pending.map((p) => [p.record_id, p]));
    assert.deepEqual(byId.get(lonely.id), { record_id: lonely.id, policy_id: null, pending: 'create' }, 'the create intent is never deleted');
    assert.deepEqual(byId.get(WWW.id), { record_id: WWW.id, policy_id: 'replica-www.home-1', pending: 'delete' });
    assert.deepEqual(byId.get(NAS.id), { record_id: NAS.id, policy_id: 'replica-nas.home-2', pending: null });
    assert.deepEqual(byId.get(V6.id), { record_id: V6.id, policy_id: null, pending: null });
    assert.deepEqual(dump(db).sync_events, before.sync_events);

    // The intents left for the next sync are still reported, and still a problem for --check.
    const again = await repair(db, '--check');
    assert.equal(again.code, 1);
    assert.deepEqual(again.report.findings.map((f) => f.check), ['crash-intent', 'crash-intent']);
    const fixAgain = await repair(db);
    assert.equal(fixAgain.code, 0, 'left safely to the next sync: repair itself succeeds');
    assert.equal(fixAgain.report.backup, null, 'nothing to change, so no backup');
  });
});

describe('dnssync repair: output', () => {
  it('prints a table of findings (check, problem, where, action) and one closing line; --json prints one document', async () => {
    const db = fresh();
    plant(db, (conn) => conn.exec("INSERT INTO sync_lock VALUES (1, 1, 'pod-gone', 1, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')"));
    const check = await runCli(['repair', '--check', '--db', db]);
    assert.equal(check.code, 1);
    assert.match(check.stdout, /│ check\s+│ problem\s+│ where\s+│ action\s+│/);
    assert.match(check.stdout, /stale-lock/);
    assert.match(check.stdout, /: 1 problem\(s\) found; 'dnssync repair' fixes what can be fixed, after writing a backup\n$/);
    assert.doesNotMatch(check.stdout, /\x1b\[/);

    const fix = await runCli(['repair', '--db', db]);
    assert.equal(fix.code, 0, fix.stderr);
    assert.match(fix.stdout, /fixed: deleted the lock row/);
    assert.match(fix.stdout, /backup written first: .*\.backup-\d{8}T\d{6}Z\n/);
    assert.match(fix.stdout, /: 1 problem\(s\): 1 fixed, 0 left for the next sync, 0 remaining\n$/);

    plant(db, (conn) => conn.exec("INSERT INTO sync_lock VALUES (1, 1, 'pod-gone', 1, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')"));
    const json = await runCli(['repair', '--json', '--db', db]);
    const report = JSON.parse(json.stdout);
    assert.deepEqual(Object.keys(report), ['formatVersion', 'database', 'mode', 'state', 'schemaVersion', 'latestVersion', 'pendingMigrations', 'backup', 'recovered', 'findings', 'remaining']);
    assert.deepEqual(Object.keys(report.findings[0]).slice(0, 5), ['check', 'problem', 'where', 'action', 'fixed']);
    assert.equal(report.findings[0].fixed, true);
    assert.equal(report.database, db);
    assert.equal(report.remaining, 0);
    assert.deepEqual(query(report.backup, 'SELECT count(*) AS n FROM sync_lock'), [{ n: 1 }], 'the backup holds the lock row as it was');
  });
});
