import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Scenario } from '../../fixtures/simulator/index.ts';
import { syncEnv, type SyncEnv } from '../support/sync-env.ts';

const SITES = [['a', 'default'], ['a', 'two'], ['b', 'default'], ['b', 'two']] as const;
const scenario: Scenario = {
  controllers: [
    { name: 'a', sites: [{ internalReference: 'default', generate: { count: 300, domainPattern: 'a{i}.lan' } }, { internalReference: 'two' }] },
    { name: 'b', tls: true, sites: [{ internalReference: 'default', generate: { count: 100, domainPattern: 'b{i}.lan', ipv4Pattern: '10.2.{hi}.{lo}' } }, { internalReference: 'two' }] },
  ],
};
const RECORDS = 400;

/** Every site holds every record once; every policy dnssync made is a replica with its CREATED event. */
function assertConverged(env: SyncEnv): void {
  for (const [controller, site] of SITES) {
    const held = env.identities(controller, site);
    assert.equal(held.length, RECORDS, `${controller}/${site} holds ${held.length}`);
    assert.equal(new Set(held).size, RECORDS, `no duplicate policy at ${controller}/${site}`);
  }
  // Origins only where the records were made natively: no replica mistaken for a native policy.
  assert.equal(env.query<{ n: number }>('SELECT count(*) AS n FROM record_origins')[0]!.n, RECORDS);
  const replicas = env.query<{ n: number }>('SELECT count(*) AS n FROM replicas WHERE policy_id IS NOT NULL AND pending IS NULL')[0]!.n;
  assert.equal(replicas, RECORDS * 3);
  const created201 = env.sim.requests({ method: 'POST', status: 201 }).length;
  assert.equal(created201, RECORDS * 3, 'each create reached the controller once');
  const withoutEvent = env.query<{ n: number }>(
    `SELECT count(*) AS n FROM replicas r WHERE NOT EXISTS
       (SELECT 1 FROM sync_events e WHERE e.record_id = r.record_id AND e.site_id = r.site_id AND e.status = 'CREATED')`,
  )[0]!.n;
  assert.equal(withoutEvent, 0, 'every applied create has its CREATED event');
  assert.equal(env.query<{ n: number }>("SELECT count(*) AS n FROM sync_events WHERE status = 'CREATED'")[0]!.n, created201);
}

describe('sync: crash safety', () => {
  it('survives SIGKILL at random points of a large apply, repeatedly, then converges exactly', async () => {
    const env = await syncEnv(scenario);
    env.sim.setFault({ controller: 'a' }, { kind: 'slow', delayMs: 5, methods: ['POST'] });
    env.sim.setFault({ controller: 'b' }, { kind: 'slow', delayMs: 5, methods: ['POST'] });
    let killed = 0;
    for (let i = 0; i < 6; i++) {
      // Kill once a random number of further creates have reached the controllers.
      const target = env.sim.requests({ method: 'POST' }).length + 10 + Math.floor(Math.random() * 150);
      const running = env.start();
      let exited = false;
      void running.done.then(() => (exited = true));
      while (!exited && env.sim.requests({ method: 'POST' }).length < target) await new Promise((r) => setTimeout(r, 5));
      running.child.kill('SIGKILL');
      if ((await running.done).signal === 'SIGKILL') killed++;
    }
    assert.ok(killed >= 4, `killed ${killed} runs mid-way`);
    const final = await env.sync();
    assert.equal(final.code, 0, final.stderr);
    assertConverged(env);
    // Killed runs never finished; the last one did.
    const last = env.query<{ outcome: string | null }>('SELECT outcome FROM runs ORDER BY id DESC LIMIT 1')[0]!;
    assert.equal(last.outcome, 'success');
  });

  for (const [signal, code] of [['SIGTERM', 143], ['SIGINT', 130]] as const) {
    it(`on ${signal} sends no new write, records the ones in flight and exits ${code}`, async () => {
      const env = await syncEnv(scenario);
      env.sim.setFault({ controller: 'a' }, { kind: 'slow', delayMs: 20, methods: ['POST'] });
      env.sim.setFault({ controller: 'b' }, { kind: 'slow', delayMs: 20, methods: ['POST'] });
      const running = env.start();
      // Signal once writes are flowing.
      while (env.sim.requests({ method: 'POST' }).length < 20) await new Promise((r) => setTimeout(r, 20));
      running.child.kill(signal);
      const result = await running.done;
      assert.equal(result.code, code, result.stderr);
      const sent = env.sim.requests({ method: 'POST' }).length;
      assert.ok(sent < RECORDS * 3, 'stopped before the end');
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(env.sim.requests({ method: 'POST' }).length, sent, 'nothing sent after exit');
      assert.equal(env.query<{ n: number }>('SELECT count(*) AS n FROM replicas WHERE pending IS NOT NULL')[0]!.n, 0, 'no intent left open');
      assert.equal(env.query<{ n: number }>("SELECT count(*) AS n FROM sync_events WHERE status = 'CREATED'")[0]!.n, sent, 'each sent create recorded');
      assert.equal(env.query<{ outcome: string }>('SELECT outcome FROM runs')[0]!.outcome, 'interrupted');

      env.sim.setFault({ controller: 'a' }, null);
      env.sim.setFault({ controller: 'b' }, null);
      assert.equal((await env.sync()).code, 0);
      assertConverged(env);
    });
  }
});
