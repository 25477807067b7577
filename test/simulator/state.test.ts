// Scenarios (files, generation, errors), direct state access, the request log
// and the admin API.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ShapeError, loadScenario, stableUuid, startSimulator } from '../../fixtures/simulator/index.ts';
import type { ControllerInfo, Scenario, Simulator } from '../../fixtures/simulator/index.ts';
import { SITE_A, call, tlsAgent, twoControllers } from './sim-client.ts';

const DEMO = new URL('../../fixtures/scenarios/demo.json', import.meta.url).pathname;
const POLICIES_A = `/v1/sites/${SITE_A}/dns/policies`;

let tmp: string;
before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'dnssync-sim-'));
});
after(async () => {
  await rm(tmp, { recursive: true, force: true });
  await tlsAgent.close();
});

async function withSim<T>(scenario: Scenario | string, run: (sim: Simulator) => Promise<T>, logLimit?: number): Promise<T> {
  const sim = await startSimulator(scenario, { ephemeralPorts: true, ...(logLimit !== undefined && { logLimit }) });
  try {
    return await run(sim);
  } finally {
    await sim.close();
  }
}

describe('scenario files', () => {
  test('the demo scenario has what the demo needs', async () => {
    await withSim(DEMO, async (sim) => {
      assert.deepEqual(sim.controllers.map((c) => [c.name, c.tls]), [['home', false], ['office', true]]);
      assert.deepEqual(sim.controllers.map((c) => sim.sites(c.name).length), [3, 2]);
      const all = sim.controllers.flatMap((c) => sim.sites(c.name).map((s) => ({ ctl: c.name, site: s.internalReference, policies: sim.policies(c.name, s.id) })));
      const flat = all.flatMap((s) => s.policies.map((p) => ({ ...p, at: `${s.ctl}/${s.site}` })));
      for (const type of ['A_RECORD', 'AAAA_RECORD', 'CNAME_RECORD', 'FORWARD_DOMAIN']) assert.ok(flat.some((p) => p.type === type), type);
      assert.ok(flat.some((p) => p.metadata.origin === 'SYSTEM_DEFINED'));
      const cnameDomains = new Set(flat.filter((p) => p.type === 'CNAME_RECORD').map((p) => `${p.domain}`));
      assert.ok(flat.some((p) => p.type === 'A_RECORD' && cnameDomains.has(p.domain)), 'a CNAME at one site is an A at another');
      const aAt = flat.filter((p) => p.type === 'A_RECORD').map((p) => `${p.at} ${p.domain}`);
      assert.ok(aAt.some((k, i) => aAt.indexOf(k) !== i), 'a round-robin A');
      assert.ok(all.some((s) => sim.clients(s.ctl, s.site).length > 0), 'clients somewhere');
      // The demo asks for fixed ports, which ephemeralPorts overrides.
      assert.ok(sim.controllers.every((c) => c.port !== 18080 && c.port !== 18443));
      const home = sim.controller('home');
      assert.equal((await call(home, 'GET', '/v1/sites')).json.totalCount, 3);
    });
  });

  test('a fixed port is used; a busy one fails the start with a message', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    const scenario: Scenario = { controllers: [{ name: 'busy', port }] };
    await assert.rejects(startSimulator(scenario), /controller busy: cannot listen on 127\.0\.0\.1:\d+.*EADDRINUSE/);
    await new Promise((resolve) => probe.close(resolve));
    const sim = await startSimulator(scenario);
    try {
      assert.equal(sim.controller('busy').url, `http://127.0.0.1:${port}`);
    } finally {
      await sim.close();
    }
  });

  const bad: Array<[string, unknown, RegExp]> = [
    ['an unknown key', { controllers: [{ name: 'a', sites: [{ internalReference: 'x', polices: [] }] }] }, /controllers\[0\]\.sites\[0\]: unknown key 'polices'/],
    ['no controllers', { controllers: [] }, /at least one/],
    ['a site id that is not a UUID', { controllers: [{ name: 'a', sites: [{ id: 'default', internalReference: 'x' }] }] }, /sites\[0\]\.id: must be a UUID/],
    ['two controllers with one name', { controllers: [{ name: 'a' }, { name: 'a' }] }, /'a' is used twice/],
    ['two sites with one internalReference', { controllers: [{ name: 'a', sites: [{ internalReference: 'x' }, { internalReference: 'x' }] }] }, /already has site/],
    ['a bad policy', { controllers: [{ name: 'a', sites: [{ internalReference: 'x', policies: [{ type: 'A_RECORD', domain: 'd', ipv4Address: 'nope' }] }] }] }, /site x, policies\[0\].*ipv4Address/],
    ['a bad origin', { controllers: [{ name: 'a', sites: [{ internalReference: 'x', policies: [{ type: 'A_RECORD', domain: 'd', ipv4Address: '1.1.1.1', metadata: { origin: 'MINE' } }] }] }] }, /origin/],
    ['an unknown placeholder', { controllers: [{ name: 'a', sites: [{ internalReference: 'x', generate: { count: 1, domainPattern: 'h{n}.lan' } }] }] }, /unknown placeholder \{n\}/],
    ['a pattern that overflows', { controllers: [{ name: 'a', sites: [{ internalReference: 'x', generate: { count: 300, domainPattern: 'h{i}.lan', ipv4Pattern: '10.0.0.{i}' } }] }] }, /item 299.*ipv4Address/],
    ['a bad fault', { controllers: [{ name: 'a', faults: [{ kind: 'status', status: 200 }] }] }, /faults\[0\]\.status/],
  ];
  for (const [what, scenario, message] of bad) {
    test(`refuses ${what}`, async () => {
      await assert.rejects(startSimulator(scenario as Scenario), (e: Error) => e instanceof ShapeError && message.test(e.message));
    });
  }

  test('a missing or unparsable file names the file', async () => {
    await assert.rejects(loadScenario(join(tmp, 'none.json')), /cannot read scenario .*none\.json/);
    const broken = join(tmp, 'broken.json');
    await writeFile(broken, '{"controllers": [');
    await assert.rejects(loadScenario(broken), /broken\.json is not valid JSON/);
    const wrong = join(tmp, 'wrong.json');
    await writeFile(wrong, '{"controlers": []}');
    await assert.rejects(loadScenario(wrong), /wrong\.json: scenario: unknown key 'controlers'/);
  });
});

describe('generated data', () => {
  const scenario = (): Scenario => ({
    controllers: [
      {
        name: 'bulk',
        generateSites: {
          count: 30,
          generate: [
            { count: 300, domainPattern: 'host-{i}.{site}.lan', ipv4Pattern: '10.{s}.{hi}.{lo}', ttlSeconds: 60 },
            { count: 2, type: 'CNAME_RECORD', domainPattern: 'alias-{i}.{site}.lan', targetPattern: 'host-{i}.{site}.lan' },
            { count: 1, type: 'AAAA_RECORD', domainPattern: 'v6.{site}.lan', ipv6Pattern: 'fd00:{s}::{hex}', origin: 'DERIVED' },
          ],
          generateClients: { count: 3, namePattern: 'pc-{i}', ipv4Pattern: '10.99.{s}.{lo}' },
        },
      },
    ],
  });

  test('makes sites, policies and clients from patterns, with stable ids', async () => {
    const first = await withSim(scenario(), async (sim) => {
      const sites = sim.sites('bulk');
      assert.equal(sites.length, 30);
      assert.deepEqual(sites[0], { id: stableUuid('bulk', 'site-1'), internalReference: 'site-1', name: 'Site 1' });
      const policies = sim.policies('bulk', 'site-2');
      assert.equal(policies.length, 303);
      assert.deepEqual(policies[0], {
        type: 'A_RECORD', id: policies[0]!.id, enabled: true, metadata: { origin: 'USER_DEFINED' }, domain: 'host-1.site-2.lan', ipv4Address: '10.2.0.1', ttlSeconds: 60,
      });
      assert.equal(policies[255]!.ipv4Address, '10.2.1.0', '{hi}.{lo} of 256');
      assert.equal(policies[300]!.targetDomain, 'host-1.site-2.lan');
      assert.deepEqual({ ...policies[302], id: '' }, {
        type: 'AAAA_RECORD', id: '', enabled: true, metadata: { origin: 'DERIVED' }, domain: 'v6.site-2.lan', ipv6Address: 'fd00:2::1', ttlSeconds: 0,
      });
      assert.equal(new Set(sim.sites('bulk').flatMap((s) => sim.policies('bulk', s.id).map((p) => p.id))).size, 30 * 303, 'ids are unique');
      assert.deepEqual(sim.clients('bulk', 'site-3').map((c) => [c.name, c.ipAddress]), [['pc-1', '10.99.3.1'], ['pc-2', '10.99.3.2'], ['pc-3', '10.99.3.3']]);

      const ctl = sim.controller('bulk');
      const page = await call(ctl, 'GET', '/v1/sites');
      assert.equal(page.json.count, 25);
      assert.equal(page.json.totalCount, 30);
      // Generated CNAMEs take part in overlap checks like any other policy.
      const refused = await call(ctl, 'POST', `/v1/sites/${sites[0]!.id}/dns/policies`, {
        body: { type: 'A_RECORD', enabled: true, domain: 'alias-1.site-1.lan', ipv4Address: '10.0.0.1', ttlSeconds: 0 },
      });
      assert.equal(refused.json.code, 'api.dns.policy.validation.cname-alias-overlap');
      return sim.policies('bulk', 'site-7').map((p) => p.id);
    });
    const second = await withSim(scenario(), async (sim) => sim.policies('bulk', 'site-7').map((p) => p.id));
    assert.deepEqual(second, first);
  });
});

describe('direct state access', () => {
  let sim: Simulator;
  let alpha: ControllerInfo;
  before(async () => {
    sim = await startSimulator(twoControllers());
    alpha = sim.controller('alpha');
  });
  after(() => sim.close());

  test('policies added, changed and removed in code show through the API', async () => {
    const added = sim.addPolicy('alpha', 'default', {
      id: '6f1c2d3e-0000-4000-8000-0000000000d1', type: 'A_RECORD', domain: 'direct.lan', ipv4Address: '10.0.0.1', metadata: { origin: 'DERIVED' },
    });
    assert.deepEqual(added, { type: 'A_RECORD', id: '6f1c2d3e-0000-4000-8000-0000000000d1', enabled: true, metadata: { origin: 'DERIVED' }, domain: 'direct.lan', ipv4Address: '10.0.0.1', ttlSeconds: 0 });
    assert.deepEqual((await call(alpha, 'GET', `${POLICIES_A}/${added.id}`)).json, added);
    const changed = sim.updatePolicy('alpha', SITE_A, added.id, { ipv4Address: '10.0.0.2', enabled: false });
    assert.equal(changed.ipv4Address, '10.0.0.2');
    assert.equal(changed.metadata.origin, 'DERIVED');
    const retyped = sim.updatePolicy('alpha', SITE_A, added.id, { type: 'CNAME_RECORD', targetDomain: 'x.lan' });
    assert.equal(retyped.ipv4Address, undefined);
    assert.equal(retyped.targetDomain, 'x.lan');
    assert.equal(sim.removePolicy('alpha', SITE_A, added.id), true);
    assert.equal(sim.removePolicy('alpha', SITE_A, added.id), false);
    assert.equal((await call(alpha, 'GET', `${POLICIES_A}/${added.id}`)).status, 404);
    assert.throws(() => sim.addPolicy('alpha', SITE_A, { type: 'A_RECORD', domain: 'x.lan' }), /ipv4Address/);
    assert.throws(() => sim.updatePolicy('alpha', SITE_A, added.id, {}), /no policy/);
  });

  test('what the state API returns is a copy', async () => {
    const [first] = sim.policies('alpha', SITE_A);
    first!.domain = 'mutated.lan';
    first!.metadata.origin = 'DERIVED';
    const again = sim.policies('alpha', SITE_A)[0]!;
    assert.equal(again.domain, 'nas.lan');
    assert.equal(again.metadata.origin, 'USER_DEFINED');
  });

  test('sites, clients and local DNS names added and removed in code', async () => {
    const site = sim.addSite('alpha', { internalReference: 'new', name: 'New', policies: [{ type: 'A_RECORD', domain: 'n.lan', ipv4Address: '10.0.0.1' }] });
    assert.equal(site.id, stableUuid('alpha', 'new'));
    assert.equal((await call(alpha, 'GET', '/v1/sites')).json.totalCount, 3);
    assert.equal((await call(alpha, 'GET', `/v1/sites/${site.id}/dns/policies`)).json.count, 1);
    assert.throws(() => sim.addSite('alpha', { internalReference: 'new' }), /already has site/);
    const client = sim.addClient('alpha', 'new', { name: 'tv', ipAddress: '10.0.0.9', type: 'WIRELESS' });
    assert.equal((await call(alpha, 'GET', `/v1/sites/${site.id}/clients`)).json.data[0].name, 'tv');
    assert.equal(sim.removeClient('alpha', 'new', client.id), true);
    assert.deepEqual(sim.clients('alpha', 'new'), []);
    sim.setLocalDns('alpha', 'new', ['Local.LAN.']);
    const refused = await call(alpha, 'POST', `/v1/sites/${site.id}/dns/policies`, {
      body: { type: 'A_RECORD', enabled: true, domain: 'local.lan', ipv4Address: '10.0.0.1', ttlSeconds: 0 },
    });
    assert.equal(refused.json.code, 'api.dns.policy.validation.overlap-with-local-dns');
    assert.equal(sim.removeSite('alpha', site.id), true);
    assert.equal(sim.removeSite('alpha', site.id), false);
    assert.equal((await call(alpha, 'GET', `/v1/sites/${site.id}/dns/policies`)).status, 404);
    assert.throws(() => sim.policies('alpha', 'new'), /no site new/);
  });
});

describe('request log', () => {
  test('records controller, method, path, query, status, site, time and body', async () => {
    await withSim(twoControllers(), async (sim) => {
      const alpha = sim.controller('alpha');
      const beta = sim.controller('beta');
      const startedAt = Date.now();
      await call(alpha, 'GET', `${POLICIES_A}?offset=0&limit=200`);
      await call(alpha, 'POST', POLICIES_A, { body: { type: 'A_RECORD', enabled: true, domain: 'log.lan', ipv4Address: '10.0.0.1', ttlSeconds: 0 } });
      await call(alpha, 'GET', '/v1/sites', { key: 'bad' });
      await call(beta, 'GET', '/v1/info');
      await call(alpha, 'GET', '/__sim/state');

      const all = sim.requests();
      assert.equal(all.length, 4, 'admin requests are not logged');
      const [list, post, unauthorized, info] = all;
      assert.deepEqual({ ...list, timestamp: '' }, {
        seq: list!.seq, controller: 'alpha', method: 'GET', path: `/proxy/network/integration${POLICIES_A}`, query: { offset: '0', limit: '200' },
        status: 200, site: SITE_A, timestamp: '', fault: null,
      });
      assert.ok(Date.parse(list!.timestamp) >= startedAt - 1000);
      assert.equal(post!.status, 201);
      assert.deepEqual(post!.body, { type: 'A_RECORD', enabled: true, domain: 'log.lan', ipv4Address: '10.0.0.1', ttlSeconds: 0 });
      assert.equal(unauthorized!.status, 401);
      assert.equal(unauthorized!.site, null);
      assert.equal(info!.controller, 'beta');

      assert.equal(sim.requests({ method: 'post' }).length, 1);
      assert.equal(sim.requests({ controller: 'beta' }).length, 1);
      assert.equal(sim.requests({ site: 'default', controller: 'alpha' }).length, 2, 'a site by internalReference');
      assert.equal(sim.requests({ path: /\/v1\/(info|sites)$/ }).length, 2);
      assert.equal(sim.requests({ status: 401 }).length, 1);
      assert.deepEqual(sim.requestCounts('alpha'), { total: 3, byMethod: { GET: 2, POST: 1 }, byStatus: { '200': 1, '201': 1, '401': 1 } });

      sim.clearRequests('beta');
      assert.equal(sim.requests().length, 3);
      sim.clearRequests();
      assert.deepEqual(sim.requests(), []);
      assert.equal(sim.requestCounts().total, 0);
    });
  });

  test('keeps only the newest entries past logLimit, with exact counts', async () => {
    await withSim(twoControllers(), async (sim) => {
      const alpha = sim.controller('alpha');
      for (let i = 0; i < 5; i++) await call(alpha, 'GET', `/v1/sites?offset=${i}`);
      assert.deepEqual(sim.requests().map((r) => r.query.offset), ['3', '4']);
      assert.equal(sim.requestCounts().total, 5);
    }, 2);
  });
});

describe('admin API', () => {
  test('inspects and changes state without a key', async () => {
    await withSim(twoControllers(), async (sim) => {
      const alpha = sim.controller('alpha');
      const admin = (method: string, path: string, body?: unknown) => call(alpha, method, `/__sim${path}`, { key: null, ...(body !== undefined && { body }) });

      const state = await admin('GET', '/state');
      assert.equal(state.status, 200);
      assert.equal(state.json.controller.name, 'alpha');
      assert.deepEqual(state.json.sites.map((s: any) => [s.internalReference, s.policies, s.clients]), [['default', 4, 1], ['branch', 60, 0]]);

      const added = await admin('POST', '/sites/default/policies', [
        { type: 'A_RECORD', domain: 'sys.lan', ipv4Address: '10.0.0.1', metadata: { origin: 'SYSTEM_DEFINED' } },
        { type: 'CNAME_RECORD', domain: 'c.lan', targetDomain: 'sys.lan' },
      ]);
      assert.equal(added.status, 201, added.text);
      const [sys, cname] = added.json.data;
      assert.equal(sys.metadata.origin, 'SYSTEM_DEFINED');
      assert.deepEqual((await call(alpha, 'GET', `${POLICIES_A}/${sys.id}`)).json, sys);
      assert.equal((await admin('GET', `/sites/${SITE_A}/policies/${cname.id}`)).json.targetDomain, 'sys.lan');
      assert.equal((await admin('PUT', `/sites/${SITE_A}/policies/${cname.id}`, { targetDomain: 'other.lan' })).json.targetDomain, 'other.lan');
      assert.equal((await admin('DELETE', `/sites/${SITE_A}/policies/${cname.id}`)).status, 200);
      assert.equal((await admin('DELETE', `/sites/${SITE_A}/policies/${cname.id}`)).status, 404);
      assert.equal((await admin('GET', '/sites/default/policies')).json.count, 5);
      assert.equal((await admin('POST', '/sites/default/policies', { type: 'A_RECORD', domain: 'x.lan' })).status, 400);

      const site = await admin('POST', '/sites', { internalReference: 'remote', generate: { count: 3, domainPattern: 'r{i}.lan' } });
      assert.equal(site.status, 201, site.text);
      assert.equal((await call(alpha, 'GET', `/v1/sites/${site.json.id}/dns/policies`)).json.totalCount, 3);
      assert.equal((await admin('DELETE', '/sites/remote/policies')).json.deleted, 3);
      assert.equal((await admin('POST', '/sites/remote/clients', { name: 'phone', ipAddress: '10.1.1.1' })).status, 201);
      assert.equal((await call(alpha, 'GET', `/v1/sites/${site.json.id}/clients`)).json.data[0].name, 'phone');
      assert.equal((await admin('PUT', '/sites/remote/local-dns', { domains: ['phone.lan'] })).status, 200);
      const refused = await call(alpha, 'POST', `/v1/sites/${site.json.id}/dns/policies`, {
        body: { type: 'A_RECORD', enabled: true, domain: 'phone.lan', ipv4Address: '10.1.1.1', ttlSeconds: 0 },
      });
      assert.equal(refused.json.code, 'api.dns.policy.validation.overlap-with-local-dns');
      assert.equal((await admin('DELETE', `/sites/${site.json.id}`)).status, 200);
      assert.equal((await call(alpha, 'GET', '/v1/sites')).json.totalCount, 2);

      const requests = await admin('GET', '/requests?method=POST');
      assert.equal(requests.json.count, 1);
      assert.equal(requests.json.data[0].status, 400);
      assert.equal((await admin('GET', '/stats')).json.total, sim.requestCounts('alpha').total);
      assert.equal((await admin('DELETE', '/requests')).status, 200);
      assert.equal((await admin('GET', '/requests')).json.count, 0);

      assert.equal((await admin('GET', '/nothing')).status, 404);
      assert.equal((await admin('GET', '/sites/nowhere/policies')).status, 404);
      assert.equal((await call(alpha, 'POST', '/__sim/sites', { key: null, rawBody: 'not json' })).status, 400);
    });
  });
});
