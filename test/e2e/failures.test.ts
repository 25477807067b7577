import { readFileSync, writeFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Fault, Scenario } from '../../fixtures/simulator/index.ts';
import { syncEnv, writes } from '../support/sync-env.ts';

const scenario = (): Scenario => ({
  controllers: [
    { name: 'one', sites: [{ internalReference: 'default', policies: [{ type: 'A_RECORD', domain: 'one.lan', ipv4Address: '10.1.0.1' }] }, { internalReference: 'b' }] },
    { name: 'two', sites: [{ internalReference: 'default', policies: [{ type: 'A_RECORD', domain: 'two.lan', ipv4Address: '10.2.0.1' }] }] },
    { name: 'three', sites: [{ internalReference: 'default' }] },
  ],
});

const faults: Array<[string, Fault]> = [
  ['answers 500', { kind: 'status', status: 500 }],
  ['hangs', { kind: 'hang' }],
  ['returns an HTML login page', { kind: 'htmlLogin' }],
  ['returns truncated JSON', { kind: 'malformedJson' }],
  ['resets the connection', { kind: 'reset' }],
];

describe('sync: one failing controller never causes a deletion, and the others sync fully', () => {
  for (const [what, fault] of faults) {
    it(`when a controller ${what}`, async () => {
      const env = await syncEnv(scenario(), { sync: { orphanGracePeriod: 0, requestTimeout: '1s' } });
      assert.equal((await env.sync()).code, 0);
      const before = env.identities('three', 'default');

      env.sim.setFault({ controller: 'one' }, fault);
      env.sim.addPolicy('two', 'default', { type: 'A_RECORD', domain: 'new.lan', ipv4Address: '10.2.0.2' });
      env.sim.clearRequests();
      const failed = await env.sync(['--json']);
      assert.equal(failed.code, 3, failed.stderr);
      const report = JSON.parse(failed.stdout);
      assert.equal(report.controllers.find((c: { name: string }) => c.name === 'one').status, 'failed');
      assert.equal(env.sim.requests({ method: 'DELETE' }).length, 0, 'nothing deleted anywhere');
      assert.ok(env.identities('three', 'default').includes('A_RECORD one.lan 10.1.0.1'), "one's records stay everywhere");
      assert.deepEqual(env.identities('three', 'default'), [...before, 'A_RECORD new.lan 10.2.0.2'].sort(), 'the healthy controllers synced');
      assert.equal(env.sim.requests({ controller: 'one' }).filter((r) => r.method !== 'GET').length, 0, 'no write to the failing one');
      assert.match(failed.stderr, /one/);

      env.sim.setFault({ controller: 'one' }, null);
      const healed = await env.sync();
      assert.equal(healed.code, 0, healed.stderr);
      assert.ok(env.identities('one', 'default').includes('A_RECORD new.lan 10.2.0.2'), 'the next healthy run converges');
    });
  }

  it('a failing site keeps its origins and the rest of its controller syncs', async () => {
    const env = await syncEnv(scenario(), { sync: { orphanGracePeriod: 0 } });
    await env.sync();
    env.sim.setFault({ controller: 'one', site: 'default' }, { kind: 'status', status: 503 });
    env.sim.addPolicy('three', 'default', { type: 'A_RECORD', domain: 'three.lan', ipv4Address: '10.3.0.1' });
    const result = await env.sync(['--json']);
    assert.equal(result.code, 3);
    const sites = JSON.parse(result.stdout).sites;
    assert.equal(sites.find((s: { controller: string; internalReference: string }) => s.controller === 'one' && s.internalReference === 'default').status, 'failed');
    assert.ok(env.identities('one', 'b').includes('A_RECORD three.lan 10.3.0.1'));
    assert.ok(env.identities('two', 'default').includes('A_RECORD one.lan 10.1.0.1'), 'origin kept: no deletion');
    assert.equal(env.sim.requests({ method: 'DELETE' }).length, 0);
  });

  it('an overlap refusal is SKIPPED, not a replica, remembered (not sent again, no new event), and retried after retryRefusedAfter', async () => {
    const env = await syncEnv(scenario());
    env.sim.setLocalDns('three', 'default', ['one.lan']);
    const first = await env.sync(['--json']);
    assert.equal(first.code, 0, first.stderr);
    const three = JSON.parse(first.stdout).sites.find((s: { controller: string }) => s.controller === 'three');
    const one = three.actions.find((a: { domain: string }) => a.domain === 'one.lan');
    const reason = /^refused \d{4}-\d{2}-\d{2}: overlap-with-local-dns$/;
    assert.deepEqual([one.action, one.outcome], ['create', 'skipped']);
    assert.match(one.reason, reason);
    const site = env.query<{ id: number }>("SELECT s.id FROM sites s WHERE controller_host LIKE ? AND uuid = ?", '%', three.uuid)[0]!.id;
    assert.equal(env.query<{ n: number }>("SELECT count(*) AS n FROM replicas r JOIN dns_records d ON d.id = r.record_id WHERE r.site_id = ? AND d.domain = 'one.lan'", site)[0]!.n, 0);
    const skipped = () => env.query<{ n: number }>("SELECT count(*) AS n FROM sync_events WHERE status = 'SKIPPED' AND domain = 'one.lan'")[0]!.n;
    assert.equal(skipped(), 1);
    assert.deepEqual(env.query('SELECT code FROM refusals WHERE site_id = ?', site).map((r: any) => r.code), ['api.dns.policy.validation.overlap-with-local-dns']);

    // A dry run and a real run agree: a skip, not drift, and nothing sent while the refusal lasts.
    env.sim.clearRequests();
    const dry = await env.sync(['--dry-run', '--fail-on-changes', '--json']);
    assert.equal(dry.code, 0, dry.stderr);
    const planned = JSON.parse(dry.stdout).sites.find((s: { controller: string }) => s.controller === 'three').actions;
    assert.deepEqual(planned.map((a: { action: string }) => a.action), ['skip']);
    assert.match(planned[0].reason, reason);
    const second = await env.sync();
    assert.equal(second.code, 0);
    assert.equal(env.sim.requests({ controller: 'three', method: 'POST' }).length, 0, 'not sent again');
    assert.equal(skipped(), 1, 'no new event while it lasts');

    // The cause cannot be seen through the API: tried again once retryRefusedAfter has passed.
    env.sim.setLocalDns('three', 'default', []);
    const config = JSON.parse(readFileSync(env.configFile, 'utf8'));
    writeFileSync(env.configFile, JSON.stringify({ ...config, sync: { ...config.sync, retryRefusedAfter: '0s' } }));
    const third = await env.sync();
    assert.equal(third.code, 0, third.stderr);
    assert.equal(env.sim.requests({ controller: 'three', method: 'POST' }).length, 1, 'retried');
    assert.ok(env.identities('three', 'default').includes('A_RECORD one.lan 10.1.0.1'));
    assert.equal(env.query<{ n: number }>('SELECT count(*) AS n FROM refusals')[0]!.n, 0, 'forgotten once created');
  });

  it('a write refused with another error is FAILED with the code and message; the others carry on; exit 3', async () => {
    const env = await syncEnv(scenario());
    env.sim.setFault({ controller: 'three', site: 'default' }, { kind: 'status', status: 500, methods: ['POST'], count: 1 });
    const result = await env.sync(['--json']);
    assert.equal(result.code, 3);
    const report = JSON.parse(result.stdout);
    assert.equal(report.summary.failed, 1);
    assert.equal(report.summary.created, 5); // one.lan and two.lan at the 6 places that lack them, less the failure
    const failedEvent = env.query<{ reason: string }>("SELECT reason FROM sync_events WHERE status = 'FAILED'")[0]!;
    assert.match(failedEvent.reason, /500/);
    const again = await env.sync();
    assert.equal(again.code, 0, 'the next run converges');
    assert.equal(writes(env.sim) > 0, true);
  });
});
