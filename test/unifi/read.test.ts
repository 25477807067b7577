// Reading lists from the simulator and from a hand-written controller: every
// page, validated, and every bad answer an error for that site.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { startSimulator } from '../../fixtures/simulator/index.ts';
import type { ControllerInfo, Scenario, Simulator } from '../../fixtures/simulator/index.ts';
import { UnifiError } from '../../src/unifi/errors.ts';
import { fakeController, makeClient, pageOf, sendJson } from './helpers.ts';
import type { FakeController } from './helpers.ts';

const BIG = '6f1c2d3e-0000-4000-8000-0000000000b1';
const SMALL = '6f1c2d3e-0000-4000-8000-0000000000b2';
const EMPTY = '6f1c2d3e-0000-4000-8000-0000000000b3';

const scenario: Scenario = {
  controllers: [
    {
      name: 'lab',
      apiKey: 'lab-secret-api-key-0001',
      version: '10.1.89',
      sites: [
        {
          id: BIG,
          internalReference: 'default',
          name: 'Default',
          generate: [{ count: 450, domainPattern: 'host-{i}.big.lan', ipv4Pattern: '10.1.{hi}.{lo}', ttlSeconds: 60 }],
          policies: [
            { type: 'AAAA_RECORD', domain: 'v6.big.lan', ipv6Address: 'fd00::1', ttlSeconds: 0 },
            { type: 'CNAME_RECORD', domain: 'alias.big.lan', targetDomain: 'host-1.big.lan', ttlSeconds: 300 },
            { type: 'MX_RECORD', domain: 'big.lan', mailServerDomain: 'mail.big.lan', priority: 10 },
            { type: 'TXT_RECORD', domain: 'txt.big.lan', text: 'v=spf1 -all' },
            { type: 'SRV_RECORD', domain: '_ldap._tcp.big.lan', serverDomain: 'dc.big.lan', service: '_ldap', protocol: '_tcp', port: 389, priority: 0, weight: 5 },
            { type: 'FORWARD_DOMAIN', domain: 'corp.example', ipAddress: '10.0.0.53' },
            { type: 'A_RECORD', domain: 'unifi.big.lan', ipv4Address: '10.1.0.1', metadata: { origin: 'SYSTEM_DEFINED' } },
          ],
        },
        {
          id: SMALL,
          internalReference: 'small',
          generateClients: { count: 230, namePattern: 'client-{i}', ipv4Pattern: '10.2.{hi}.{lo}' },
          clients: [{ name: 'vpn-user', type: 'VPN' }],
        },
        { id: EMPTY, internalReference: 'empty' },
      ],
      generateSites: { count: 260, internalReferencePattern: 'branch-{i}' },
    },
  ],
};

let sim: Simulator;
let lab: ControllerInfo;

before(async () => {
  sim = await startSimulator(scenario);
  lab = sim.controller('lab');
});
afterEach(() => {
  sim.setFault({ controller: 'lab' }, null);
  sim.clearRequests();
});
after(() => sim.close());

describe('reading from the simulator', () => {
  test('info returns the application version', async () => {
    const client = makeClient(lab);
    try {
      assert.deepEqual(await client.info(), { applicationVersion: '10.1.89' });
      const [logged] = sim.requests({ controller: 'lab' });
      assert.equal(logged?.path, '/proxy/network/integration/v1/info');
    } finally {
      await client.close();
    }
  });

  test('policies are read page by page with limit=200 until totalCount, complete and in order', async () => {
    const client = makeClient(lab);
    try {
      const policies = await client.policies(BIG);
      const expected = sim.policies('lab', BIG);
      assert.equal(policies.length, 457);
      assert.deepEqual(policies.map((p) => p.id), expected.map((p) => p.id));
      assert.equal(new Set(policies.map((p) => p.id)).size, 457, 'no duplicates');
      // Every type and origin is returned, as the controller has them.
      assert.deepEqual(
        [...new Set(policies.map((p) => p.type))].sort(),
        ['AAAA_RECORD', 'A_RECORD', 'CNAME_RECORD', 'FORWARD_DOMAIN', 'MX_RECORD', 'SRV_RECORD', 'TXT_RECORD'],
      );
      assert.equal(policies.find((p) => p.domain === 'unifi.big.lan')?.metadata?.origin, 'SYSTEM_DEFINED');
      const srv = policies.find((p) => p.type === 'SRV_RECORD');
      assert.deepEqual([srv?.service, srv?.protocol, srv?.port, srv?.priority, srv?.weight, srv?.serverDomain], ['_ldap', '_tcp', 389, 0, 5, 'dc.big.lan']);

      const pages = sim.requests({ controller: 'lab', path: '/dns/policies' });
      assert.equal(pages.length, 3, 'one request per page');
      assert.deepEqual(pages.map((r) => r.query), [
        { offset: '0', limit: '200' },
        { offset: '200', limit: '200' },
        { offset: '400', limit: '200' },
      ]);
      assert.equal(client.stats.requests, 3);
      assert.equal(client.stats.retries, 0);
    } finally {
      await client.close();
    }
  });

  test('sites are read across pages', async () => {
    const client = makeClient(lab);
    try {
      const sites = await client.sites();
      assert.equal(sites.length, 263);
      assert.deepEqual(sites.map((s) => s.id), sim.sites('lab').map((s) => s.id));
      assert.deepEqual(sites[0], { id: BIG, internalReference: 'default', name: 'Default' });
      assert.equal(sim.requests({ controller: 'lab', path: '/v1/sites' }).length, 2);
    } finally {
      await client.close();
    }
  });

  test('clients are read across pages; a client without an IP address is kept', async () => {
    const client = makeClient(lab);
    try {
      const clients = await client.clients(SMALL);
      assert.equal(clients.length, 231);
      assert.deepEqual(clients.map((c) => c.id), sim.clients('lab', SMALL).map((c) => c.id));
      const vpn = clients.find((c) => c.name === 'vpn-user');
      assert.equal(vpn?.type, 'VPN');
      assert.equal(vpn?.ipAddress, undefined);
      assert.equal(sim.requests({ controller: 'lab', path: '/clients' }).length, 2);
    } finally {
      await client.close();
    }
  });

  test('an empty site is one request and an empty list', async () => {
    const client = makeClient(lab);
    try {
      assert.deepEqual(await client.policies(EMPTY), []);
      assert.equal(sim.requests({ controller: 'lab' }).length, 1);
    } finally {
      await client.close();
    }
  });

  test('truncated JSON is a malformed error naming controller, site and path', async () => {
    sim.setFault({ controller: 'lab', site: BIG }, { kind: 'malformedJson', path: '/dns/policies' });
    const client = makeClient(lab);
    try {
      const error = await client.policies(BIG).then(
        () => assert.fail('expected an error'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof UnifiError);
      assert.equal(error.kind, 'malformed');
      assert.equal(error.siteId, BIG);
      assert.equal(error.controller, 'lab');
      assert.equal(error.method, 'GET');
      assert.equal(error.path, `/v1/sites/${BIG}/dns/policies`);
      assert.match(error.message, new RegExp(`^controller lab \\(${lab.url.replace(/[.]/g, '\\.')}\\): GET /v1/sites/${BIG}/dns/policies: the answer is not valid JSON`));
      assert.equal(error.ambiguous, false);
      assert.equal(sim.requests({ controller: 'lab' }).length, 1, 'not retried');
    } finally {
      await client.close();
    }
  });

  test('an HTML login page with status 200 is a malformed error that says so', async () => {
    sim.setFault({ controller: 'lab' }, { kind: 'htmlLogin' });
    const client = makeClient(lab);
    try {
      await assert.rejects(client.sites(), (e: unknown) => {
        assert.ok(e instanceof UnifiError);
        assert.equal(e.kind, 'malformed');
        assert.match(e.message, /GET \/v1\/sites: the controller answered with an HTML page instead of JSON \(status 200\).*login page/);
        return true;
      });
      await assert.rejects(client.policies(BIG), (e: unknown) => e instanceof UnifiError && e.kind === 'malformed' && e.siteId === BIG);
    } finally {
      await client.close();
    }
  });
});

describe('validating answers (hand-written controller)', () => {
  const A = (i: number) => ({ type: 'A_RECORD', id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, enabled: true, metadata: { origin: 'USER_DEFINED' }, domain: `h${i}.lan`, ipv4Address: '10.0.0.1', ttlSeconds: 0 });
  const SITE = 'aaaaaaaa-0000-4000-8000-000000000001';
  let fake: FakeController | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  async function policiesFrom(items: unknown[] | ((url: string) => unknown)) {
    await fake?.close();
    fake = await fakeController((req, res) => sendJson(res, 200, typeof items === 'function' ? items(req.url ?? '') : pageOf(req.url ?? '', items)));
    const client = makeClient({ name: 'fake', url: fake.url, apiKey: 'fake-key-0000000001' });
    try {
      return await client.policies(SITE);
    } finally {
      await client.close();
    }
  }

  test('a missing field names the policy, its page, the field and the request', async () => {
    const items = Array.from({ length: 250 }, (_, i) => A(i));
    delete (items[203] as Partial<ReturnType<typeof A>>).ipv4Address;
    await assert.rejects(policiesFrom(items), (e: unknown) => {
      assert.ok(e instanceof UnifiError);
      assert.equal(e.kind, 'malformed');
      assert.equal(e.siteId, SITE);
      assert.equal(
        e.message,
        `controller fake (${fake!.url}): GET /v1/sites/${SITE}/dns/policies: policy 3 of page at offset 200 (A_RECORD, id ${A(203).id}): ipv4Address missing`,
      );
      return true;
    });
  });

  async function listingFrom(items: unknown[], deferred: boolean) {
    await fake?.close();
    fake = await fakeController((req, res) => sendJson(res, 200, pageOf(req.url ?? '', items)));
    const client = makeClient({ name: 'fake', url: fake.url, apiKey: 'fake-key-0000000001' });
    try {
      return await client.policyListing(SITE, (p) => p.domain, deferred);
    } finally {
      await client.close();
    }
  }

  test('a listing read for its fingerprint checks its policies only when they are asked for, with the same errors', async () => {
    const good = Array.from({ length: 250 }, (_, i) => A(i));
    const listing = await listingFrom(good, true);
    assert.match(listing.fingerprint, /^[0-9a-f]{64}$/);
    assert.deepEqual(listing.items(), good.map((p) => p.domain));
    assert.equal((await listingFrom(good, false)).fingerprint, listing.fingerprint, 'the same bytes, the same fingerprint');
    const edited = good.map((p, i) => (i === 249 ? { ...p, ttlSeconds: 60 } : p));
    assert.notEqual((await listingFrom(edited, true)).fingerprint, listing.fingerprint, 'one field of the last policy changes it');

    const broken = good.map((p) => ({ ...p }));
    delete (broken[203] as Partial<ReturnType<typeof A>>).ipv4Address;
    const held = await listingFrom(broken, true);
    assert.throws(() => held.items(), (e: unknown) => {
      assert.ok(e instanceof UnifiError);
      assert.equal(e.kind, 'malformed');
      assert.equal(
        e.message,
        `controller fake (${fake!.url}): GET /v1/sites/${SITE}/dns/policies: policy 3 of page at offset 200 (A_RECORD, id ${A(203).id}): ipv4Address missing`,
      );
      return true;
    });
    const repeated = await listingFrom([...good.slice(0, 220), A(5), ...good.slice(221)], true);
    assert.throws(() => repeated.items(), /page at offset 200 repeats policy 00000000-0000-4000-8000-000000000005 already listed/);
  });

  test('a wrong type is an error, never a silently wrong value', async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ ...A(1), ttlSeconds: '60' }, /ttlSeconds is a string, expected a number/],
      [{ ...A(1), enabled: 'true' }, /enabled is a string, expected a boolean/],
      [{ ...A(1), id: 7 }, /id is a number, expected a string/],
      [{ ...A(1), type: 'SRV_RECORD', serverDomain: 'x.lan', service: '_x', protocol: '_tcp', port: '80', priority: 1, weight: 1 }, /port is a string, expected a number/],
      [{ ...A(1), type: 'MX_RECORD', mailServerDomain: 'm.lan' }, /priority missing/],
      [{ ...A(1), metadata: 'USER_DEFINED' }, /metadata: is a string, expected an object/],
    ];
    for (const [policy, message] of cases) {
      await assert.rejects(policiesFrom([A(0), policy]), (e: unknown) => e instanceof UnifiError && e.kind === 'malformed' && message.test(e.message), String(message));
    }
  });

  test('an unknown policy type is kept as it is', async () => {
    const future = { type: 'HTTPS_RECORD', id: 'f0000000-0000-4000-8000-000000000000', enabled: true, domain: 'svc.lan', target: 'x' };
    const got = await policiesFrom([A(0), future]);
    assert.deepEqual(got[1], future);
  });

  test('a bad page envelope is malformed', async () => {
    await assert.rejects(
      policiesFrom(() => ({ offset: 0, limit: 200, count: 0, data: [] })),
      (e: unknown) => e instanceof UnifiError && e.kind === 'malformed' && /page at offset 0: totalCount missing/.test(e.message),
    );
    await assert.rejects(
      policiesFrom(() => ({ offset: 0, limit: 200, count: 0, totalCount: 0, data: {} })),
      (e: unknown) => e instanceof UnifiError && /data is an object, expected an array/.test(e.message),
    );
    await assert.rejects(policiesFrom(() => [A(0)]), (e: unknown) => e instanceof UnifiError && /page at offset 0: is an array, expected an object/.test(e.message));
  });

  test('a page that makes no progress is an error, not an endless loop', async () => {
    await assert.rejects(
      policiesFrom(() => ({ offset: 0, limit: 200, count: 0, totalCount: 5, data: [] })),
      (e: unknown) => e instanceof UnifiError && e.kind === 'malformed' && /read 0 policies but totalCount says 5 \(the page at offset 0 is empty\)/.test(e.message),
    );
    assert.equal(fake!.requests.length, 1);
  });

  test('a controller that ignores offset is caught', async () => {
    const items = Array.from({ length: 300 }, (_, i) => A(i));
    await assert.rejects(
      policiesFrom(() => pageOf('/?offset=0&limit=200', items)),
      (e: unknown) => e instanceof UnifiError && /page at offset 200: the controller answered offset 0 instead/.test(e.message),
    );
  });

  test('a controller that caps limit below 200 is still read completely', async () => {
    const items = Array.from({ length: 130 }, (_, i) => A(i));
    const got = await policiesFrom((url) => pageOf(url.replace('limit=200', 'limit=50'), items));
    assert.equal(got.length, 130);
    assert.deepEqual(fake!.requests.map((r) => new URL(r.url, 'http://x').searchParams.get('offset')), ['0', '50', '100']);
  });

  test('a list that changes between pages is read again from the start', async () => {
    const items = Array.from({ length: 250 }, (_, i) => A(i));
    let calls = 0;
    const got = await policiesFrom((url) => {
      calls += 1;
      // Someone adds a policy after the first page was read.
      if (calls === 2) items.push(A(250));
      return pageOf(url, items);
    });
    assert.equal(got.length, 251);
    assert.deepEqual(got.map((p) => p.id), items.map((p) => p.id));
    assert.equal(fake!.requests.length, 4, 'two pages, then two again');
  });

  test('sites and clients are checked too', async () => {
    fake = await fakeController((req, res) =>
      sendJson(res, 200, req.url?.startsWith('/proxy/network/integration/v1/sites?') ? pageOf(req.url, [{ id: 's', name: 'x' }]) : pageOf(req.url ?? '', [{ id: 'c', type: 'WIRED', name: 5 }])),
    );
    const client = makeClient({ name: 'fake', url: fake.url, apiKey: 'fake-key-0000000001' });
    try {
      await assert.rejects(client.sites(), /GET \/v1\/sites: site 0 of page at offset 0: internalReference missing/);
      await assert.rejects(client.clients(SITE), /client 0 of page at offset 0 \(WIRED, id c\): name is a number, expected a string/);
    } finally {
      await client.close();
    }
  });

  test('a JSON answer with another content-type is refused', async () => {
    fake = await fakeController((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('{"applicationVersion":"10.1.89"}');
    });
    const client = makeClient({ name: 'fake', url: fake.url, apiKey: 'fake-key-0000000001' });
    try {
      await assert.rejects(client.info(), (e: unknown) => e instanceof UnifiError && e.kind === 'malformed' && /content-type text\/plain instead of JSON/.test(e.message));
    } finally {
      await client.close();
    }
  });
});
