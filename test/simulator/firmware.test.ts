// Rules of later firmware (fixtures/README.md, "Firmware rules"), each driven
// over HTTP on the versions that have it and on one that does not.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startSimulator } from '../../fixtures/simulator/index.ts';
import type { ControllerInfo, Simulator } from '../../fixtures/simulator/index.ts';
import { SITE_A, call } from './sim-client.ts';

const VERSIONS = { old: '10.1.89', v2: '10.2.105', v5: '10.5.67', v6: '10.6.106' } as const;
type Name = keyof typeof VERSIONS;
const POLICIES = `/v1/sites/${SITE_A}/dns/policies`;
const aRecord = (domain: string, ip = '10.9.9.9', ttlSeconds = 0) => ({ type: 'A_RECORD', enabled: true, domain, ipv4Address: ip, ttlSeconds });
const txt = (text: string) => ({ type: 'TXT_RECORD', enabled: true, domain: 'txt.lan', text });
const cname = (domain: string) => ({ type: 'CNAME_RECORD', enabled: true, domain, targetDomain: 'target.lan', ttlSeconds: 0 });

let sim: Simulator;
const ctl = {} as Record<Name, ControllerInfo>;

before(async () => {
  sim = await startSimulator({
    controllers: (Object.keys(VERSIONS) as Name[]).map((name) => ({
      name,
      version: VERSIONS[name],
      sites: [
        {
          id: SITE_A,
          internalReference: 'default',
          policies: [
            { type: 'A_RECORD', domain: 'nas.lan', ipv4Address: '192.168.1.10', ttlSeconds: 300 },
            { type: 'AAAA_RECORD', domain: 'nas.lan', ipv6Address: 'fd00::1' },
            { type: 'MX_RECORD', domain: 'mail.lan', mailServerDomain: 'mx.lan', priority: 10 },
            { type: 'A_RECORD', domain: 'unifi.lan', ipv4Address: '192.168.1.1', metadata: { origin: 'SYSTEM_DEFINED' } },
            { type: 'A_RECORD', domain: 'gw.lan', ipv4Address: '192.168.1.2', metadata: { origin: 'DERIVED' } },
            { type: 'CNAME_RECORD', domain: 'app.lan', targetDomain: 'nas.lan', metadata: { origin: 'ORCHESTRATED' } },
          ],
          clients: [{ name: 'printer', ipAddress: '192.168.1.60' }],
          localDns: ['printer.lan'],
        },
      ],
    })),
  });
  for (const name of Object.keys(VERSIONS) as Name[]) ctl[name] = sim.controller(name);
});
after(() => sim.close());

const NEW: Name[] = ['v2', 'v5', 'v6'];

async function post(name: Name, body: unknown) {
  const count = sim.policies(name, SITE_A).length;
  const res = await call(ctl[name], 'POST', POLICIES, { body });
  if (res.status !== 201) assert.equal(sim.policies(name, SITE_A).length, count, 'a refused record is not created');
  return res;
}

function assertRefused(res: { status: number; json: any }, code: string, message: string | RegExp) {
  assert.equal(res.status, 400, JSON.stringify(res.json));
  assert.deepEqual(Object.keys(res.json), ['statusCode', 'statusName', 'code', 'message', 'timestamp', 'requestPath', 'requestId']);
  assert.equal(res.json.statusName, 'BAD_REQUEST');
  assert.equal(res.json.code, code);
  if (typeof message === 'string') assert.equal(res.json.message, message);
  else assert.match(res.json.message, message);
}

const DUPLICATE = 'api.dns.policy.validation.record-already-exists';
const DUPLICATE_MESSAGE = 'DNS policy with the same type and properties already exists';

describe('exact duplicates (10.2.105 and later)', () => {
  for (const name of NEW) {
    test(`${name}: refused whatever the origin, the ttl, enabled or the case of the names; another target is accepted`, async () => {
      assertRefused(await post(name, aRecord('nas.lan', '192.168.1.10', 300)), DUPLICATE, DUPLICATE_MESSAGE);
      assertRefused(await post(name, { ...aRecord('NAS.lan.', '192.168.1.10', 60), enabled: false }), DUPLICATE, DUPLICATE_MESSAGE);
      assertRefused(await post(name, aRecord('unifi.lan', '192.168.1.1')), DUPLICATE, DUPLICATE_MESSAGE);
      assertRefused(await post(name, aRecord('gw.lan', '192.168.1.2')), DUPLICATE, DUPLICATE_MESSAGE);
      assertRefused(await post(name, { ...cname('app.lan'), targetDomain: 'NAS.lan' }), DUPLICATE, DUPLICATE_MESSAGE);
      assertRefused(await post(name, { type: 'AAAA_RECORD', enabled: true, domain: 'nas.lan', ipv6Address: 'fd00:0::0:1', ttlSeconds: 0 }), DUPLICATE, DUPLICATE_MESSAGE);
      assertRefused(await post(name, { type: 'MX_RECORD', enabled: true, domain: 'mail.lan', mailServerDomain: 'mx.lan', priority: 10 }), DUPLICATE, DUPLICATE_MESSAGE);
      assert.equal((await post(name, { type: 'MX_RECORD', enabled: true, domain: 'mail.lan', mailServerDomain: 'mx.lan', priority: 20 })).status, 201);
      const second = await post(name, aRecord('nas.lan', '192.168.1.11'));
      assert.equal(second.status, 201, 'same domain and type, another target');
      assertRefused(await post(name, aRecord('nas.lan', '192.168.1.11')), DUPLICATE, DUPLICATE_MESSAGE);
      // The index follows deletes and updates.
      assert.equal((await call(ctl[name], 'DELETE', `${POLICIES}/${second.json.id}`)).status, 200);
      const again = await post(name, aRecord('nas.lan', '192.168.1.11'));
      assert.equal(again.status, 201, 'a deleted policy no longer counts');
      const onto = await call(ctl[name], 'PUT', `${POLICIES}/${again.json.id}`, { body: aRecord('nas.lan', '192.168.1.10') });
      assertRefused(onto, DUPLICATE, DUPLICATE_MESSAGE);
      const inPlace = await call(ctl[name], 'PUT', `${POLICIES}/${again.json.id}`, { body: aRecord('nas.lan', '192.168.1.11', 900) });
      assert.equal(inPlace.status, 200, 'an update of its own ttl is no duplicate');
      assert.equal((await call(ctl[name], 'DELETE', `${POLICIES}/${again.json.id}`)).status, 200);
    });
  }

  test('10.1.89 accepts an exact duplicate', async () => {
    const res = await post('old', aRecord('nas.lan', '192.168.1.10', 300));
    assert.equal(res.status, 201);
    assert.equal(sim.policies('old', SITE_A).filter((p) => p.domain === 'nas.lan' && p.type === 'A_RECORD').length, 2);
  });

  test('state changes made in code bypass the rule, as the README says', () => {
    assert.doesNotThrow(() => sim.addPolicy('v6', SITE_A, { type: 'TXT_RECORD', domain: 'twice.lan', text: 'x' }));
    assert.doesNotThrow(() => sim.addPolicy('v6', SITE_A, { type: 'TXT_RECORD', domain: 'twice.lan', text: 'x' }));
  });
});

describe('ttlSeconds', () => {
  for (const name of ['old', 'v5'] as Name[]) {
    test(`${name}: on MX, TXT and SRV it is an unknown property, with the captured message`, async () => {
      const bodies = [
        { type: 'MX_RECORD', enabled: true, domain: 'm.lan', mailServerDomain: 'mx.lan', priority: 5, ttlSeconds: 300 },
        { ...txt('ttl'), ttlSeconds: 300 },
        { type: 'SRV_RECORD', enabled: true, domain: '_x._tcp.lan', serverDomain: 's.lan', service: '_x', protocol: '_tcp', port: 1, priority: 0, weight: 0, ttlSeconds: 0 },
      ];
      for (const body of bodies) assertRefused(await post(name, body), 'api.request.unknown-property', "Unknown request body property '$.ttlSeconds'");
    });
  }

  for (const name of NEW) {
    test(`${name}: missing or null on A, AAAA and CNAME is the captured "must not be null"`, async () => {
      const { ttlSeconds: _, ...noTtl } = aRecord('nottl.lan');
      assertRefused(await post(name, noTtl), 'api.request.error', 'ttlSeconds must not be null');
      assertRefused(await post(name, { ...cname('c.lan'), ttlSeconds: null }), 'api.request.error', 'ttlSeconds must not be null');
      assertRefused(await post(name, { type: 'AAAA_RECORD', enabled: true, domain: 'v6.lan', ipv6Address: 'fd00::9' }), 'api.request.error', 'ttlSeconds must not be null');
    });
  }

  test('10.1.89 keeps the stand-in missing-property answer', async () => {
    const { ttlSeconds: _, ...noTtl } = aRecord('nottl.lan');
    assertRefused(await post('old', noTtl), 'api.request.missing-property', /ttlSeconds/);
  });

  test('the captured PUT with an id and no ttlSeconds is refused for the id first', async () => {
    const id = sim.policies('v2', SITE_A)[0]!.id;
    const body = { type: 'A_RECORD', id, enabled: true, domain: 'auth.domain.uk', ipv4Address: '10.1.1.2' };
    assertRefused(await call(ctl.v2, 'PUT', `${POLICIES}/${id}`, { body }), 'api.request.unknown-property', "Unknown request body property '$.id'");
  });
});

describe('TXT text (10.2.105 and later)', () => {
  const QUOTING = /incorrectly quoted value/;
  for (const name of NEW) {
    test(`${name}: commas need double quotes, interior quotes are refused, at most four 255-character strings`, async () => {
      assertRefused(await post(name, txt('v=spf1 a, mx')), 'api.request.error', 'text containing a comma must be enclosed in double quotes');
      assertRefused(await post(name, txt('say "hi"')), 'api.request.error', QUOTING);
      assertRefused(await post(name, txt('"say "hi""')), 'api.request.error', QUOTING);
      assertRefused(await post(name, txt('"unclosed')), 'api.request.error', QUOTING);
      assertRefused(await post(name, txt(`"${'a'.repeat(256)}"`)), 'api.request.error', /four 255-character strings/);
      assertRefused(await post(name, txt('"a" "b" "c" "d" "e"')), 'api.request.error', /four 255-character strings/);
      assertRefused(await post(name, txt('t'.repeat(1021))), 'api.request.error', /four 255-character strings/);
      for (const ok of ['"v=spf1 a, mx"', 'plain text', `"${'a'.repeat(255)}" "${'b'.repeat(255)}" "c" "d"`, 't'.repeat(1020)]) {
        assert.equal((await post(name, txt(ok))).status, 201, ok.slice(0, 40));
      }
    });
  }

  test('10.1.89 takes any text up to 1024 characters', async () => {
    for (const text of ['hello, world', 'say "hi"', 't'.repeat(1024)]) assert.equal((await post('old', txt(text))).status, 201, text.slice(0, 40));
  });
});

describe('names and addresses (10.5.67 and later)', () => {
  for (const name of ['v5', 'v6'] as Name[]) {
    test(`${name}: a wildcard CNAME is refused, a wildcard A is accepted, a bad IPv4 is "must be valid IP format"`, async () => {
      assertRefused(await post(name, cname('*.lab.lan')), 'api.request.error', 'domain must be valid domain');
      assert.equal((await post(name, aRecord('*.lab.lan'))).status, 201);
      assertRefused(await post(name, aRecord('bad-ip.lan', '300.1.1.1')), 'api.request.error', 'ipv4Address must be valid IP format');
    });
  }

  test('10.2.105 still accepts a wildcard CNAME and keeps the stand-in IP answer', async () => {
    assert.equal((await post('v2', cname('*.lab.lan'))).status, 201);
    assertRefused(await post('v2', aRecord('bad-ip.lan', '300.1.1.1')), 'api.request.invalid-property-value', /ipv4Address/);
  });
});

describe("a client's local DNS name, on every version", () => {
  for (const name of ['old', 'v6'] as Name[]) {
    test(`${name}: appears in no list, and a policy at that name is refused with overlap-with-local-dns`, async () => {
      const listed = await call(ctl[name], 'GET', `${POLICIES}?limit=200`);
      assert.ok(!listed.text.includes('printer.lan'), 'not in the policy list');
      assert.ok(!(await call(ctl[name], 'GET', `/v1/sites/${SITE_A}/clients`)).text.includes('printer.lan'), 'not in the client list');
      assertRefused(await post(name, aRecord('Printer.lan')), 'api.dns.policy.validation.overlap-with-local-dns', /printer/i);
      const moved = await call(ctl[name], 'PUT', `${POLICIES}/${listed.json.data[0].id}`, { body: aRecord('printer.lan') });
      assertRefused(moved, 'api.dns.policy.validation.overlap-with-local-dns', /printer/i);
    });
  }

  test('names can be declared at run time, over the admin API', async () => {
    const set = await call(ctl.v6, 'PUT', `/__sim/sites/default/local-dns`, { key: null, body: { domains: ['tv.lan'] } });
    assert.equal(set.status, 200);
    assertRefused(await post('v6', aRecord('tv.lan')), 'api.dns.policy.validation.overlap-with-local-dns', /tv\.lan/);
    assert.equal((await post('v6', aRecord('printer.lan'))).status, 201, 'the list was replaced');
  });
});

describe('GET one policy by id', () => {
  test('answers the policy, 404 api.dns.policy.not-found for an unknown id, 400 for an id that is not a uuid', async () => {
    const [first] = sim.policies('v6', SITE_A);
    const one = await call(ctl.v6, 'GET', `${POLICIES}/${first!.id}`);
    assert.equal(one.status, 200);
    assert.deepEqual(one.json, first);
    const unknown = '6f1c2d3e-0000-4000-8000-0000000000dd';
    const missing = await call(ctl.v6, 'GET', `${POLICIES}/${unknown}`);
    assert.equal(missing.status, 404);
    assert.equal(missing.json.statusName, 'NOT_FOUND');
    assert.equal(missing.json.code, 'api.dns.policy.not-found');
    assert.equal(missing.json.message, `DNS policy with id '${unknown}' not found`);
    assert.equal(missing.json.requestPath, `/integration${POLICIES}/${unknown}`);
    assert.equal((await call(ctl.v6, 'GET', `${POLICIES}/not-a-uuid`)).status, 400);
  });
});
