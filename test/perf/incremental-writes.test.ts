// SPEC §8: an incremental sync writes only what changed, and a no-op sync writes no row of the
// record tables. Counted on the simulator's request log and on the database: every row before
// and after, and every row the dnssync process wrote (write-log-hook.ts, SQLite TEMP triggers).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import type { Scenario } from '../../fixtures/simulator/index.ts';
import { syncEnv, type SyncEnv } from '../support/sync-env.ts';
import { count, countByMethod, diff, expectedListRequests, policyListingReads, snapshot, syncLoggingWrites, writtenKeys } from './support.ts';

// 6 records at 6 sites: each is held natively at one site and replicated to the 5 others (30 replicas).
const scenario: Scenario = {
  controllers: [
    {
      name: 'alpha',
      sites: [
        {
          internalReference: 'default',
          policies: [
            { type: 'A_RECORD', domain: 'a1.alpha.lan', ipv4Address: '10.1.0.1', ttlSeconds: 300 },
            { type: 'A_RECORD', domain: 'a2.alpha.lan', ipv4Address: '10.1.0.2', ttlSeconds: 300 },
            { type: 'A_RECORD', domain: 'a3.alpha.lan', ipv4Address: '10.1.0.3', ttlSeconds: 300 },
          ],
        },
        { internalReference: 'shop', policies: [{ type: 'AAAA_RECORD', domain: 's1.alpha.lan', ipv6Address: 'fd00::1', ttlSeconds: 120 }] },
        { internalReference: 'lab' },
      ],
    },
    {
      name: 'beta',
      sites: [
        {
          internalReference: 'hq',
          policies: [
            { type: 'A_RECORD', domain: 'b1.beta.lan', ipv4Address: '10.2.0.1' },
            { type: 'A_RECORD', domain: 'b2.beta.lan', ipv4Address: '10.2.0.2' },
          ],
        },
        { internalReference: 'edge' },
        { internalReference: 'spare' },
      ],
    },
  ],
};

const RECORD_TABLES = ['dns_records', 'record_origins', 'replicas', 'sync_events'] as const;
const id = (type: string, domain: string, target: string) => createHash('sha256').update(`${type}:${domain}:${target}`).digest('hex');

function siteKey(env: SyncEnv, controllerName: string, internalReference: string): number {
  return env.query<{ id: number }>(
    'SELECT s.id FROM sites s JOIN controllers c ON c.host = s.controller_host WHERE c.name = ? AND s.internal_reference = ?',
    controllerName,
    internalReference,
  )[0]!.id;
}

/** The native policy of `domain` at a site, edited as a person would in the console. */
function edit(env: SyncEnv, controller: string, site: string, domain: string, changes: Record<string, unknown>) {
  const policy = env.sim.policies(controller, site).find((p) => p.domain === domain)!;
  env.sim.updatePolicy(controller, site, policy.id, changes);
}

describe('perf: writes are exactly the changes', () => {
  it('a no-op writes no record row and one run; 1 ttl, 1 enabled and 1 address edit write exactly their replicas', async () => {
    const env = await syncEnv(scenario);
    const first = await env.sync();
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^created 30, updated 0, deleted 0, skipped 0, failed 0$/m);

    // No-op: no write request, no row of the record tables written (not even rewritten as it was).
    const converged = snapshot(env);
    const runs = count(env, 'runs');
    const events = count(env, 'sync_events');
    env.sim.clearRequests();
    const noop = await syncLoggingWrites(env, 'noop');
    assert.equal(noop.result.code, 0, noop.result.stderr);
    assert.ok(noop.logged, `the write log was written: ${noop.result.stderr}`);
    assert.deepEqual(countByMethod(env.sim), { GET: expectedListRequests(env.sim) });
    for (const table of RECORD_TABLES) assert.deepEqual(writtenKeys(noop.writes, table), [], `no-op wrote to ${table}`);
    const runRows = noop.writes.filter((w) => w.table === 'runs');
    assert.deepEqual([...new Set(runRows.map((w) => w.key))], [String(runs + 1)], 'only its own run row');
    assert.equal(runRows.filter((w) => w.op === 'insert').length, 1);
    for (const [table, rows] of Object.entries(snapshot(env))) assert.deepEqual(diff(converged[table as keyof typeof converged], rows), { added: [], removed: [], changed: [] }, table);
    assert.equal(count(env, 'runs'), runs + 1);
    assert.equal(count(env, 'sync_events'), events);

    // 1% of the origins, in miniature: a1's ttl, b2's enabled flag, and a3's address (a new identity).
    edit(env, 'alpha', 'default', 'a1.alpha.lan', { ttlSeconds: 600 });
    edit(env, 'beta', 'hq', 'b2.beta.lan', { enabled: false });
    edit(env, 'alpha', 'default', 'a3.alpha.lan', { ipv4Address: '10.1.0.33' });
    const before = snapshot(env);
    env.sim.clearRequests();
    const incremental = await syncLoggingWrites(env, 'incremental');
    assert.equal(incremental.result.code, 0, incremental.result.stderr);
    assert.match(incremental.result.stdout, /^created 5, updated 10, deleted 0, skipped 0, failed 0$/m);

    // Requests: the lists, a PUT per replica of a1 and b2, a POST per new copy of a3'; the old a3
    // copies stay while the orphan's grace period (15m) runs. The no-op left every site in step, so
    // sites read before the first changed one were passed over (engine/unchanged.ts): those, and
    // only those, are read a second time (one page each here).
    const reads = policyListingReads(env.sim);
    assert.equal(reads.get('alpha/default'), 1);
    assert.equal(reads.get('beta/hq'), 1);
    assert.ok([...reads.values()].every((n) => n === 1 || n === 2), JSON.stringify([...reads]));
    const again = [...reads.values()].filter((n) => n === 2).length;
    assert.deepEqual(countByMethod(env.sim), { GET: expectedListRequests(env.sim) + again, PUT: 10, POST: 5 });
    // Events: 10 UPDATED, 5 CREATED, a3' DISCOVERED at its origin, a3 ORPHANED.
    const newEvents = env.query<{ status: string; n: number }>('SELECT status, count(*) AS n FROM sync_events WHERE run_id = ? GROUP BY status ORDER BY status', runs + 2);
    assert.deepEqual(newEvents.map((e) => `${e.status} ${e.n}`), ['CREATED 5', 'DISCOVERED 1', 'ORPHANED 1', 'UPDATED 10']);
    assert.equal(count(env, 'sync_events'), events + 17);
    assert.equal(count(env, 'runs'), runs + 2);

    const origin = siteKey(env, 'alpha', 'default');
    const hq = siteKey(env, 'beta', 'hq');
    const a1 = id('A_RECORD', 'a1.alpha.lan', '10.1.0.1');
    const b2 = id('A_RECORD', 'b2.beta.lan', '10.2.0.2');
    const a3 = id('A_RECORD', 'a3.alpha.lan', '10.1.0.3');
    const a3new = id('A_RECORD', 'a3.alpha.lan', '10.1.0.33');
    const allSites = env.query<{ id: number }>('SELECT id FROM sites ORDER BY id').map((s) => s.id);
    const replicasOf = (recordId: string, except: number) => allSites.filter((s) => s !== except).map((s) => `${recordId}|${s}`);

    // The database, row by row: only the expected rows differ.
    const after = snapshot(env);
    assert.deepEqual(diff(before.dns_records, after.dns_records), { added: [a3new], removed: [], changed: [a3] }, 'dns_records: a3 orphaned, a3\' new');
    assert.deepEqual(
      diff(before.record_origins, after.record_origins),
      { added: [`${a3new}|${origin}`], removed: [`${a3}|${origin}`], changed: [`${a1}|${origin}`, `${b2}|${hq}`].sort() },
      'record_origins: the two edited origins, a3 → a3\'',
    );
    assert.deepEqual(diff(before.replicas, after.replicas), { added: replicasOf(a3new, origin).sort(), removed: [], changed: [] }, "replicas: a3' copies only");

    // And what the process wrote, rewrites included: nothing outside those records.
    const w = incremental.writes;
    assert.ok(incremental.logged, incremental.result.stderr);
    // The write log keys rows by primary key, which for replicas is (site_id, record_id).
    const flip = (key: string) => key.split('|').reverse().join('|');
    assert.deepEqual(writtenKeys(w, 'replicas'), [...replicasOf(a1, origin), ...replicasOf(b2, hq), ...replicasOf(a3new, origin)].map(flip).sort());
    assert.deepEqual(writtenKeys(w, 'dns_records'), [a3, a3new].sort());
    assert.deepEqual(writtenKeys(w, 'record_origins'), [`${a1}|${origin}`, `${b2}|${hq}`, `${a3}|${origin}`, `${a3new}|${origin}`].sort());
    assert.equal(w.filter((e) => e.table === 'sync_events' && e.op === 'insert').length, 17);
    assert.deepEqual(
      w.filter((e) => RECORD_TABLES.includes(e.table as (typeof RECORD_TABLES)[number]) && e.op === 'update' && !e.changed),
      [],
      'no row rewritten with what it already held',
    );
  });
});
