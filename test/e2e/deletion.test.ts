import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Scenario } from '../../fixtures/simulator/index.ts';
import { syncEnv } from '../support/sync-env.ts';

const scenario: Scenario = {
  controllers: [
    {
      name: 'home',
      sites: [
        { internalReference: 'default', policies: [{ id: '11111111-1111-4111-8111-111111111111', type: 'A_RECORD', domain: 'nas.lan', ipv4Address: '10.0.0.10', ttlSeconds: 300 }] },
        { internalReference: 'garage' },
      ],
    },
    { name: 'cabin', sites: [{ internalReference: 'default' }] },
  ],
};
const NAS = '11111111-1111-4111-8111-111111111111';
const has = (env: Awaited<ReturnType<typeof syncEnv>>, controller: string, site: string) =>
  env.sim.policies(controller, site).some((p) => p.domain === 'nas.lan');

describe('sync: deletion propagates after the grace period, never before', () => {
  it('says, on every run of the grace period, how many orphans wait and when their replicas go', async () => {
    const env = await syncEnv(scenario, { sync: { orphanGracePeriod: '1h' } });
    assert.equal((await env.sync()).code, 0);
    env.sim.removePolicy('home', 'default', NAS);
    for (let run = 0; run < 2; run++) {
      const result = await env.sync();
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /^1 record orphaned, its 2 replicas go at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(dnssync orphans lists them\)$/m);
    }
    const json = JSON.parse((await env.sync(['--json'])).stdout);
    assert.deepEqual([json.orphansWaiting.records, json.orphansWaiting.replicas], [1, 2]);
    assert.ok(Date.parse(json.orphansWaiting.firstGoes) > Date.now() + 50 * 60_000);
  });

  it('deletes replicas only once the record has been an orphan for orphanGracePeriod', async () => {
    const env = await syncEnv(scenario, { sync: { orphanGracePeriod: '3s' } });
    assert.equal((await env.sync()).code, 0);
    assert.ok(has(env, 'home', 'garage') && has(env, 'cabin', 'default'));

    env.sim.removePolicy('home', 'default', NAS);
    const orphaned = await env.sync(['--json']);
    assert.equal(orphaned.code, 0, orphaned.stderr);
    assert.equal(JSON.parse(orphaned.stdout).summary.deleted, 0);
    assert.ok(has(env, 'home', 'garage') && has(env, 'cabin', 'default'), 'replicas kept during the grace period');
    assert.deepEqual(env.query('SELECT status FROM sync_events WHERE site_id IS NULL').map((r: any) => r.status), ['ORPHANED']);

    await new Promise((resolve) => setTimeout(resolve, 3100));
    const after = await env.sync(['--json']);
    assert.equal(after.code, 0, after.stderr);
    assert.equal(JSON.parse(after.stdout).summary.deleted, 2);
    assert.ok(!has(env, 'home', 'garage') && !has(env, 'cabin', 'default'));
    assert.equal(env.query<{ n: number }>('SELECT count(*) AS n FROM replicas')[0]!.n, 0);
    assert.equal(env.query<{ n: number }>("SELECT count(*) AS n FROM sync_events WHERE status = 'DELETED'")[0]!.n, 2);
  });

  it('deletes nothing when the record comes back before the grace period ends', async () => {
    const env = await syncEnv(scenario, { sync: { orphanGracePeriod: '1h' } });
    await env.sync();
    env.sim.removePolicy('home', 'default', NAS);
    await env.sync();
    env.sim.addPolicy('home', 'default', { type: 'A_RECORD', domain: 'nas.lan', ipv4Address: '10.0.0.10', ttlSeconds: 300 });
    const back = await env.sync(['--json']);
    assert.equal(back.code, 0, back.stderr);
    const summary = JSON.parse(back.stdout).summary;
    assert.deepEqual([summary.created, summary.deleted], [0, 0]);
    assert.deepEqual(
      env.query("SELECT status FROM sync_events WHERE status IN ('ORPHANED', 'RESTORED') ORDER BY id").map((r: any) => r.status),
      ['ORPHANED', 'RESTORED'],
    );
  });

  it('with a grace period of 0, deletes replicas on the first run the orphan is seen', async () => {
    const env = await syncEnv(scenario, { sync: { orphanGracePeriod: 0 } });
    await env.sync();
    env.sim.removePolicy('home', 'default', NAS);
    assert.equal((await env.sync()).code, 0);
    assert.ok(!has(env, 'home', 'garage') && !has(env, 'cabin', 'default'));
  });

  it('disabling a record at its origin disables its replicas', async () => {
    const env = await syncEnv(scenario);
    await env.sync();
    env.sim.updatePolicy('home', 'default', NAS, { enabled: false });
    const result = await env.sync(['--json']);
    assert.equal(JSON.parse(result.stdout).summary.updated, 2);
    for (const [c, s] of [['home', 'garage'], ['cabin', 'default']] as const) {
      assert.equal(env.sim.policies(c, s).find((p) => p.domain === 'nas.lan')!.enabled, false);
    }
  });

  it('recreates a replica that someone deleted at its site', async () => {
    const env = await syncEnv(scenario);
    await env.sync();
    const replica = env.sim.policies('cabin', 'default').find((p) => p.domain === 'nas.lan')!;
    env.sim.removePolicy('cabin', 'default', replica.id);
    const result = await env.sync();
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /deleted at the site; recreated/);
    assert.ok(has(env, 'cabin', 'default'));
    assert.equal(env.sim.policies('home', 'default').filter((p) => p.domain === 'nas.lan').length, 1, 'the origin is untouched');
  });
});
