// Faults that make a list wrong while it still answers 200 (hide, totalCount,
// repeatPage, shortPage, siteTwice, emptyFilter) and the proxy's own 401.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ShapeError, startSimulator } from '../../fixtures/simulator/index.ts';
import type { ControllerInfo, Simulator } from '../../fixtures/simulator/index.ts';
import { SITE_A, SITE_B, SITE_C, call, sharedSimulator, twoControllers } from './sim-client.ts';

const POLICIES_A = `/v1/sites/${SITE_A}/dns/policies`;
const POLICIES_B = `/v1/sites/${SITE_B}/dns/policies`;
const POLICIES_C = `/v1/sites/${SITE_C}/dns/policies`;
const hosts = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `host-${from + i}.branch.lan`);
const domains = (res: { json: any }) => res.json.data.map((p: any) => p.domain);

let sim: Simulator;
let alpha: ControllerInfo;
let beta: ControllerInfo;
sharedSimulator((shared) => ({ sim, alpha, beta } = shared));

describe('hide', () => {
  test('the listing omits the given ids, counts agree with it, and GET by id still finds them', async () => {
    const [, second, third] = sim.policies('alpha', SITE_B);
    sim.setFault({ controller: 'alpha', site: 'branch' }, { kind: 'hide', ids: [second!.id, third!.id.toUpperCase()] });
    const page = await call(alpha, 'GET', `${POLICIES_B}?limit=5`);
    assert.deepEqual(domains(page), ['host-1.branch.lan', 'host-4.branch.lan', 'host-5.branch.lan', 'host-6.branch.lan', 'host-7.branch.lan']);
    assert.equal(page.json.totalCount, 58);
    assert.equal(sim.requests({ controller: 'alpha' }).at(-1)?.fault, 'hide');
    const one = await call(alpha, 'GET', `${POLICIES_B}/${second!.id}`);
    assert.equal(one.status, 200);
    assert.equal(one.json.domain, 'host-2.branch.lan');
    assert.equal(sim.requests({ controller: 'alpha' }).at(-1)?.fault, null, 'GET by id is not shaped');
  });

  test('newest hides the last N in creation order; count makes it expire, and only list requests use it up', async () => {
    sim.setFault({ controller: 'alpha', site: 'branch' }, { kind: 'hide', newest: 3, count: 1 });
    await call(alpha, 'GET', `${POLICIES_B}/${sim.policies('alpha', SITE_B)[0]!.id}`);
    assert.equal(sim.faults({ controller: 'alpha', site: 'branch' })[0]?.count, 1, 'GET by id took nothing');
    const hidden = await call(alpha, 'GET', `${POLICIES_B}?offset=50&limit=25`);
    assert.deepEqual(domains(hidden), hosts(51, 57));
    assert.equal(hidden.json.totalCount, 57);
    assert.equal((await call(alpha, 'GET', `${POLICIES_B}?offset=50&limit=25`)).json.count, 10, 'expired');
  });

  test('on later firmware a hidden policy cannot be created again: record-already-exists', async () => {
    const existing = sim.addPolicy('beta', SITE_C, { type: 'A_RECORD', domain: 'hidden.lan', ipv4Address: '10.3.3.3' });
    sim.setFault({ controller: 'beta' }, { kind: 'hide', ids: [existing.id] });
    assert.equal((await call(beta, 'GET', POLICIES_C)).json.totalCount, 0);
    const { id: _, metadata: __, ...body } = existing;
    const res = await call(beta, 'POST', POLICIES_C, { body });
    assert.equal(res.status, 400);
    assert.equal(res.json.code, 'api.dns.policy.validation.record-already-exists');
  });
});

describe('totalCount', () => {
  test('a value or a delta replaces the truth, on any list; count and data stay true', async () => {
    sim.setFault({ controller: 'alpha' }, { kind: 'totalCount', value: 20, path: '/dns/policies' });
    const small = await call(alpha, 'GET', POLICIES_B);
    assert.deepEqual([small.json.count, small.json.totalCount, small.json.data.length], [25, 20, 25]);
    sim.setFault({ controller: 'alpha' }, { kind: 'totalCount', delta: 40 });
    assert.equal((await call(alpha, 'GET', POLICIES_B)).json.totalCount, 100);
    assert.equal((await call(alpha, 'GET', '/v1/sites')).json.totalCount, 42);
    sim.setFault({ controller: 'alpha' }, { kind: 'totalCount', delta: -1000 });
    assert.equal((await call(alpha, 'GET', POLICIES_B)).json.totalCount, 0, 'never below zero');
  });
});

describe('repeatPage and shortPage', () => {
  test('repeatPage: every later page answers the items of the page before it', async () => {
    sim.setFault({ controller: 'alpha', site: SITE_B }, { kind: 'repeatPage' });
    const first = await call(alpha, 'GET', `${POLICIES_B}?offset=0&limit=10`);
    const second = await call(alpha, 'GET', `${POLICIES_B}?offset=10&limit=10`);
    assert.deepEqual(domains(first), hosts(1, 10));
    assert.deepEqual(domains(second), hosts(1, 10));
    assert.deepEqual([second.json.offset, second.json.count, second.json.totalCount], [10, 10, 60], 'the claims are those of the page asked for');
  });

  test('repeatPage with an offset repeats only that page, and count 1 only once', async () => {
    sim.setFault({ controller: 'alpha' }, { kind: 'repeatPage', offset: 20, count: 1 });
    assert.deepEqual(domains(await call(alpha, 'GET', `${POLICIES_B}?offset=10&limit=10`)), hosts(11, 20));
    assert.deepEqual(domains(await call(alpha, 'GET', `${POLICIES_B}?offset=20&limit=10`)), hosts(11, 20));
    assert.deepEqual(domains(await call(alpha, 'GET', `${POLICIES_B}?offset=20&limit=10`)), hosts(21, 30));
  });

  test('shortPage drops the last N items; count claims the full page unless claim is "data"', async () => {
    sim.setFault({ controller: 'alpha', site: 'branch' }, { kind: 'shortPage', drop: 2 });
    const full = await call(alpha, 'GET', POLICIES_B);
    assert.deepEqual(domains(full), hosts(1, 23));
    assert.deepEqual([full.json.count, full.json.totalCount], [25, 60]);
    sim.setFault({ controller: 'alpha', site: 'branch' }, { kind: 'shortPage', drop: 5, offset: 25, claim: 'data' });
    assert.equal((await call(alpha, 'GET', POLICIES_B)).json.count, 25, 'another offset is whole');
    const short = await call(alpha, 'GET', `${POLICIES_B}?offset=25`);
    assert.deepEqual(domains(short), hosts(26, 45));
    assert.deepEqual([short.json.count, short.json.totalCount], [20, 60]);
    assert.equal(sim.requests({ controller: 'alpha' }).at(-1)?.fault, 'shortPage');
  });
});

describe('siteTwice, emptyFilter', () => {
  test('siteTwice lists a site twice in /v1/sites, counted', async () => {
    sim.setFault({ controller: 'alpha' }, { kind: 'siteTwice' });
    const all = await call(alpha, 'GET', '/v1/sites');
    assert.deepEqual(all.json.data.map((s: any) => s.internalReference), ['default', 'default', 'branch']);
    assert.deepEqual([all.json.count, all.json.totalCount], [3, 3]);
    sim.setFault({ controller: 'alpha' }, { kind: 'siteTwice', site: SITE_B });
    assert.deepEqual((await call(alpha, 'GET', '/v1/sites')).json.data.map((s: any) => s.id), [SITE_A, SITE_B, SITE_B]);
    assert.equal((await call(alpha, 'GET', POLICIES_B)).json.totalCount, 60, 'policy lists are not affected');
  });

  test('emptyFilter: a list with a filter answers 200 with no items; without the fault a filter is refused', async () => {
    const query = `${POLICIES_A}?filter=${encodeURIComponent("domain.like('nas*')")}`;
    assert.equal((await call(alpha, 'GET', query)).status, 400);
    sim.setFault({ controller: 'alpha' }, { kind: 'emptyFilter' });
    const empty = await call(alpha, 'GET', query);
    assert.equal(empty.status, 200);
    assert.deepEqual(empty.json, { offset: 0, limit: 25, count: 0, totalCount: 0, data: [] });
    assert.equal((await call(alpha, 'GET', POLICIES_A)).json.count, 4, 'without a filter the list is whole');
  });
});

describe('proxyUnauthorized', () => {
  test("answers the UniFi OS proxy's own 401 body, whatever the key", async () => {
    sim.setFault({ controller: 'beta' }, { kind: 'proxyUnauthorized', count: 1 });
    const res = await call(beta, 'GET', '/v1/sites');
    assert.equal(res.status, 401);
    assert.equal(res.text, '{"error":{"code":401,"message":"Unauthorized"}}');
    assert.equal(sim.requests({ controller: 'beta' }).at(-1)?.fault, 'proxyUnauthorized');
    assert.equal((await call(beta, 'GET', '/v1/sites')).status, 200);
  });

  test('as a scenario flag: a controller whose key the proxy refuses', async () => {
    const scenario = twoControllers();
    scenario.controllers[0]!.faults = [{ kind: 'proxyUnauthorized' }];
    const other = await startSimulator(scenario);
    try {
      assert.deepEqual((await call(other.controller('alpha'), 'GET', '/v1/info')).json, { error: { code: 401, message: 'Unauthorized' } });
    } finally {
      await other.close();
    }
  });
});

describe('list faults: timing, the admin API, bad options', () => {
  test('behind slow, a list fault with count 1 shapes one answer only', async () => {
    sim.setFault({ controller: 'alpha' }, [{ kind: 'slow', delayMs: 150 }, { kind: 'totalCount', value: 1, count: 1 }]);
    const answers = await Promise.all([1, 2, 3].map(() => call(alpha, 'GET', POLICIES_B)));
    assert.deepEqual(answers.map((a) => a.json.totalCount).sort((a, b) => a - b), [1, 60, 60]);
  });

  test('set over the admin API like any fault', async () => {
    const set = await call(alpha, 'POST', '/__sim/faults', { key: null, body: { site: 'branch', faults: [{ kind: 'hide', newest: 10 }, { kind: 'totalCount', delta: 5 }] } });
    assert.equal(set.status, 200, set.text);
    assert.equal((await call(alpha, 'GET', POLICIES_B)).json.totalCount, 55);
    const bad = await call(alpha, 'POST', '/__sim/faults', { key: null, body: { fault: { kind: 'hide' } } });
    assert.equal(bad.status, 400);
    assert.match(bad.json.error, /ids' or 'newest/);
  });

  test('bad options are refused', () => {
    const set = (fault: unknown) => () => sim.setFault({ controller: 'alpha' }, fault as never);
    assert.throws(set({ kind: 'totalCount' }), ShapeError);
    assert.throws(set({ kind: 'totalCount', value: 1, delta: 1 }), /one of 'value' or 'delta'/);
    assert.throws(set({ kind: 'shortPage' }), /drop/);
    assert.throws(set({ kind: 'shortPage', drop: 1, claim: 'some' }), /claim/);
    assert.throws(set({ kind: 'repeatPage', offset: 0 }), /offset/);
    assert.throws(set({ kind: 'siteTwice', extra: 1 }), /unknown key 'extra'/);
  });
});
