import assert from 'node:assert/strict';
import { closeSync, copyFileSync, existsSync, openSync, readdirSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { before, describe, it } from 'node:test';
import { openStore } from '../../src/store/database.ts';
import { recordId } from '../../src/domain/record.ts';
import { runCli } from '../support/cli.ts';
import { tempDir } from '../support/tmp.ts';
import { baseline, dump, query, repair, rows, sha, type ReportJson } from './helpers.ts';

const dir = tempDir('dnssync-corrupt-');
const RECORDS = 1500;

/** A database of a few thousand rows over many pages: records, an origin and a replica each, two events each. */
function bigDatabase(name: string): string {
  const path = baseline(dir, name);
  const store = openStore(path, { create: false });
  const db = store.db;
  db.exec('BEGIN');
  const record = db.prepare("INSERT INTO dns_records (id, type, domain, target, record_raw, first_seen) VALUES (?, 'A_RECORD', ?, ?, ?, ?)");
  const origin = db.prepare("INSERT INTO record_origins VALUES (?, 1, ?, ?, '{\"enabled\":true}')");
  const replica = db.prepare('INSERT INTO replicas (record_id, site_id, policy_id, created_at) VALUES (?, 2, ?, ?)');
  const event = db.prepare("INSERT INTO sync_events (run_id, record_id, type, domain, target, site_id, status, timestamp) VALUES (1, ?, 'A_RECORD', ?, ?, ?, ?, ?)");
  for (let i = 0; i < RECORDS; i++) {
    const domain = `host-${i}.lan`;
    const ip = `10.1.${i >> 8}.${i & 255}`;
    const id = recordId('A_RECORD', domain, ip);
    const seen = new Date(Date.UTC(2026, 0, 2) + i * 1000).toISOString();
    const created = new Date(Date.UTC(2026, 0, 2) + i * 1000 + 500).toISOString();
    record.run(id, domain, ip, JSON.stringify({ type: 'A_RECORD', domain, ipv4Address: ip }), seen);
    origin.run(id, seen, `native-${i}`);
    replica.run(id, `replica-${i}`, created);
    event.run(id, domain, ip, 1, 'DISCOVERED', seen);
    event.run(id, domain, ip, 2, 'CREATED', created);
  }
  db.exec('COMMIT');
  store.close(); // the last connection checkpoints: every row is in the main file
  return path;
}

/** Overwrites whole b-tree pages with zeros: SQLite can no longer read the rows they held. */
function zeroPages(path: string, pages: number[]): void {
  const fd = openSync(path, 'r+');
  try {
    for (const page of pages) writeSync(fd, Buffer.alloc(4096), 0, 4096, (page - 1) * 4096);
  } finally {
    closeSync(fd);
  }
}

function leafPages(path: string, table: string): number[] {
  return query<{ pageno: number }>(path, "SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno", table).map((p) => p.pageno);
}

function integrityFails(path: string): boolean {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return (db.prepare('PRAGMA integrity_check').get() as { integrity_check: string }).integrity_check !== 'ok';
  } catch {
    return true;
  } finally {
    db.close();
  }
}

/** 1-3, 7 → [1, 2, 3, 7]. */
function parseRanges(text: string): number[] {
  return text
    .replace(/^rowid /, '')
    .split(', ')
    .flatMap((part) => {
      const [a, b] = part.split('–').map(Number);
      return b === undefined ? [a!] : Array.from({ length: b - a! + 1 }, (_, i) => a! + i);
    });
}

describe('dnssync repair: a database SQLite reports as corrupt', () => {
  let db: string;
  let pristine: string;
  let damagedSha: string;

  before(() => {
    db = bigDatabase('damaged');
    pristine = join(dir, 'pristine.db');
    copyFileSync(db, pristine);
    const events = leafPages(db, 'sync_events');
    const replicas = leafPages(db, 'replicas');
    assert.ok(events.length > 20 && replicas.length > 10, `many pages (${events.length} event leaves, ${replicas.length} replica leaves)`);
    zeroPages(db, [events[Math.floor(events.length / 2)]!, replicas[3]!]);
    assert.ok(integrityFails(db), 'the damage is real: integrity_check fails');
    damagedSha = sha(db);
  });

  it('--check reports it (exit 1) and writes nothing', async () => {
    const before = new Set(readdirSync(dir));
    const result = await repair(db, '--check');
    assert.equal(result.code, 1, result.stderr);
    assert.equal(result.report.state, 'corrupt');
    assert.equal(result.report.findings[0]!.check, 'integrity');
    assert.match(result.report.findings[0]!.problem, /SQLite cannot read all of it: database disk image is malformed/);
    assert.equal(result.report.recovered, null);
    assert.equal(sha(db), damagedSha);
    assert.deepEqual(
      readdirSync(dir).filter((f) => !before.has(f) && !/-(wal|shm)$/.test(f)),
      [],
    );
  });

  it('repair copies every readable row into a new file, says exactly what was lost, and leaves the original as it was', async () => {
    const result = await repair(db);
    assert.equal(result.code, 1, 'the database at --db is still the damaged one');
    const report: ReportJson = result.report;
    assert.equal(sha(db), damagedSha, 'the original is byte for byte as it was');
    const recovered = report.recovered!;
    assert.match(recovered.path!, new RegExp(`^${db.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.recovered-\\d{8}T\\d{6}Z$`));
    assert.equal(statSync(recovered.path!).mode & 0o777, 0o600);
    assert.match(report.findings[0]!.action, /copied \d+ row\(s\) into .*\.recovered-.*, \d+ row\(s\) lost \(see below\); this file is left as it is/);
    assert.ok(recovered.instructions.some((l) => l.includes(`mv ${db} ${db}.corrupt-`)));

    const original = dump(pristine);
    const copy = dump(recovered.path!);
    const byTable = new Map(recovered.tables.map((t) => [t.table, t]));
    let lostTotal = 0;
    for (const table of ['controllers', 'sites', 'dns_records', 'record_origins', 'runs', 'sync_events']) {
      const had = new Set(original[table]);
      const kept = copy[table]!;
      for (const row of kept) assert.ok(had.has(row), `${table}: a recovered row is exactly an original row: ${row}`);
      const t = byTable.get(table)!;
      assert.equal(t.copied, kept.length, `${table}: rows copied`);
      assert.equal(t.lost, had.size - kept.length, `${table}: rows lost, exactly`);
      lostTotal += t.lost!;
    }
    // The damaged events page: a run of rowids, named exactly.
    const events = byTable.get('sync_events')!;
    assert.ok(events.lost! > 0 && events.lost! < 100, `one page of events lost (${events.lost})`);
    const keptIds = new Set(rows<{ id: number }>(copy, 'sync_events').map((e) => e.id));
    const missing = rows<{ id: number }>(original, 'sync_events')
      .map((e) => e.id)
      .filter((id) => !keptIds.has(id))
      .sort((a, b) => a - b);
    assert.deepEqual(parseRanges(events.lostRows), missing);
    assert.equal(missing.at(-1)! - missing[0]! + 1, missing.length, 'the lost events are one contiguous run of rowids');

    // The damaged replicas page: the rows are named, and rebuilt from their CREATED events without policy id.
    const replicas = byTable.get('replicas')!;
    const originalReplicas = rows<{ record_id: string; site_id: number; policy_id: string; created_at: string }>(original, 'replicas');
    const copiedReplicas = rows<{ record_id: string; site_id: number; policy_id: string | null; created_at: string }>(copy, 'replicas');
    const confirmed = copiedReplicas.filter((r) => r.policy_id !== null);
    assert.ok(replicas.lost! > 0);
    assert.equal(replicas.copied, confirmed.length);
    assert.equal(replicas.lost, originalReplicas.length - confirmed.length);
    lostTotal += replicas.lost!;
    // A lost replica comes back when its CREATED event survived (it may have been on the lost events page too).
    const copiedKeys = new Set(confirmed.map((r) => `${r.record_id}/${r.site_id}`));
    const createdKept = new Set(
      rows<{ record_id: string; site_id: number; status: string }>(copy, 'sync_events')
        .filter((e) => e.status === 'CREATED')
        .map((e) => `${e.record_id}/${e.site_id}`),
    );
    const lostKeys = originalReplicas.map((r) => `${r.record_id}/${r.site_id}`).filter((k) => !copiedKeys.has(k));
    const rebuildable = lostKeys.filter((k) => createdKept.has(k));
    const gone = lostKeys.length - rebuildable.length;
    assert.ok(rebuildable.length > 0);
    assert.equal(
      replicas.note,
      `${rebuildable.length} lost replica(s) rebuilt from their CREATED events, without policy id (the next sync learns it by identity)` +
        (gone ? `; ${gone} lost replica(s) had no CREATED event left: the next sync will take their policies for native ones` : ''),
    );
    const rebuilt = copiedReplicas.filter((c) => c.policy_id === null);
    assert.deepEqual(rebuilt.map((r) => `${r.record_id}/${r.site_id}`).sort(), [...rebuildable].sort());
    const originalByKey = new Map(originalReplicas.map((r) => [`${r.record_id}/${r.site_id}`, r]));
    for (const r of rebuilt) {
      assert.equal(r.created_at, originalByKey.get(`${r.record_id}/${r.site_id}`)!.created_at, 'rebuilt with the time of its CREATED event');
    }
    assert.equal(recovered.lost, lostTotal);
    assert.equal(recovered.copied, [...byTable.values()].reduce((n, t) => n + t.copied, 0));
    assert.equal(byTable.get('sync_lock')!.note, 'not copied: a lock belongs to the damaged file');

    // The recovered file is a sound dnssync database that every command accepts.
    assert.equal(integrityFails(recovered.path!), false);
    const check = await repair(recovered.path!, '--check');
    assert.equal(check.code, 0, JSON.stringify(check.report.findings, null, 2));
    assert.equal((await runCli(['migrate', '--db', recovered.path!])).code, 0);
    assert.deepEqual(query(recovered.path!, "SELECT seq FROM sqlite_sequence WHERE name = 'sync_events'"), [{ seq: 2 * RECORDS + 6 }], 'event ids are never handed out again');
  });

  it('prints the recovery per table and how to swap the file in', async () => {
    const result = await runCli(['repair', '--db', db]);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /recovered into .*\.recovered-\d{8}T\d{6}Z(-2)?:/);
    assert.match(result.stdout, /│ table\s+│ rows copied │ rows lost │ which rows \/ note/);
    assert.match(result.stdout, /│ sync_events\s+│ \d+\s+│ \d+\s+│ rowid \d+–\d+/);
    assert.match(result.stdout, /to use the recovered file: stop every dnssync sync \(cron, CronJob\), then\n  mv /);
    assert.match(result.stdout, /: damaged; recovered \d+ row\(s\) into .* \(\d+ row\(s\) lost\); the original is left as it is\n$/);
    assert.equal(sha(db), damagedSha);
  });
});

describe('dnssync repair: damage to a table and to every index of it', () => {
  it('bounds the loss by rowid range when no index can tell it exactly', async () => {
    const path = bigDatabase('no-index');
    const pristine = dump(path);
    const indexes = query<{ name: string }>(path, "SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'sync_events'").map((i) => i.name);
    const indexPages = indexes.flatMap((name) => leafPages(path, name));
    const events = leafPages(path, 'sync_events');
    zeroPages(path, [events[Math.floor(events.length / 3)]!, ...indexPages]);

    const result = await repair(path);
    assert.equal(result.code, 1);
    const t = result.report.recovered!.tables.find((x) => x.table === 'sync_events')!;
    assert.equal(t.lost, null, 'not known exactly');
    assert.equal(result.report.recovered!.lost, null);
    const [from, to] = t.lostRows.replace(/^rowid /, '').split('–').map(Number);
    assert.equal(t.lostAtMost, to! - from! + 1, t.lostRows);
    const kept = new Set(rows<{ id: number }>(dump(result.report.recovered!.path!), 'sync_events').map((e) => e.id));
    const missing = rows<{ id: number }>(pristine, 'sync_events')
      .map((e) => e.id)
      .filter((id) => !kept.has(id));
    assert.ok(missing.length > 0);
    assert.ok(missing.every((id) => id >= from! && id <= to!), `every lost row is within ${t.lostRows}`);
    assert.equal(missing.length, t.lostAtMost, 'event ids are dense, so the bound is the loss');
    assert.equal(t.copied + missing.length, pristine.sync_events!.length);
  });
});

describe('dnssync repair: a file that is not a SQLite database', () => {
  it('says that nothing could be recovered (exit 1), and leaves the file as it is', async () => {
    const path = join(dir, 'notes.db');
    writeFileSync(path, 'these are notes, not a database\n'.repeat(64)); // 2048 bytes: a multiple of 512
    const before = new Set(readdirSync(dir));
    const content = sha(path);
    const check = await repair(path, '--check');
    assert.equal(check.code, 1);
    assert.equal(check.report.state, 'not-sqlite');
    assert.match(check.report.findings[0]!.problem, /not a SQLite database \(it begins with "these are notes,"\)/);

    const result = await repair(path);
    assert.equal(result.code, 1);
    assert.equal(result.report.recovered, null);
    assert.match(result.report.findings[0]!.action, /nothing could be recovered: it is not a SQLite database; this file is left as it is/);
    assert.equal(sha(path), content);
    assert.deepEqual(
      readdirSync(dir).filter((f) => !before.has(f)),
      [],
      'no file written',
    );
    const text = await runCli(['repair', '--db', path]);
    assert.match(text.stdout, /not a SQLite database; nothing could be recovered; the file is left as it is\n$/);
  });

  it('reads a database whose header string was overwritten, in a copy with the header restored', async () => {
    const path = bigDatabase('header');
    const original = dump(path);
    const fd = openSync(path, 'r+');
    writeSync(fd, Buffer.from('garbage garbage!'), 0, 16, 0);
    closeSync(fd);
    const damaged = sha(path);

    const result = await repair(path);
    assert.equal(result.code, 1);
    assert.equal(result.report.state, 'not-sqlite');
    const recovered = result.report.recovered!;
    assert.equal(recovered.lost, 0);
    assert.match(result.report.findings[0]!.action, /no row lost/);
    assert.match(recovered.instructions[0]!, /first 16 bytes \(the SQLite header\) were damaged/);
    const copy = dump(recovered.path!);
    for (const table of ['controllers', 'sites', 'dns_records', 'record_origins', 'replicas', 'runs', 'sync_events']) {
      assert.deepEqual(copy[table], original[table], `${table} recovered whole`);
    }
    assert.equal(sha(path), damaged);
    assert.ok(!readdirSync(dir).some((f) => f.includes('repair-source')), 'the patched copy used for reading is removed');
    assert.ok(!existsSync(`${path}.backup`));
  });
});
