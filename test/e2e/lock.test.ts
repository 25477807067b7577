import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { DatabaseSync } from 'node:sqlite';
import { describe, it } from 'node:test';
import type { Scenario } from '../../fixtures/simulator/index.ts';
import { syncEnv, until, writes, type SyncEnv } from '../support/sync-env.ts';

const scenario: Scenario = {
  controllers: [{ name: 'a', sites: [{ internalReference: 'default', generate: { count: 12, domainPattern: 'h{i}.lan' } }, { internalReference: 'b' }, { internalReference: 'c' }] }],
};

/** Writes a lock row as another process would have left it. */
function plantLock(env: SyncEnv, holder: { host: string; pid: number; heartbeatAgoMs: number }): void {
  const at = new Date(Date.now() - holder.heartbeatAgoMs).toISOString();
  const db = new DatabaseSync(env.db);
  db.prepare('INSERT OR REPLACE INTO sync_lock (id, host, pid, acquired_at, heartbeat_at) VALUES (1, ?, ?, ?, ?)').run(holder.host, holder.pid, at, at);
  db.close();
}

describe('sync: the lock', () => {
  it('a lock on this host whose pid is alive but another process (pid reuse) holds only until its heartbeat is stale', async () => {
    const env = await syncEnv(scenario);
    assert.equal((await env.sync()).code, 0);
    // This test's own process: alive, on this host, and no sync.
    plantLock(env, { host: hostname(), pid: process.pid, heartbeatAgoMs: 1_000 });
    const held = await env.sync(['--log-format', 'text']);
    assert.equal(held.code, 5, held.stderr);
    assert.match(held.stderr, new RegExp(`another sync holds the database .*: host ${hostname()}, pid ${process.pid}, since`));

    plantLock(env, { host: hostname(), pid: process.pid, heartbeatAgoMs: 10 * 60_000 });
    const taken = await env.sync(['--log-format', 'text']);
    assert.equal(taken.code, 0, taken.stderr);
    assert.match(taken.stderr, new RegExp(`took over a stale lock.*pid.*${process.pid}`));
    assert.deepEqual(env.query('SELECT * FROM sync_lock'), []);
  });

  it('a dry run while a sync applies exits 5 naming it, and the sync finishes undisturbed', async () => {
    const env = await syncEnv(scenario);
    // The first creates hang for seconds: the dry run, however slowly it starts, meets the sync applying.
    env.sim.setFault({ controller: 'a' }, { kind: 'slow', delayMs: 5_000, methods: ['POST'], count: 4 });
    const applying = env.start(['--log-format', 'text']);
    await until(() => env.sim.requests({ method: 'POST' }).length > 0, 'the first create');

    const dry = await env.sync(['--dry-run', '--log-format', 'text']);
    assert.equal(dry.code, 5, dry.stderr);
    assert.match(dry.stderr, /another sync holds the database .*: host .*, pid \d+, since \d{4}-.*a dry run now would plan against lists it is changing/);

    const result = await applying.done;
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /created 24, updated 0, deleted 0, skipped 0, failed 0/);
    env.sim.clearRequests();
    const after = await env.sync(['--dry-run']);
    assert.equal(after.code, 0, after.stderr);
    assert.match(after.stdout, /^No changes: \d+ sites in step\.$/m);
    assert.equal(writes(env.sim), 0);
  });

  it('a dry run during which a sync started exits 5 at its end, naming it, instead of planning from lists half changed', async () => {
    const env = await syncEnv(scenario);
    assert.equal((await env.sync()).code, 0);
    env.sim.clearRequests();
    // Three rounds of slow lists (info, sites, policies): seconds for the sync to start and take the lock.
    env.sim.setFault({ controller: 'a' }, { kind: 'slow', delayMs: 1_500, methods: ['GET'] });
    const dry = env.start(['--dry-run', '--log-format', 'text']);
    // The dry run checks the lock before its first request: a sync started now comes after that check.
    await until(() => env.sim.requests({ method: 'GET' }).length > 0, "the dry run's first request");
    const sync = env.start(['--log-format', 'text']);

    const answer = await dry.done;
    assert.equal(answer.code, 5, answer.stderr);
    assert.match(answer.stderr, /(another sync holds the database .*a dry run meanwhile|a sync ran on the database .* while this dry run read the controllers)/);
    const result = await sync.done;
    assert.equal(result.code, 0, result.stderr);
  });
});

