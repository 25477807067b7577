import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, it } from 'node:test';
import { DatabaseError } from '../../src/domain/errors.ts';
import { openStore } from '../../src/store/database.ts';
import { knownMigrations, latestVersion } from '../../src/store/migrations.ts';
import { tempDir } from '../support/tmp.ts';

const dir = tempDir();
let n = 0;
const freshPath = () => join(dir, `db-${++n}.db`);

function schemaOf(db: DatabaseSync): string[] {
  const rows = db
    .prepare("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY type, name")
    .all() as { type: string; name: string; sql: string }[];
  return rows.map((r) => `${r.type} ${r.name}: ${normalize(r.sql)}`);
}

function normalize(sql: string): string {
  return sql.replace(/--[^\n]*/g, '').replace(/\s+/g, ' ').replace(/ ,/g, ',').replace(/\( /g, '(').replace(/ \)/g, ')').trim();
}

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('openStore', () => {
  it('creates a 0600 WAL database with foreign keys and every migration applied with its checksum', () => {
    const path = freshPath();
    const store = openStore(path, { create: true });
    try {
      assert.equal(statSync(path).mode & 0o777, 0o600);
      assert.equal((store.db.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode, 'wal');
      assert.equal((store.db.prepare('PRAGMA foreign_keys').get() as { foreign_keys: number }).foreign_keys, 1);
      assert.equal((store.db.prepare('PRAGMA busy_timeout').get() as { timeout: number }).timeout, 5000);
      const rows = store.db.prepare('SELECT version, checksum FROM schema_migrations ORDER BY version').all();
      assert.deepEqual(
        rows.map((r) => ({ ...r })),
        knownMigrations().map((m) => ({ version: m.version, checksum: m.checksum })),
      );
      assert.equal(store.applied.length, knownMigrations().length);
    } finally {
      store.close();
    }
  });

  it('applies nothing the second time', () => {
    const path = freshPath();
    openStore(path, { create: true }).close();
    const again = openStore(path, { create: true });
    assert.deepEqual(again.applied, []);
    again.close();
  });

  it('builds by migrations exactly the schema that schema.sql describes', () => {
    const migrated = openStore(freshPath(), { create: true });
    const reference = new DatabaseSync(':memory:');
    reference.exec(readFileSync(new URL('../../schema.sql', import.meta.url), 'utf8'));
    try {
      assert.deepEqual(schemaOf(migrated.db), schemaOf(reference));
    } finally {
      migrated.close();
      reference.close();
    }
  });

  it('gives the runs before migration 9 the range of their event ids, so that `history --run` finds them without an index by run', () => {
    const db = new DatabaseSync(':memory:');
    for (const m of knownMigrations().filter((m) => m.version < 9)) db.exec(m.sql);
    const run = db.prepare("INSERT INTO runs (id, started_at, finished_at, mode, host, pid, user, version, policy) VALUES (?, '2026-01-01', ?, 'sync', 'h', 1, 'u', '1', 'sync')");
    const event = db.prepare("INSERT INTO sync_events (run_id, record_id, type, domain, target, status, timestamp) VALUES (?, 'r', 'A_RECORD', 'a.lan', '10.0.0.1', 'CREATED', '2026-01-01')");
    run.run(1, '2026-01-01'); // finished, no events
    run.run(2, '2026-01-02'); // finished: events 1, 2 and 4 (a legacy event between)
    run.run(3, null); // killed: events 5 and 6
    for (const runId of [2, 2, null, 2, 3, 3]) event.run(runId);
    db.exec(knownMigrations().find((m) => m.version === 9)!.sql);
    assert.deepEqual(
      db.prepare('SELECT id, events_after AS after, events_through AS through FROM runs ORDER BY id').all().map((r) => ({ ...r })),
      [
        { id: 1, after: 0, through: 0 },
        { id: 2, after: 0, through: 4 },
        { id: 3, after: 4, through: null },
      ],
    );
    assert.equal(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'sync_events_run'").get()!.n, 0);
    db.close();
  });

  it('refuses a database whose schema is newer than this program', () => {
    const path = freshPath();
    const store = openStore(path, { create: true });
    store.db.prepare("INSERT INTO schema_migrations VALUES (?, 'from_the_future', 'x', '2030-01-01T00:00:00.000Z')").run(latestVersion() + 1);
    store.close();
    const before = sha(path);
    assert.throws(
      () => openStore(path, { create: true }),
      (e: unknown) => e instanceof DatabaseError && /newer than this dnssync/.test(e.message) && e.message.includes(path),
    );
    assert.equal(sha(path), before);
  });

  it('refuses a database whose applied migration differs from the file', () => {
    const path = freshPath();
    const store = openStore(path, { create: true });
    store.db.exec("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1");
    store.close();
    assert.throws(() => openStore(path, { create: true }), /different file/);
  });

  it('refuses a file that is not SQLite, naming it and suggesting repair, and leaves it as it was', () => {
    const path = freshPath();
    writeFileSync(path, 'controllers:\n  - url: https://10.0.0.1\n'.repeat(20));
    const before = sha(path);
    assert.throws(
      () => openStore(path, { create: true }),
      (e: unknown) => e instanceof DatabaseError && e.message.includes(path) && /not a SQLite database/.test(e.message) && /dnssync repair/.test(e.message),
    );
    assert.equal(sha(path), before);
  });

  it('reports a corrupt database as corrupt and suggests repair', () => {
    const path = freshPath();
    openStore(path, { create: true }).close();
    const bytes = readFileSync(path);
    bytes.fill(0xa5, 100, 4096); // page 1 after the header: the schema table's b-tree
    writeFileSync(path, bytes);
    assert.throws(
      () => openStore(path, { create: true }),
      (e: unknown) => e instanceof DatabaseError && /corrupt/.test(e.message) && /dnssync repair/.test(e.message),
    );
  });

  it('leaves a legacy database untouched', () => {
    const path = freshPath();
    const legacy = new DatabaseSync(path);
    legacy.exec(`CREATE TABLE dns_records (id TEXT PRIMARY KEY, type TEXT, domain TEXT, target TEXT, record_raw TEXT);
      CREATE TABLE sync_events (id INTEGER PRIMARY KEY AUTOINCREMENT, record_id TEXT, site_uuid TEXT, status TEXT, timestamp DATETIME);`);
    legacy.close();
    const before = sha(path);
    assert.throws(() => openStore(path, { create: true }), /legacy Python tool/);
    assert.equal(sha(path), before);
  });

  it('does not create a missing file when asked not to', () => {
    const path = freshPath();
    assert.throws(() => openStore(path, { create: false }), /no database at/);
    assert.throws(() => statSync(path));
  });

  it('names a missing directory', () => {
    assert.throws(() => openStore(join(dir, 'nope', 'x.db'), { create: true }), /directory .*nope does not exist/);
  });

  it('reports a database locked by another process', () => {
    const path = freshPath();
    openStore(path, { create: true }).close();
    const holder = new DatabaseSync(path);
    holder.exec('PRAGMA journal_mode = DELETE; BEGIN EXCLUSIVE');
    try {
      assert.throws(() => openStore(path, { create: true }), /locked by another process/);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
  });
});
