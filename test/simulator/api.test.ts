// The Integration API as the simulator serves it: auth, paging, validation,
// create/update/delete, overlap refusals, clients, over HTTP and HTTPS.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startSimulator } from '../../fixtures/simulator/index.ts';
import type { ControllerInfo, Simulator } from '../../fixtures/simulator/index.ts';
import { SITE_A, SITE_B, SITE_C, call, tlsAgent, twoControllers } from './sim-client.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const POLICIES_A = `/v1/sites/${SITE_A}/dns/policies`;
const POLICIES_B = `/v1/sites/${SITE_B}/dns/policies`;

let sim: Simulator;
let alpha: ControllerInfo;
let beta: ControllerInfo;

before(async () => {
  sim = await startSimulator(twoControllers());
  alpha = sim.controller('alpha');
  beta = sim.controller('beta');
});
after(async () => {
  await sim.close();
  await tlsAgent.close();
});

const aRecord = (domain: string, ip = '10.9.9.9') => ({ type: 'A_RECORD', enabled: true, domain, ipv4Address: ip, ttlSeconds: 0 });

function assertErrorBody(json: any, status: number, code: string, requestPath: string) {
  assert.deepEqual(Object.keys(json).sort(), ['code', 'message', 'requestId', 'requestPath', 'statusCode', 'statusName', 'timestamp']);
  assert.equal(json.statusCode, status);
  assert.equal(json.code, code);
  assert.equal(json.requestPath, requestPath);
  assert.match(json.requestId, UUID);
  assert.ok(!Number.isNaN(Date.parse(json.timestamp)), 'timestamp is a date');
}

describe('info, sites and TLS', () => {
  test('serves info and sites on each controller, HTTPS with the fixture certificate', async () => {
    const info = await call(alpha, 'GET', '/v1/info');
    assert.equal(info.status, 200);
    assert.deepEqual(info.json, { applicationVersion: '10.1.89' });
    assert.ok(alpha.url.startsWith('http://127.0.0.1:'));
    assert.ok(beta.url.startsWith('https://127.0.0.1:'));
    assert.deepEqual((await call(beta, 'GET', '/v1/info')).json, { applicationVersion: '10.2.105' });
    const sites = await call(beta, 'GET', '/v1/sites');
    assert.deepEqual(sites.json, { offset: 0, limit: 25, count: 1, totalCount: 1, data: [{ id: SITE_C, internalReference: 'default', name: 'HQ' }] });
  });

  test('an HTTPS client that does not trust the certificate is refused', async () => {
    await assert.rejects(fetch(`${beta.url}/proxy/network/integration/v1/info`, { headers: { 'x-api-key': beta.apiKey } }));
  });

  test('an old Network version has no DNS policy endpoints', async () => {
    const old = await startSimulator({ controllers: [{ name: 'old', version: '9.3.45', sites: [{ id: SITE_A, internalReference: 'default' }] }] });
    try {
      const ctl = old.controller('old');
      assert.deepEqual((await call(ctl, 'GET', '/v1/info')).json, { applicationVersion: '9.3.45' });
      assert.equal((await call(ctl, 'GET', POLICIES_A)).status, 404);
      assert.equal((await call(ctl, 'GET', `/v1/sites/${SITE_A}/clients`)).status, 200);
    } finally {
      await old.close();
    }
  });
});

describe('auth', () => {
  test('a missing key gives 401 with the Error Message body', async () => {
    const res = await call(alpha, 'GET', '/v1/sites', { key: null });
    assert.equal(res.status, 401);
    assertErrorBody(res.json, 401, 'api.authentication.missing-credentials', '/integration/v1/sites');
    assert.equal(res.json.statusName, 'UNAUTHORIZED');
  });

  test("each controller takes only its own key", async () => {
    assert.equal((await call(alpha, 'GET', '/v1/sites', { key: beta.apiKey })).status, 401);
    assert.equal((await call(beta, 'GET', '/v1/sites', { key: alpha.apiKey })).status, 401);
    const wrong = await call(beta, 'GET', '/v1/info', { key: 'nope' });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.json.code, 'api.authentication.invalid-credentials');
    assert.equal((await call(beta, 'GET', '/v1/sites')).status, 200);
  });
});

describe('paging', () => {
  test('defaults to offset 0, limit 25, with totalCount', async () => {
    const res = await call(alpha, 'GET', POLICIES_B);
    assert.equal(res.status, 200);
    assert.deepEqual(Object.keys(res.json), ['offset', 'limit', 'count', 'totalCount', 'data']);
    assert.equal(res.json.offset, 0);
    assert.equal(res.json.limit, 25);
    assert.equal(res.json.count, 25);
    assert.equal(res.json.totalCount, 60);
    assert.equal(res.json.data[0].domain, 'host-1.branch.lan');
  });

  test('limit 200 returns everything; the last page is short; past the end is empty', async () => {
    const all = await call(alpha, 'GET', `${POLICIES_B}?limit=200`);
    assert.equal(all.json.count, 60);
    assert.equal(all.json.limit, 200);
    const last = await call(alpha, 'GET', `${POLICIES_B}?offset=50&limit=25`);
    assert.equal(last.json.count, 10);
    assert.equal(last.json.data[9].domain, 'host-60.branch.lan');
    const past = await call(alpha, 'GET', `${POLICIES_B}?offset=100`);
    assert.deepEqual({ ...past.json }, { offset: 100, limit: 25, count: 0, totalCount: 60, data: [] });
  });

  test('walking the pages gives every item once, in creation order', async () => {
    const domains: string[] = [];
    for (let offset = 0; ; offset += 7) {
      const page = await call(alpha, 'GET', `${POLICIES_B}?offset=${offset}&limit=7`);
      domains.push(...page.json.data.map((p: any) => p.domain));
      if (page.json.count < 7) break;
    }
    assert.deepEqual(domains, Array.from({ length: 60 }, (_, i) => `host-${i + 1}.branch.lan`));
  });

  for (const query of ['limit=201', 'limit=-1', 'limit=abc', 'offset=1.5', 'offset=-3', 'limit=']) {
    test(`rejects ${query} with 400`, async () => {
      const res = await call(alpha, 'GET', `${POLICIES_B}?${query}`);
      assert.equal(res.status, 400);
      assertErrorBody(res.json, 400, 'api.request.invalid-query-parameter', `/integration${POLICIES_B}`);
    });
  }

  test('sites and clients are paged too', async () => {
    const sites = await call(alpha, 'GET', '/v1/sites?limit=1&offset=1');
    assert.deepEqual(sites.json.data.map((s: any) => s.internalReference), ['branch']);
    assert.equal(sites.json.totalCount, 2);
    assert.equal((await call(alpha, 'GET', '/v1/sites?limit=500')).status, 400);
    const clients = await call(alpha, 'GET', `/v1/sites/${SITE_A}/clients?limit=201`);
    assert.equal(clients.status, 400);
  });
});

describe('validation of create and update bodies', () => {
  test('metadata in a create body gives the exact 400 unknown-property answer and creates nothing', async () => {
    const before = sim.policies('alpha', SITE_A).length;
    const body = { type: 'A_RECORD', enabled: true, domain: 'auth.domain.uk', ttlSeconds: 1, ipv4Address: '10.1.1.2', metadata: { origin: 'USER_DEFINED' } };
    const res = await call(alpha, 'POST', POLICIES_A, { body });
    assert.equal(res.status, 400);
    assertErrorBody(res.json, 400, 'api.request.unknown-property', `/integration${POLICIES_A}`);
    assert.equal(res.json.statusName, 'BAD_REQUEST');
    assert.equal(res.json.message, "Unknown request body property '$.metadata'");
    assert.equal(sim.policies('alpha', SITE_A).length, before);
  });

  const cases: Array<[string, unknown, string, RegExp]> = [
    ['id in the body', { ...aRecord('x.lan'), id: '6f1c2d3e-0000-4000-8000-0000000000ff' }, 'api.request.unknown-property', /'\$\.id'/],
    ["another type's field", { ...aRecord('x.lan'), targetDomain: 'y.lan' }, 'api.request.unknown-property', /'\$\.targetDomain'/],
    ['a missing ipv4Address', { type: 'A_RECORD', enabled: true, domain: 'x.lan', ttlSeconds: 0 }, 'api.request.missing-property', /ipv4Address/],
    ['a missing enabled', { type: 'A_RECORD', domain: 'x.lan', ipv4Address: '10.0.0.1', ttlSeconds: 0 }, 'api.request.missing-property', /enabled/],
    ['a missing ttlSeconds', { type: 'A_RECORD', enabled: true, domain: 'x.lan', ipv4Address: '10.0.0.1' }, 'api.request.missing-property', /ttlSeconds/],
    ['a missing type', { enabled: true, domain: 'x.lan' }, 'api.request.missing-property', /type/],
    ['an unknown type', { ...aRecord('x.lan'), type: 'PTR_RECORD' }, 'api.request.invalid-property-value', /PTR_RECORD/],
    ['a string ttl', { ...aRecord('x.lan'), ttlSeconds: '300' }, 'api.request.invalid-property-type', /ttlSeconds/],
    ['a fractional ttl', { ...aRecord('x.lan'), ttlSeconds: 1.5 }, 'api.request.invalid-property-type', /ttlSeconds/],
    ['an A ttl over a day', { ...aRecord('x.lan'), ttlSeconds: 86401 }, 'api.request.invalid-property-value', /ttlSeconds/],
    ['a negative ttl', { ...aRecord('x.lan'), ttlSeconds: -1 }, 'api.request.invalid-property-value', /ttlSeconds/],
    ['a CNAME ttl over a week', { type: 'CNAME_RECORD', enabled: true, domain: 'c.lan', targetDomain: 't.lan', ttlSeconds: 604801 }, 'api.request.invalid-property-value', /ttlSeconds/],
    ['a bad IPv4', aRecord('x.lan', '300.1.1.1'), 'api.request.invalid-property-value', /ipv4Address/],
    ['a bad IPv6', { type: 'AAAA_RECORD', enabled: true, domain: 'x.lan', ipv6Address: 'fd00::zz', ttlSeconds: 0 }, 'api.request.invalid-property-value', /ipv6Address/],
    ['an empty domain', aRecord(''), 'api.request.invalid-property-value', /domain/],
    ['a 128-character domain', aRecord('a'.repeat(128)), 'api.request.invalid-property-value', /domain/],
    ['an MX priority over 65535', { type: 'MX_RECORD', enabled: true, domain: 'x.lan', mailServerDomain: 'm.lan', priority: 65536 }, 'api.request.invalid-property-value', /priority/],
    ['an SRV port over 65535', { type: 'SRV_RECORD', enabled: true, domain: '_x._tcp.lan', serverDomain: 's.lan', service: '_x', protocol: '_tcp', port: 70000, priority: 0, weight: 0 }, 'api.request.invalid-property-value', /port/],
    ['a TXT text over 1024 characters', { type: 'TXT_RECORD', enabled: true, domain: 'x.lan', text: 't'.repeat(1025) }, 'api.request.invalid-property-value', /text/],
    ['a non-boolean enabled', { ...aRecord('x.lan'), enabled: 'yes' }, 'api.request.invalid-property-type', /enabled/],
    ['a JSON array', [aRecord('x.lan')], 'api.request.malformed-body', /object/],
  ];
  for (const [what, body, code, message] of cases) {
    test(`refuses ${what}`, async () => {
      const res = await call(alpha, 'POST', POLICIES_A, { body });
      assert.equal(res.status, 400, res.text);
      assert.equal(res.json.code, code);
      assert.match(res.json.message, message);
    });
  }

  test('refuses a body that is not JSON', async () => {
    const res = await call(alpha, 'POST', POLICIES_A, { rawBody: '{"type":' });
    assert.equal(res.status, 400);
    assert.equal(res.json.code, 'api.request.malformed-body');
  });

  test('accepts the limits: 127-character domain, CNAME ttl of a week, every type', async () => {
    const bodies = [
      aRecord(`${'a'.repeat(123)}.lan`),
      { type: 'CNAME_RECORD', enabled: true, domain: 'week.lan', targetDomain: 'target.lan', ttlSeconds: 604800 },
      { type: 'AAAA_RECORD', enabled: false, domain: 'v6.lan', ipv6Address: 'fd00::1', ttlSeconds: 86400 },
      { type: 'MX_RECORD', enabled: true, domain: 'mail.lan', mailServerDomain: 'mx.lan', priority: 10 },
      { type: 'TXT_RECORD', enabled: true, domain: 'txt.lan', text: 'hello, world' },
      { type: 'SRV_RECORD', enabled: true, domain: '_sip._tcp.lan', serverDomain: 'sip.lan', service: '_sip', protocol: '_tcp', port: 5060, priority: 1, weight: 2 },
      { type: 'FORWARD_DOMAIN', enabled: true, domain: 'fwd.example', ipAddress: '2001:4860:4860::8844' },
    ];
    for (const body of bodies) {
      const res = await call(alpha, 'POST', POLICIES_B, { body });
      assert.equal(res.status, 201, res.text);
      const { type, enabled, ...rest } = body;
      assert.deepEqual(res.json, { type, id: res.json.id, enabled, metadata: { origin: 'USER_DEFINED' }, ...rest });
      assert.deepEqual(Object.keys(res.json).slice(0, 5), ['type', 'id', 'enabled', 'metadata', 'domain']);
    }
  });
});

describe('create, read, update, delete', () => {
  test('round trip', async () => {
    const created = await call(alpha, 'POST', POLICIES_A, { body: aRecord('roundtrip.lan', '10.0.0.7') });
    assert.equal(created.status, 201);
    const id = created.json.id;
    assert.match(id, UUID);
    assert.deepEqual(created.json, {
      type: 'A_RECORD', id, enabled: true, metadata: { origin: 'USER_DEFINED' }, domain: 'roundtrip.lan', ipv4Address: '10.0.0.7', ttlSeconds: 0,
    });
    assert.deepEqual((await call(alpha, 'GET', `${POLICIES_A}/${id}`)).json, created.json);
    const list = await call(alpha, 'GET', `${POLICIES_A}?limit=200`);
    assert.equal(list.json.data.at(-1).id, id, 'new policies come last');

    const updated = await call(alpha, 'PUT', `${POLICIES_A}/${id}`, { body: { ...aRecord('roundtrip.lan', '10.0.0.8'), ttlSeconds: 600, enabled: false } });
    assert.equal(updated.status, 200);
    assert.equal(updated.json.ipv4Address, '10.0.0.8');
    assert.equal(updated.json.ttlSeconds, 600);
    assert.equal(updated.json.enabled, false);
    assert.deepEqual(updated.json.metadata, { origin: 'USER_DEFINED' });
    const after = await call(alpha, 'GET', `${POLICIES_A}?limit=200`);
    assert.equal(after.json.data.at(-1).id, id, 'an update keeps the place');
    assert.equal(after.json.totalCount, list.json.totalCount);

    const deleted = await call(alpha, 'DELETE', `${POLICIES_A}/${id}`);
    assert.equal(deleted.status, 200);
    assert.equal(deleted.text, '');
    assert.equal(deleted.headers.get('content-length'), '0');
    const gone = await call(alpha, 'GET', `${POLICIES_A}/${id}`);
    assert.equal(gone.status, 404);
    assertErrorBody(gone.json, 404, 'api.dns.policy.not-found', `/integration${POLICIES_A}/${id}`);
    assert.equal((await call(alpha, 'DELETE', `${POLICIES_A}/${id}`)).status, 404);
    assert.equal((await call(alpha, 'PUT', `${POLICIES_A}/${id}`, { body: aRecord('roundtrip.lan') })).status, 404);
  });

  test('an update cannot change the type nor carry metadata', async () => {
    const { json } = await call(alpha, 'POST', POLICIES_A, { body: aRecord('typed.lan') });
    const retyped = await call(alpha, 'PUT', `${POLICIES_A}/${json.id}`, {
      body: { type: 'CNAME_RECORD', enabled: true, domain: 'typed.lan', targetDomain: 'x.lan', ttlSeconds: 0 },
    });
    assert.equal(retyped.status, 400);
    assert.match(retyped.json.message, /type cannot be changed/);
    const withMeta = await call(alpha, 'PUT', `${POLICIES_A}/${json.id}`, { body: { ...aRecord('typed.lan'), metadata: json.metadata } });
    assert.equal(withMeta.status, 400);
    assert.equal(withMeta.json.code, 'api.request.unknown-property');
    assert.equal(sim.policies('alpha', SITE_A).find((p) => p.id === json.id)?.type, 'A_RECORD');
  });

  test('unknown and malformed site ids, unknown endpoints and methods', async () => {
    const unknownSite = '6f1c2d3e-0000-4000-8000-0000000000ee';
    const missing = await call(alpha, 'GET', `/v1/sites/${unknownSite}/dns/policies`);
    assert.equal(missing.status, 404);
    assertErrorBody(missing.json, 404, 'api.site.not-found', `/integration/v1/sites/${unknownSite}/dns/policies`);
    assert.equal((await call(alpha, 'POST', `/v1/sites/${unknownSite}/dns/policies`, { body: aRecord('a.lan') })).status, 404);
    assert.equal((await call(alpha, 'GET', '/v1/sites/default/dns/policies')).status, 400);
    assert.equal((await call(alpha, 'GET', '/v1/nothing')).status, 404);
    assert.equal((await call(alpha, 'GET', '/proxy/network/api/s/default/rest/user')).status, 404);
    assert.equal((await call(alpha, 'PATCH', POLICIES_A, { body: {} })).status, 405);
    // A site on another controller is unknown here.
    assert.equal((await call(alpha, 'GET', `/v1/sites/${SITE_C}/dns/policies`)).status, 404);
  });

  test('system-defined policies and forward domains are listed; system-defined ones cannot be changed', async () => {
    const { json } = await call(alpha, 'GET', `${POLICIES_A}?limit=200`);
    const system = json.data.find((p: any) => p.domain === 'unifi.lan');
    assert.deepEqual(system.metadata, { origin: 'SYSTEM_DEFINED' });
    const forward = json.data.find((p: any) => p.type === 'FORWARD_DOMAIN');
    assert.equal(forward.ipAddress, '10.0.0.53');
    assert.equal((await call(alpha, 'DELETE', `${POLICIES_A}/${system.id}`)).status, 400);
    assert.equal((await call(alpha, 'PUT', `${POLICIES_A}/${system.id}`, { body: aRecord('unifi.lan', '1.2.3.4') })).status, 400);
    assert.ok(sim.policies('alpha', SITE_A).some((p) => p.id === system.id && p.ipv4Address === '192.168.1.1'));
  });
});

describe('overlap refusals', () => {
  async function refused(body: unknown, code: string) {
    const count = sim.policies('alpha', SITE_A).length;
    const res = await call(alpha, 'POST', POLICIES_A, { body });
    assert.equal(res.status, 400, res.text);
    assertErrorBody(res.json, 400, code, `/integration${POLICIES_A}`);
    assert.equal(sim.policies('alpha', SITE_A).length, count, 'the refused record is not created');
  }
  const CNAME = 'api.dns.policy.validation.cname-alias-overlap';
  const LOCAL = 'api.dns.policy.validation.overlap-with-local-dns';
  const cname = (domain: string, target = 'elsewhere.lan') => ({ type: 'CNAME_RECORD', enabled: true, domain, targetDomain: target, ttlSeconds: 0 });

  test('a CNAME where any policy exists, and any policy where a CNAME exists', async () => {
    await refused(cname('nas.lan'), CNAME);
    await refused(aRecord('files.lan'), CNAME);
    await refused(aRecord('FILES.lan.'), CNAME);
    await refused(cname('files.lan', 'other.lan'), CNAME);
    await refused({ type: 'AAAA_RECORD', enabled: true, domain: 'files.lan', ipv6Address: 'fd00::1', ttlSeconds: 0 }, CNAME);
  });

  test('several A and AAAA records at one domain are allowed (round robin)', async () => {
    assert.equal((await call(alpha, 'POST', POLICIES_A, { body: aRecord('nas.lan', '192.168.1.11') })).status, 201);
    assert.equal((await call(alpha, 'POST', POLICIES_A, { body: { type: 'AAAA_RECORD', enabled: true, domain: 'nas.lan', ipv6Address: 'fd00::10', ttlSeconds: 0 } })).status, 201);
    assert.equal(sim.policies('alpha', SITE_A).filter((p) => p.domain === 'nas.lan').length, 3);
  });

  test("names served locally are refused with overlap-with-local-dns", async () => {
    await refused(aRecord('printer.lan'), LOCAL);
    await refused(cname('Printer.LAN'), LOCAL);
  });

  test('the domain index follows deletes and updates', async () => {
    const created = await call(alpha, 'POST', POLICIES_A, { body: cname('alias.lan') });
    assert.equal(created.status, 201);
    await refused(aRecord('alias.lan'), CNAME);
    assert.equal((await call(alpha, 'DELETE', `${POLICIES_A}/${created.json.id}`)).status, 200);
    const a = await call(alpha, 'POST', POLICIES_A, { body: aRecord('alias.lan') });
    assert.equal(a.status, 201);
    // Moving a record onto a CNAME's domain is refused; updating it in place is not.
    const moved = await call(alpha, 'PUT', `${POLICIES_A}/${a.json.id}`, { body: aRecord('files.lan') });
    assert.equal(moved.json.code, CNAME);
    assert.equal((await call(alpha, 'PUT', `${POLICIES_A}/${a.json.id}`, { body: aRecord('alias.lan', '10.1.2.3') })).status, 200);
  });

  test('overlap is per site: the same CNAME is fine at another site', async () => {
    assert.equal((await call(alpha, 'POST', POLICIES_B, { body: cname('nas.lan') })).status, 201);
  });
});

describe('clients', () => {
  test('are listed, paged and fetched one by one, shaped like the real ones', async () => {
    const res = await call(alpha, 'GET', `/v1/sites/${SITE_A}/clients`);
    assert.equal(res.status, 200);
    assert.equal(res.json.totalCount, 1);
    const [client] = res.json.data;
    assert.equal(client.name, 'laptop');
    assert.equal(client.ipAddress, '192.168.1.50');
    assert.equal(client.type, 'WIRED');
    assert.deepEqual(client.access, { type: 'DEFAULT' });
    assert.match(client.id, UUID);
    assert.match(client.macAddress, /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    assert.match(client.uplinkDeviceId, UUID);
    assert.ok(!Number.isNaN(Date.parse(client.connectedAt)));
    assert.deepEqual((await call(alpha, 'GET', `/v1/sites/${SITE_A}/clients/${client.id}`)).json, client);
    assert.equal((await call(alpha, 'GET', `/v1/sites/${SITE_A}/clients/${SITE_B}`)).status, 404);
    assert.equal((await call(alpha, 'GET', `/v1/sites/${SITE_B}/clients`)).json.count, 0);
  });
});
