// Every fault mode, per controller and per site, set from the scenario, from
// code and through the admin API.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ShapeError, startSimulator } from '../../fixtures/simulator/index.ts';
import type { ControllerInfo, Simulator } from '../../fixtures/simulator/index.ts';
import { SITE_A, SITE_B, SITE_C, call, sharedSimulator, twoControllers } from './sim-client.ts';

const POLICIES_A = `/v1/sites/${SITE_A}/dns/policies`;
const POLICIES_B = `/v1/sites/${SITE_B}/dns/policies`;
const aRecord = (domain: string) => ({ type: 'A_RECORD', enabled: true, domain, ipv4Address: '10.9.9.9', ttlSeconds: 0 });

let sim: Simulator;
let alpha: ControllerInfo;
let beta: ControllerInfo;
sharedSimulator((shared) => ({ sim, alpha, beta } = shared));

describe('fault modes', () => {
  test('slow delays the answer, which is otherwise normal', async () => {
    sim.setFault({ controller: 'alpha' }, { kind: 'slow', delayMs: 300 });
    const started = performance.now();
    const res = await call(alpha, 'GET', '/v1/info');
    assert.ok(performance.now() - started >= 290, 'delayed');
    assert.equal(res.status, 200);
    assert.equal(sim.requests({ controller: 'alpha' }).at(-1)?.fault, null, 'slow does not change the answer');
  });

  test('a fault with count 1 behind slow is taken by one request only, even when several arrive during the delay', async () => {
    sim.setFault({ controller: 'alpha' }, [{ kind: 'slow', delayMs: 200 }, { kind: 'status', status: 503, count: 1 }]);
    const answers = await Promise.all([1, 2, 3, 4].map(() => call(alpha, 'GET', '/v1/info')));
    assert.deepEqual(answers.map((a) => a.status).sort(), [200, 200, 200, 503]);
    assert.deepEqual(sim.faults({ controller: 'alpha' }), [{ kind: 'slow', delayMs: 200 }], 'the status fault is used up');
  });

  test('rateLimit answers 429 with Retry-After for the next K requests', async () => {
    sim.setFault({ controller: 'alpha' }, { kind: 'rateLimit', retryAfter: 7, count: 2 });
    for (let i = 0; i < 2; i++) {
      const res = await call(alpha, 'GET', '/v1/sites');
      assert.equal(res.status, 429);
      assert.equal(res.headers.get('retry-after'), '7');
      assert.equal(res.json.statusCode, 429);
      assert.equal(res.json.statusName, 'TOO_MANY_REQUESTS');
      if (i === 0) assert.deepEqual(sim.faults({ controller: 'alpha' }), [{ kind: 'rateLimit', retryAfter: 7, count: 1 }]);
    }
    assert.equal((await call(alpha, 'GET', '/v1/sites')).status, 200);
    assert.deepEqual(sim.faults({ controller: 'alpha' }), [], 'expired');
  });

  test('status answers a 5xx, only for the given methods and only K times; nothing is written', async () => {
    sim.setFault({ controller: 'alpha' }, { kind: 'status', status: 503, count: 1, methods: ['post'] });
    assert.equal((await call(alpha, 'GET', POLICIES_A)).status, 200);
    const count = sim.policies('alpha', SITE_A).length;
    const failed = await call(alpha, 'POST', POLICIES_A, { body: aRecord('five.lan') });
    assert.equal(failed.status, 503);
    assert.equal(failed.json.statusName, 'SERVICE_UNAVAILABLE');
    assert.equal(sim.policies('alpha', SITE_A).length, count);
    assert.equal((await call(alpha, 'POST', POLICIES_A, { body: aRecord('five.lan') })).status, 201);
  });

  test('status with when "after" applies the write and then fails the answer', async () => {
    sim.setFault({ controller: 'alpha' }, { kind: 'status', status: 502, when: 'after', methods: ['POST'] });
    const res = await call(alpha, 'POST', POLICIES_A, { body: aRecord('lost-answer.lan') });
    assert.equal(res.status, 502);
    assert.ok(sim.policies('alpha', SITE_A).some((p) => p.domain === 'lost-answer.lan'), 'the create happened');
  });

  test('hang accepts the request and never answers', async () => {
    sim.setFault({ controller: 'alpha' }, { kind: 'hang', count: 1 });
    await assert.rejects(call(alpha, 'GET', '/v1/info', { timeoutMs: 200 }), (e: Error) => e.name === 'TimeoutError');
    const logged = sim.requests({ controller: 'alpha', path: '/v1/info' }).at(-1);
    assert.equal(logged?.fault, 'hang');
    assert.equal(logged?.status, null);
    assert.equal((await call(alpha, 'GET', '/v1/info')).status, 200, 'the next request is answered');
  });

  test('reset destroys the connection, over HTTP and HTTPS', async () => {
    for (const [name, ctl] of [['alpha', alpha], ['beta', beta]] as const) {
      sim.setFault({ controller: name }, { kind: 'reset', count: 1 });
      await assert.rejects(call(ctl, 'GET', '/v1/sites'), (e: Error & { cause?: { code?: string } }) => {
        assert.equal(e.name, 'TypeError');
        assert.match(String(e.cause?.code), /ECONNRESET|UND_ERR_SOCKET/);
        return true;
      });
      assert.equal(sim.requests({ controller: name }).at(-1)?.fault, 'reset');
      assert.equal((await call(ctl, 'GET', '/v1/sites')).status, 200);
    }
  });

  test('malformedJson answers 200 with the real answer cut short', async () => {
    sim.setFault({ controller: 'beta' }, { kind: 'malformedJson' });
    const res = await call(beta, 'GET', '/v1/sites');
    assert.equal(res.status, 200);
    assert.match(String(res.headers.get('content-type')), /application\/json/);
    assert.throws(() => JSON.parse(res.text));
    assert.ok(res.text.startsWith('{"offset":0,"limit":25'));
    // The request itself is carried out: only the answer is mangled, even an empty one.
    const policy = sim.addPolicy('beta', SITE_C, { type: 'A_RECORD', domain: 'doomed.lan', ipv4Address: '10.0.0.1' });
    const del = await call(beta, 'DELETE', `/v1/sites/${SITE_C}/dns/policies/${policy.id}`);
    assert.equal(del.status, 200);
    assert.throws(() => JSON.parse(del.text));
    assert.deepEqual(sim.policies('beta', SITE_C), []);
  });

  test('htmlLogin answers 200 with a login page', async () => {
    sim.setFault({ controller: 'alpha' }, { kind: 'htmlLogin' });
    const res = await call(alpha, 'GET', POLICIES_A, { key: null });
    assert.equal(res.status, 200);
    assert.match(String(res.headers.get('content-type')), /^text\/html/);
    assert.match(res.text, /<form[^>]*login/);
  });

  test('overlap refuses creates of the given domains with the given code', async () => {
    sim.setFault({ controller: 'alpha' }, [
      { kind: 'overlap', domains: ['blocked.lan'], code: 'api.dns.policy.validation.cname-alias-overlap' },
      { kind: 'overlap', domains: ['*.local-only.lan'] },
    ]);
    const blocked = await call(alpha, 'POST', POLICIES_A, { body: aRecord('Blocked.lan') });
    assert.equal(blocked.status, 400);
    assert.equal(blocked.json.code, 'api.dns.policy.validation.cname-alias-overlap');
    const wild = await call(alpha, 'POST', POLICIES_B, { body: aRecord('x.local-only.lan') });
    assert.equal(wild.json.code, 'api.dns.policy.validation.overlap-with-local-dns');
    assert.ok(!sim.policies('alpha', SITE_A).some((p) => p.domain === 'Blocked.lan'));
    assert.equal((await call(alpha, 'POST', POLICIES_A, { body: aRecord('fine.lan') })).status, 201);
    assert.equal((await call(alpha, 'GET', POLICIES_A)).status, 200, 'reads are unaffected');
  });
});

describe('where faults apply', () => {
  test('a site fault hits only paths naming that site; the controller and other sites are fine', async () => {
    sim.setFault({ controller: 'alpha', site: 'branch' }, { kind: 'status', status: 500 });
    assert.equal((await call(alpha, 'GET', POLICIES_B)).status, 500);
    assert.equal((await call(alpha, 'GET', `/v1/sites/${SITE_B}/clients`)).status, 500);
    assert.equal((await call(alpha, 'GET', POLICIES_A)).status, 200);
    assert.equal((await call(alpha, 'GET', '/v1/sites')).status, 200);
    assert.equal((await call(alpha, 'GET', '/v1/info')).status, 200);
    assert.deepEqual(sim.faults({ controller: 'alpha', site: SITE_B }), [{ kind: 'status', status: 500 }]);
    assert.deepEqual(sim.faults({ controller: 'alpha' }), []);
  });

  test('a controller fault hits every path of that controller only', async () => {
    sim.setFault({ controller: 'alpha' }, { kind: 'status', status: 500 });
    for (const path of ['/v1/info', '/v1/sites', POLICIES_A, POLICIES_B]) assert.equal((await call(alpha, 'GET', path)).status, 500, path);
    assert.equal((await call(beta, 'GET', '/v1/sites')).status, 200);
  });

  test('the site fault comes first when both apply', async () => {
    sim.setFault({ controller: 'alpha' }, { kind: 'status', status: 500 });
    sim.setFault({ controller: 'alpha', site: SITE_A }, { kind: 'rateLimit', retryAfter: 1 });
    assert.equal((await call(alpha, 'GET', POLICIES_A)).status, 429);
    assert.equal((await call(alpha, 'GET', POLICIES_B)).status, 500);
  });

  test('a path filter narrows a fault', async () => {
    sim.setFault({ controller: 'alpha' }, { kind: 'status', status: 504, path: '/clients' });
    assert.equal((await call(alpha, 'GET', `/v1/sites/${SITE_A}/clients`)).status, 504);
    assert.equal((await call(alpha, 'GET', POLICIES_A)).status, 200);
  });

  test('faults act before auth, as a broken network would', async () => {
    sim.setFault({ controller: 'alpha' }, { kind: 'status', status: 503, count: 1 });
    assert.equal((await call(alpha, 'GET', '/v1/sites', { key: 'wrong' })).status, 503);
    assert.equal((await call(alpha, 'GET', '/v1/sites', { key: 'wrong' })).status, 401);
  });

  test('bad faults are refused', () => {
    assert.throws(() => sim.setFault({ controller: 'alpha' }, { kind: 'explode' } as never), ShapeError);
    assert.throws(() => sim.setFault({ controller: 'alpha' }, { kind: 'slow' } as never), /delayMs/);
    assert.throws(() => sim.setFault({ controller: 'alpha', site: 'nowhere' }, null), /no site nowhere/);
    assert.throws(() => sim.setFault({ controller: 'gamma' }, null), /no controller gamma/);
  });
});

describe('faults from elsewhere', () => {
  test('from the scenario, per controller and per site', async () => {
    const scenario = twoControllers();
    scenario.controllers[0]!.faults = [{ kind: 'rateLimit', retryAfter: 3, count: 1 }];
    scenario.controllers[0]!.sites![1]!.faults = [{ kind: 'htmlLogin', methods: ['GET'] }];
    const other = await startSimulator(scenario);
    try {
      const ctl = other.controller('alpha');
      const first = await call(ctl, 'GET', '/v1/info');
      assert.equal(first.status, 429);
      assert.equal(first.headers.get('retry-after'), '3');
      assert.equal((await call(ctl, 'GET', '/v1/info')).status, 200);
      assert.match((await call(ctl, 'GET', POLICIES_B)).text, /<html/);
      assert.equal((await call(ctl, 'GET', POLICIES_A)).status, 200);
    } finally {
      await other.close();
    }
  });

  test('through the admin API, without a key', async () => {
    const set = await call(alpha, 'POST', '/__sim/faults', { key: null, body: { site: 'branch', fault: { kind: 'status', status: 500, count: 2 } } });
    assert.equal(set.status, 200, set.text);
    assert.deepEqual(set.json.faults, [{ kind: 'status', status: 500, count: 2 }]);
    assert.equal((await call(alpha, 'GET', POLICIES_B)).status, 500);
    const listed = await call(alpha, 'GET', '/__sim/faults', { key: null });
    assert.deepEqual(listed.json.sites[SITE_B], [{ kind: 'status', status: 500, count: 1 }]);
    assert.deepEqual(listed.json.controller, []);
    await call(alpha, 'POST', '/__sim/faults', { body: { fault: { kind: 'slow', delayMs: 1 } } });
    assert.equal(sim.faults({ controller: 'alpha' }).length, 1);
    assert.equal((await call(alpha, 'DELETE', '/__sim/faults')).status, 200);
    assert.equal((await call(alpha, 'GET', POLICIES_B)).status, 200);
    assert.deepEqual(sim.faults({ controller: 'alpha' }), []);
    const bad = await call(alpha, 'POST', '/__sim/faults', { body: { fault: { kind: 'status' } } });
    assert.equal(bad.status, 400);
    assert.match(bad.json.error, /status/);
  });
});
