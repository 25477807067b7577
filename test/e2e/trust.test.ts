import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Fault, PolicyInput, Scenario } from '../../fixtures/simulator/index.ts';
import { syncEnv, writes, type SyncEnv } from '../support/sync-env.ts';

// Every case runs on the newest firmware the simulator knows, with its refusals.
const FIRMWARE = '10.6.106';
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const hosts = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => ({ id: id(from + i + 1), type: 'A_RECORD' as const, domain: `h${from + i}.lan`, ipv4Address: `10.0.1.${from + i}`, ttlSeconds: 0 }));

function scenario(policies: PolicyInput[] = hosts(3)): Scenario {
  return {
    controllers: [
      { name: 'home', version: FIRMWARE, sites: [{ internalReference: 'default', policies }, { internalReference: 'lab' }] },
      { name: 'cabin', version: FIRMWARE, sites: [{ internalReference: 'default' }] },
    ],
  };
}

/** Each identity once at every site of every controller, and no policy dnssync made is an origin. */
function assertInvariants(env: SyncEnv): void {
  for (const [controller, site] of [['home', 'default'], ['home', 'lab'], ['cabin', 'default']] as const) {
    const identities = env.identities(controller, site);
    assert.deepEqual(identities, [...new Set(identities)], `no duplicate at ${controller}/${site}`);
  }
  const made = env.query<{ n: number }>(
    'SELECT count(*) AS n FROM record_origins o JOIN replicas r ON r.policy_id = o.policy_id',
  )[0]!.n;
  assert.equal(made, 0, 'a policy dnssync created is never an origin');
}

describe('trust: absence in a listing is confirmed by id before anything rests on it', () => {
  it('an origin hidden from its listing ends nothing: the site is failed for the run (exit 3), no write anywhere; then it converges', async () => {
    const env = await syncEnv(scenario(), { sync: { orphanGracePeriod: '0s' } });
    assert.equal((await env.sync()).code, 0);
    env.sim.clearRequests();

    env.sim.setFault({ controller: 'home', site: 'default' }, { kind: 'hide', ids: [id(1)] });
    const hidden = await env.sync(['--log-format', 'text']);
    assert.equal(hidden.code, 3, hidden.stderr);
    assert.match(hidden.stderr, /left out policy .* \(h0\.lan\), which the controller still has: the listing was incomplete/);
    assert.equal(writes(env.sim), 0);
    assert.equal(env.sim.requests({ method: 'GET', path: `/dns/policies/${id(1)}` }).length, 1, 'read by id once');
    assert.deepEqual(env.query('SELECT status FROM sync_events WHERE status = ?', 'ORPHANED'), []);

    env.sim.setFault({ controller: 'home', site: 'default' }, null);
    assert.equal((await env.sync()).code, 0);
    assert.equal(env.identities('cabin', 'default').length, 3);
    assertInvariants(env);
  });

  it('our replica hidden from its listing is not created again (no POST); a 404 confirms a real deletion, which is then repaired', async () => {
    const env = await syncEnv(scenario());
    assert.equal((await env.sync()).code, 0);
    const replica = env.sim.policies('cabin', 'default').find((p) => p.domain === 'h1.lan')!;
    env.sim.clearRequests();

    env.sim.setFault({ controller: 'cabin', site: 'default' }, { kind: 'hide', ids: [replica.id] });
    const hidden = await env.sync();
    assert.equal(hidden.code, 3);
    assert.equal(writes(env.sim), 0);
    env.sim.setFault({ controller: 'cabin', site: 'default' }, null);

    env.sim.removePolicy('cabin', 'default', replica.id);
    const deleted = await env.sync(['--json']);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.equal(JSON.parse(deleted.stdout).summary.created, 1);
    assert.equal(env.sim.requests({ method: 'GET', path: `/dns/policies/${replica.id}`, status: 404 }).length, 1);
    assertInvariants(env);
  });

  it('a steady state reads nothing by id', async () => {
    const env = await syncEnv(scenario());
    assert.equal((await env.sync()).code, 0);
    env.sim.clearRequests();
    assert.equal((await env.sync()).code, 0);
    assert.equal(env.sim.requests({ method: 'GET', path: /\/dns\/policies\/./ }).length, 0);
  });
});

describe('trust: mass loss is refused like mass deletion', () => {
  it('refuses (exit 4, nothing applied, nothing recorded) a run that would end 4 of the 12 origins of a site; --force goes ahead', async () => {
    const env = await syncEnv(scenario(hosts(12)), { sync: { orphanGracePeriod: '0s' } });
    assert.equal((await env.sync()).code, 0);
    for (let n = 1; n <= 4; n++) env.sim.removePolicy('home', 'default', id(n));
    env.sim.clearRequests();

    const refused = await env.sync();
    assert.equal(refused.code, 4, refused.stderr);
    assert.match(refused.stdout, /home \/ default: would end 4 of the 12 origins it holds .*: 33 %, over sync\.maxDeletePercent \(30 %\)/);
    assert.equal(writes(env.sim), 0);
    assert.deepEqual(env.query('SELECT status FROM sync_events WHERE status = ?', 'ORPHANED'), [], 'the loss is not recorded either');

    const forced = await env.sync(['--force', '--json']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal(JSON.parse(forced.stdout).summary.deleted, 8, 'the 4 records go from the 2 other sites');
    assert.equal(env.identities('cabin', 'default').length, 8);
  });
});

describe('trust: what the controller would refuse is not sent', () => {
  it('a record the target already serves as SYSTEM_DEFINED is a skip naming it; a wildcard CNAME is never sent', async () => {
    const base = scenario([...hosts(1), { id: id(50), type: 'CNAME_RECORD', domain: '*.dev.lan', targetDomain: 'h0.lan', ttlSeconds: 0 }]);
    base.controllers[1]!.sites![0]!.policies = [{ type: 'A_RECORD', domain: 'h0.lan', ipv4Address: '10.0.1.0', metadata: { origin: 'SYSTEM_DEFINED' } }];
    const env = await syncEnv(base);
    const first = await env.sync(['--json']);
    assert.equal(first.code, 0, first.stderr);
    const report = JSON.parse(first.stdout);
    const cabin = report.sites.find((s: { controller: string }) => s.controller === 'cabin');
    assert.deepEqual(
      cabin.actions.map((a: { action: string; domain: string; reason?: string }) => `${a.action} ${a.domain} ${a.reason ?? ''}`).sort(),
      ['skip *.dev.lan the controller refuses a wildcard CNAME', 'skip h0.lan served at default as SYSTEM_DEFINED'],
    );
    assert.equal(env.sim.requests({ method: 'POST', controller: 'cabin' }).length, 0);
    assert.equal(env.sim.requests({ method: 'POST', status: 400 }).length, 0, 'nothing refused by the controller');
    assertInvariants(env);
  });
});

describe('trust: a refusal is remembered', () => {
  it('a value the firmware refuses (api.request.error) is refused once, a skip with exit 0, and not sent again', async () => {
    const env = await syncEnv(scenario(hosts(1)));
    const refusal: Fault = { kind: 'status', status: 400, code: 'api.request.error', message: 'ipv4Address must be valid IP format', methods: ['POST'] };
    env.sim.setFault({ controller: 'home', site: 'lab' }, refusal);
    env.sim.setFault({ controller: 'cabin', site: 'default' }, refusal);
    const first = await env.sync(['--json']);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(JSON.parse(first.stdout).summary.skipped, 2);
    assert.deepEqual(
      env.query<{ code: string; message: string }>('SELECT code, message FROM refusals').map((r) => `${r.code} ${r.message}`),
      ['api.request.error ipv4Address must be valid IP format', 'api.request.error ipv4Address must be valid IP format'],
    );
    env.sim.clearRequests();
    const second = await env.sync(['--fail-on-changes']);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(writes(env.sim), 0);
    assert.equal(env.query<{ n: number }>("SELECT count(*) AS n FROM sync_events WHERE status = 'SKIPPED'")[0]!.n, 2, 'one event each, when it started');
  });
});
