import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { Scenario } from '../../fixtures/simulator/index.ts';
import { syncEnv, writes, type SyncEnv } from '../support/sync-env.ts';
import { plant } from '../repair/helpers.ts';
import { expectedListRequests, policyListingReads } from '../perf/support.ts';

// A sync that leaves every site in step records what each listed (schema.sql in_step); the next
// one that reads the same everywhere has nothing to plan and neither reads the replicas nor plans.
const scenario: Scenario = {
  controllers: [
    {
      name: 'a',
      sites: [
        {
          internalReference: 'default',
          policies: [
            { type: 'A_RECORD', domain: 'one.lan', ipv4Address: '10.1.0.1', ttlSeconds: 300 },
            { type: 'A_RECORD', domain: 'two.lan', ipv4Address: '10.1.0.2', ttlSeconds: 300 },
          ],
        },
        { internalReference: 'b' },
        { internalReference: 'c' },
        { internalReference: 'd' },
        { internalReference: 'e' },
        { internalReference: 'f' },
        // Read last (4 sites at a time): the sites before it are passed over before it is read.
        { internalReference: 'last', policies: [{ type: 'A_RECORD', domain: 'last.lan', ipv4Address: '10.2.0.1', ttlSeconds: 300 }] },
      ],
    },
  ],
};

const NOTHING_TO_PLAN = /nothing to plan/;
const IN_STEP = { b: 3, c: 3, d: 3, default: 1, e: 3, f: 3, last: 2 };

/** The site rows of in_step, by internalReference. */
function inStep(env: SyncEnv): Record<string, number> {
  const rows = env.query<{ ref: string; replicas: number; fingerprint: string }>(
    'SELECT s.internal_reference AS ref, i.replicas, i.fingerprint FROM in_step i JOIN sites s ON s.id = i.site_id ORDER BY ref',
  );
  for (const r of rows) assert.match(r.fingerprint, /^[0-9a-f]{64}$/);
  return Object.fromEntries(rows.map((r) => [r.ref, r.replicas]));
}

/** A JSON run report without what differs from run to run. */
function report(stdout: string): unknown {
  const { runId: _id, startedAt: _start, finishedAt: _end, ...rest } = JSON.parse(stdout);
  return rest;
}

async function converged(env: SyncEnv): Promise<void> {
  assert.equal((await env.sync()).code, 0);
  assert.deepEqual(inStep(env), {}, 'a run that created changed the state');
  assert.equal((await env.sync()).code, 0);
  assert.deepEqual(inStep(env), IN_STEP, 'every site in step, with its replicas');
}

describe('a sync after one that left every site in step', () => {
  it('plans nothing without reading the replicas, and says the same as a sync that reads them', async () => {
    const env = await syncEnv(scenario);
    await converged(env);

    env.sim.clearRequests();
    const fast = await env.sync(['--json', '--log-level', 'debug']);
    assert.equal(fast.code, 0, fast.stderr);
    assert.match(fast.stderr, NOTHING_TO_PLAN);
    assert.equal(env.sim.requests().length, expectedListRequests(env.sim), 'the lists, nothing else');
    assert.equal(writes(env.sim), 0);
    const dryFast = await env.sync(['--dry-run', '--json', '--log-level', 'debug']);
    assert.match(dryFast.stderr, NOTHING_TO_PLAN);
    assert.deepEqual(inStep(env), IN_STEP, 'kept as it was');

    // The same runs without the record: every site read, observed and planned.
    plant(env.db, (db) => db.exec('DELETE FROM in_step'));
    const dry = await env.sync(['--dry-run', '--json', '--log-level', 'debug']);
    assert.doesNotMatch(dry.stderr, NOTHING_TO_PLAN);
    assert.deepEqual(report(dryFast.stdout), report(dry.stdout));
    assert.deepEqual(inStep(env), {}, 'a dry run records nothing');
    const full = await env.sync(['--json', '--log-level', 'debug']);
    assert.doesNotMatch(full.stderr, NOTHING_TO_PLAN);
    assert.deepEqual(report(fast.stdout), report(full.stdout));
    assert.deepEqual(inStep(env), IN_STEP, 'recorded again');
    assert.equal((await env.sync()).stdout, (await env.sync()).stdout);
  });

  it('sees a change at any site, and plans every site again, the ones read before it included', async () => {
    const env = await syncEnv(scenario);
    await converged(env);
    // The origin read last edited: its six replicas change, at the sites read before it too.
    const last = env.sim.policies('a', 'last')[0]!;
    env.sim.updatePolicy('a', 'last', last.id, { ttlSeconds: 600 });
    env.sim.clearRequests();
    const edited = await env.sync(['--log-level', 'debug']);
    assert.equal(edited.code, 0, edited.stderr);
    assert.doesNotMatch(edited.stderr, NOTHING_TO_PLAN);
    assert.match(edited.stdout, /^created 0, updated 6, deleted 0, skipped 0, failed 0$/m);
    for (const site of ['default', 'b', 'c', 'd', 'e', 'f']) assert.ok(env.sim.policies('a', site).some((p) => p.domain === 'last.lan' && p.ttlSeconds === 600), site);
    const reads = policyListingReads(env.sim);
    assert.equal(reads.get('a/last'), 1);
    assert.ok([...reads.values()].filter((n) => n === 2).length >= 3, `the sites passed over are read again: ${JSON.stringify([...reads])}`);
    assert.deepEqual(inStep(env), {}, 'the run changed the state');

    // Someone deletes a replica at the controller: recreated, though the site was in step.
    assert.equal((await env.sync()).code, 0);
    assert.deepEqual(inStep(env), IN_STEP);
    const copy = env.sim.policies('a', 'c').find((p) => p.domain === 'last.lan')!;
    env.sim.removePolicy('a', 'c', copy.id);
    const recreated = await env.sync();
    assert.match(recreated.stdout, /^created 1, updated 0, deleted 0, /m);
    assert.ok(env.identities('a', 'c').includes('A_RECORD last.lan 10.2.0.1'));
  });

  it('sees a site added or gone from the site list before reading any policy: no site is read twice', async () => {
    const env = await syncEnv(scenario);
    await converged(env);
    env.sim.addSite('a', { internalReference: 'new' });
    env.sim.clearRequests();
    const added = await env.sync(['--log-level', 'debug']);
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /^created 3, updated 0, deleted 0, /m, 'the new site gets every record');
    assert.ok([...policyListingReads(env.sim).values()].every((n) => n === 1), JSON.stringify([...policyListingReads(env.sim)]));
    assert.equal((await env.sync()).code, 0);
    assert.deepEqual(inStep(env), { ...IN_STEP, new: 3 });

    assert.ok(env.sim.removeSite('a', 'd'));
    env.sim.clearRequests();
    const gone = await env.sync(['--log-level', 'debug']);
    assert.equal(gone.code, 0, gone.stderr);
    assert.doesNotMatch(gone.stderr, NOTHING_TO_PLAN);
    assert.ok([...policyListingReads(env.sim).values()].every((n) => n === 1), JSON.stringify([...policyListingReads(env.sim)]));
  });

  it('is forgotten by any change to the state, whoever makes it, and by a change of config', async () => {
    const env = await syncEnv(scenario);
    await converged(env);
    plant(env.db, (db) => db.exec("UPDATE replicas SET created_at = '2026-01-01T00:00:00.000Z' WHERE (site_id, record_id) IN (SELECT site_id, record_id FROM replicas LIMIT 1)"));
    assert.deepEqual(inStep(env), {}, 'an edit with the sqlite3 shell');
    const again = await env.sync(['--log-level', 'debug']);
    assert.doesNotMatch(again.stderr, NOTHING_TO_PLAN);
    assert.deepEqual(inStep(env), IN_STEP);

    const config = JSON.parse(readFileSync(env.configFile, 'utf8'));
    writeFileSync(env.configFile, JSON.stringify({ ...config, sync: { ...config.sync, maxDeletePercent: 50 } }));
    const changed = await env.sync(['--log-level', 'debug']);
    assert.doesNotMatch(changed.stderr, NOTHING_TO_PLAN, 'another config: every site read');
    assert.match((await env.sync(['--log-level', 'debug'])).stderr, NOTHING_TO_PLAN);
  });

  it('is not recorded while an orphan waits out its grace period or a refused create may be retried', async () => {
    const env = await syncEnv(scenario);
    await converged(env);
    const one = env.sim.policies('a', 'default').find((p) => p.domain === 'one.lan')!;
    env.sim.removePolicy('a', 'default', one.id);
    assert.equal((await env.sync()).code, 0);
    assert.equal((await env.sync()).code, 0);
    assert.deepEqual(inStep(env), {}, 'one.lan is an orphan whose replicas wait 15 minutes');

    const refused = await syncEnv(scenario);
    refused.sim.setLocalDns('a', 'd', ['last.lan']);
    assert.equal((await refused.sync()).code, 0);
    assert.equal((await refused.sync()).code, 0);
    assert.deepEqual(inStep(refused), {}, 'last.lan refused at d: tried again after retryRefusedAfter');
  });
});
