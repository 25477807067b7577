import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, it } from 'node:test';
import type { Scenario } from '../../fixtures/simulator/index.ts';
import { recordId } from '../../src/domain/record.ts';
import { runCli, type CliResult } from '../support/cli.ts';
import { syncEnv, writes } from '../support/sync-env.ts';
import { tempDir } from '../support/tmp.ts';
import { breakOverflowChain, copyDatabase, damageRoot, fingerprint, garbleMiddlePage, truncateMidPage } from '../store/damage.ts';

// Enough records that every table and index of the database spans several pages.
const scenario: Scenario = {
  controllers: [
    {
      name: 'a',
      sites: [
        { internalReference: 'default', generate: { count: 60, domainPattern: 'h{i}.one.lan' } },
        { internalReference: 'two', generate: { count: 60, domainPattern: 'h{i}.two.lan' } },
        { internalReference: 'three' },
      ],
    },
  ],
};

/** The one line a refused sync prints: the file, that it is damaged, and the way out. */
function assertRefused(result: CliResult, db: string, what: string): void {
  assert.equal(result.code, 1, `${what}: ${result.stderr}`);
  // The simulator speaks plain http, which the config warns about; the refusal is the one other line.
  const lines = result.stderr.trim().split('\n').filter((line) => !/^warn: .*plain http/.test(line));
  assert.equal(lines.length, 1, `${what}: one line, got ${result.stderr}`);
  assert.ok(lines[0]!.includes(`database ${db} is corrupt`), `${what}: ${lines[0]}`);
  assert.ok(lines[0]!.includes(`dnssync repair --db ${db}`), `${what}: ${lines[0]}`);
  assert.doesNotMatch(lines[0]!, /internal error/);
}

// A real dnssync database, made by a sync; each test damages a copy of it.
const env = await syncEnv(scenario);
const first = await env.sync();
assert.equal(first.code, 0, first.stderr);

describe('sync on a damaged database', () => {
  const dir = tempDir('dnssync-damaged-');
  let n = 0;
  const sync = (db: string, args: string[] = []) => runCli(['sync', ...args, '--config', env.configFile, '--db', db, '--log-format', 'text']);

  const damages: Array<[string, (path: string) => string]> = [
    ['garbage over a page in the middle of the file', garbleMiddlePage],
    ['the file cut off in the middle of a page', truncateMidPage],
    ['garbage over the root page of an index', (path) => damageRoot(path, 'sync_events_site_domain')],
    ['garbage over the root page of replicas', (path) => damageRoot(path, 'replicas')],
  ];
  for (const [name, damage] of damages) {
    it(`${name}: sync and sync --dry-run exit 1 in one line naming the file and dnssync repair; nothing written or sent`, async () => {
      const db = copyDatabase(env.db, join(dir, `damaged-${++n}.db`));
      const what = damage(db);
      const before = fingerprint(db);
      env.sim.clearRequests();

      assertRefused(await sync(db), db, what);
      assert.deepEqual(fingerprint(db), before, `${what}: byte for byte as it was, no -wal or -shm left`);
      assertRefused(await sync(db, ['--dry-run']), db, `${what} (dry run)`);
      assert.equal(fingerprint(db).sha, before.sha, `${what} (dry run)`);
      assert.equal(env.sim.requests().length, 0, 'refused before any request');
    });
  }

  it('damage a statement meets during the run: exit 1 in one line, no failed run row, the lock row removed, nothing sent', async () => {
    const db = copyDatabase(env.db, join(dir, 'mid-run.db'));
    // A row no b-tree walk reads whole (its payload spans overflow pages), which the run loads.
    const text = 'y'.repeat(12_000);
    const plant = new DatabaseSync(db);
    plant
      .prepare("INSERT INTO dns_records (id, type, domain, target, record_raw, first_seen, orphaned_at) VALUES (?, 'TXT_RECORD', 'long.lan', ?, ?, ?, ?)")
      .run(recordId('TXT_RECORD', 'long.lan', text), text, JSON.stringify({ type: 'TXT_RECORD', domain: 'long.lan', text }), '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z');
    plant.close();
    breakOverflowChain(db);
    const runsBefore = query<{ n: number }>(db, 'SELECT count(*) AS n FROM runs')[0]!.n;
    env.sim.clearRequests();

    assertRefused(await sync(db), db, 'overflow chain');
    assert.ok(env.sim.requests().length > 0, 'the damage was met after discovery');
    assert.equal(writes(env.sim), 0);
    assert.deepEqual(query(db, 'SELECT * FROM sync_lock'), [], 'the lock row, alone on a sound page, is removed');
    const runs = query<{ outcome: string | null; finished_at: string | null }>(db, 'SELECT outcome, finished_at FROM runs ORDER BY id');
    assert.equal(runs.length, runsBefore + 1);
    assert.deepEqual({ ...runs.at(-1) }, { outcome: null, finished_at: null }, 'no failed run row claimed written into a corrupt file');
  });
});

function query<T = Record<string, unknown>>(path: string, sql: string): T[] {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}
