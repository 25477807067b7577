// Creates, updates and deletes against the simulator, which refuses unknown
// body properties (`id`, `metadata`) as the real API does.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { startSimulator } from '../../fixtures/simulator/index.ts';
import type { ControllerInfo, Simulator } from '../../fixtures/simulator/index.ts';
import { DnssyncError } from '../../src/domain/errors.ts';
import { policyBody, policyBodyBytes } from '../../src/unifi/body.ts';
import { WriteNotSentError } from '../../src/unifi/errors.ts';
import type { DnsPolicy, DnsPolicyBody } from '../../src/domain/policy.ts';
import { makeClient, failure } from './helpers.ts';
import type { UnifiClient } from '../../src/unifi/client.ts';

const SITE = '6f1c2d3e-0000-4000-8000-0000000000d1';

let sim: Simulator;
let lab: ControllerInfo;
let client: UnifiClient;

before(async () => {
  sim = await startSimulator({ controllers: [{ name: 'lab', apiKey: 'write-key-000000001', sites: [{ id: SITE, internalReference: 'default' }] }] });
  lab = sim.controller('lab');
  client = makeClient(lab);
});
afterEach(() => {
  sim.setFault({ controller: 'lab' }, null);
  sim.setFault({ controller: 'lab', site: SITE }, null);
  sim.setLocalDns('lab', SITE, []);
  sim.clearRequests();
});
after(async () => {
  await client.close();
  await sim.close();
});


const aRecord = (domain: string, ip = '10.9.0.1'): DnsPolicyBody => ({ type: 'A_RECORD', enabled: true, domain, ipv4Address: ip, ttlSeconds: 300 });
const simPolicy = (domain: string) => sim.policies('lab', SITE).filter((p) => p.domain === domain);
const methods = () => sim.requests({ controller: 'lab' }).map((r) => `${r.method} ${r.status ?? r.fault}`);

describe('round trip', () => {
  test('create, update and delete send only the fields of the type', async () => {
    // A whole policy as read back, with read-only and unknown fields: only the body fields may be sent.
    const source = { ...aRecord('rt.lan'), id: '11111111-1111-4111-8111-111111111111', metadata: { origin: 'USER_DEFINED' }, ipv6Address: 'fd00::9', comment: 'x' } as DnsPolicy;
    const created = await client.createPolicy(SITE, source);
    assert.notEqual(created.id, source.id);
    assert.equal(created.metadata?.origin, 'USER_DEFINED');
    assert.deepEqual(simPolicy('rt.lan').map((p) => p.id), [created.id]);
    const post = sim.requests({ controller: 'lab', method: 'POST' });
    assert.deepEqual(post.map((r) => [r.status, r.body]), [[201, { type: 'A_RECORD', enabled: true, domain: 'rt.lan', ipv4Address: '10.9.0.1', ttlSeconds: 300 }]]);

    const updated = await client.updatePolicy(SITE, created.id, { ...created, ipv4Address: '10.9.0.2', enabled: false });
    assert.equal(updated.id, created.id);
    assert.equal(updated.ipv4Address, '10.9.0.2');
    assert.equal(simPolicy('rt.lan')[0]?.enabled, false);
    const put = sim.requests({ controller: 'lab', method: 'PUT' });
    assert.equal(put[0]?.path, `/proxy/network/integration/v1/sites/${SITE}/dns/policies/${created.id}`);
    assert.deepEqual(put[0]?.body, { type: 'A_RECORD', enabled: false, domain: 'rt.lan', ipv4Address: '10.9.0.2', ttlSeconds: 300 });

    await client.deletePolicy(SITE, created.id);
    assert.deepEqual(simPolicy('rt.lan'), []);
    assert.deepEqual(methods(), ['POST 201', 'PUT 200', 'DELETE 200']);
  });

  test('every record type is accepted by the controller', async () => {
    const bodies: DnsPolicyBody[] = [
      { type: 'AAAA_RECORD', enabled: true, domain: 'six.lan', ipv6Address: 'fd00::6', ttlSeconds: 0 },
      { type: 'CNAME_RECORD', enabled: true, domain: 'cname.lan', targetDomain: 'six.lan', ttlSeconds: 600 },
      { type: 'MX_RECORD', enabled: true, domain: 'mx.lan', mailServerDomain: 'mail.lan', priority: 10 },
      { type: 'TXT_RECORD', enabled: true, domain: 'txt.lan', text: 'hello' },
      { type: 'SRV_RECORD', enabled: true, domain: '_sip._udp.lan', serverDomain: 'pbx.lan', service: '_sip', protocol: '_udp', port: 5060, priority: 1, weight: 2 },
    ];
    for (const body of bodies) {
      const created = await client.createPolicy(SITE, { ...body, ttlSeconds: 99 } as DnsPolicyBody);
      assert.equal(created.type, body.type);
      assert.deepEqual(sim.requests({ controller: 'lab', method: 'POST' }).at(-1)?.body, { ...body, ...('ttlSeconds' in body && { ttlSeconds: 99 }) });
      await client.deletePolicy(SITE, created.id);
    }
  });

  test('policyBody keeps only BODY_FIELDS and refuses an unknown type', () => {
    assert.deepEqual(policyBody({ type: 'TXT_RECORD', enabled: true, domain: 't.lan', text: 'x', ttlSeconds: 5, id: 'i', metadata: {} } as DnsPolicy), {
      type: 'TXT_RECORD',
      enabled: true,
      domain: 't.lan',
      text: 'x',
    });
    assert.throws(() => policyBody({ type: 'HTTPS_RECORD' } as unknown as DnsPolicyBody), DnssyncError);
    // As sent: the same fields, serialized once a body object.
    const body = { type: 'A_RECORD', enabled: true, domain: 'a.lan', ipv4Address: '10.0.0.1', id: 'i' } as DnsPolicyBody;
    const bytes = policyBodyBytes(body);
    assert.deepEqual(JSON.parse(bytes.toString('utf8')), { type: 'A_RECORD', enabled: true, domain: 'a.lan', ipv4Address: '10.0.0.1' });
    assert.equal(policyBodyBytes(body), bytes);
  });

  test('a refused overlap is an http 400 with the overlap code, and nothing is created', async () => {
    sim.setLocalDns('lab', SITE, ['printer.lan']);
    const local = await failure(client.createPolicy(SITE, aRecord('printer.lan')));
    assert.equal(local.kind, 'http');
    assert.equal(local.status, 400);
    assert.equal(local.code, 'api.dns.policy.validation.overlap-with-local-dns');
    assert.equal(local.isOverlap, true);
    assert.equal(local.ambiguous, false);
    assert.match(local.message, /POST \/v1\/sites\/[^:]+\/dns\/policies: HTTP 400 \(api\.dns\.policy\.validation\.overlap-with-local-dns: /);
    assert.deepEqual(simPolicy('printer.lan'), []);

    sim.setFault({ controller: 'lab', site: SITE }, { kind: 'overlap', domains: ['*.alias.lan'], code: 'api.dns.policy.validation.cname-alias-overlap' });
    const alias = await failure(client.createPolicy(SITE, aRecord('x.alias.lan')));
    assert.equal(alias.code, 'api.dns.policy.validation.cname-alias-overlap');
    assert.equal(alias.isOverlap, true);
    assert.deepEqual(methods(), ['POST 400', 'POST 400'], 'never retried');
  });

  test('another 400 is not an overlap', async () => {
    const error = await failure(client.createPolicy(SITE, { ...aRecord('bad.lan'), ipv4Address: 'not-an-ip' }));
    assert.equal(error.status, 400);
    assert.equal(error.isOverlap, false);
  });
});

describe('write retries', () => {
  test('POST is not retried on 503, and the failure may have been applied', async () => {
    sim.setFault({ controller: 'lab' }, { kind: 'status', status: 503, count: 1 });
    const error = await failure(client.createPolicy(SITE, aRecord('five.lan')));
    assert.equal(error.kind, 'http');
    assert.equal(error.status, 503);
    assert.equal(error.ambiguous, true);
    assert.deepEqual(methods(), ['POST 503']);
    assert.deepEqual(simPolicy('five.lan'), []);
  });

  test('POST is retried on 429: the controller did not process it', async () => {
    sim.setFault({ controller: 'lab' }, { kind: 'rateLimit', retryAfter: 0, count: 1, methods: ['POST'] });
    const created = await client.createPolicy(SITE, aRecord('limited.lan'));
    assert.deepEqual(methods(), ['POST 429', 'POST 201']);
    assert.deepEqual(simPolicy('limited.lan').map((p) => p.id), [created.id], 'created once');
  });

  test('POST is not retried after a reset; the error is ambiguous (the create happened)', async () => {
    sim.setFault({ controller: 'lab' }, { kind: 'reset', when: 'after', count: 1 });
    const error = await failure(client.createPolicy(SITE, aRecord('lost.lan')));
    assert.equal(error.kind, 'network');
    assert.equal(error.ambiguous, true);
    assert.equal(sim.requests({ controller: 'lab', method: 'POST' }).length, 1);
    assert.equal(simPolicy('lost.lan').length, 1, 'the controller did create it');
  });

  test('a POST that times out is ambiguous', async () => {
    const quick = makeClient(lab, { requestTimeoutMs: 200 });
    try {
      sim.setFault({ controller: 'lab' }, { kind: 'hang', when: 'after', count: 1 });
      const error = await failure(quick.createPolicy(SITE, aRecord('hung.lan')));
      assert.equal(error.kind, 'timeout');
      assert.equal(error.ambiguous, true);
      assert.equal(simPolicy('hung.lan').length, 1);
    } finally {
      await quick.close();
    }
  });

  test('PUT is retried on 503', async () => {
    const created = await client.createPolicy(SITE, aRecord('put.lan'));
    sim.clearRequests();
    sim.setFault({ controller: 'lab' }, { kind: 'status', status: 503, count: 1, methods: ['PUT'] });
    const updated = await client.updatePolicy(SITE, created.id, aRecord('put.lan', '10.9.9.9'));
    assert.equal(updated.ipv4Address, '10.9.9.9');
    assert.deepEqual(methods(), ['PUT 503', 'PUT 200']);
  });

  test('a DELETE whose answer was lost, retried, counts as done on 404', async () => {
    const created = await client.createPolicy(SITE, aRecord('gone.lan'));
    sim.clearRequests();
    sim.setFault({ controller: 'lab' }, { kind: 'status', status: 502, when: 'after', count: 1, methods: ['DELETE'] });
    await client.deletePolicy(SITE, created.id);
    assert.deepEqual(methods(), ['DELETE 502', 'DELETE 404']);
    assert.deepEqual(simPolicy('gone.lan'), []);
  });

  test('a DELETE reset after it was applied is retried and done', async () => {
    const created = await client.createPolicy(SITE, aRecord('reset-delete.lan'));
    sim.clearRequests();
    sim.setFault({ controller: 'lab' }, { kind: 'reset', when: 'after', count: 1, methods: ['DELETE'] });
    await client.deletePolicy(SITE, created.id);
    assert.deepEqual(methods(), ['DELETE reset', 'DELETE 404']);
  });

  test('a first DELETE answered 404 is an error', async () => {
    const error = await failure(client.deletePolicy(SITE, '99999999-9999-4999-8999-999999999999'));
    assert.equal(error.kind, 'http');
    assert.equal(error.status, 404);
    assert.equal(error.code, 'api.dns.policy.not-found');
    assert.equal(error.ambiguous, false);
  });

  test('a create answered with an HTML page is malformed and not ambiguous; with truncated JSON it is ambiguous', async () => {
    sim.setFault({ controller: 'lab' }, { kind: 'htmlLogin', count: 1 });
    const html = await failure(client.createPolicy(SITE, aRecord('html.lan')));
    assert.equal(html.kind, 'malformed');
    assert.equal(html.ambiguous, false);

    sim.setFault({ controller: 'lab' }, { kind: 'malformedJson', count: 1 });
    const cut = await failure(client.createPolicy(SITE, aRecord('cut.lan')));
    assert.equal(cut.kind, 'malformed');
    assert.equal(cut.ambiguous, true);
    assert.equal(simPolicy('cut.lan').length, 1, 'the simulator applied it before cutting the answer');
  });
});

describe('stopping', () => {
  test('a write not yet sent when holdWrites turns true is dropped, never sent; reads go on', async () => {
    let stopping = false;
    const held = makeClient(lab, { holdWrites: () => stopping });
    try {
      await held.createPolicy(SITE, { type: 'A_RECORD', enabled: true, domain: 'before.lan', ipv4Address: '10.0.0.1', ttlSeconds: 0 });
      stopping = true;
      await assert.rejects(
        held.createPolicy(SITE, { type: 'A_RECORD', enabled: true, domain: 'after.lan', ipv4Address: '10.0.0.2', ttlSeconds: 0 }),
        (e: unknown) => e instanceof WriteNotSentError && /not sent/.test(e.message),
      );
      assert.deepEqual(sim.requests({ method: 'POST' }).length, 1);
      assert.ok((await held.policies(SITE)).some((p) => p.domain === 'before.lan'));
    } finally {
      await held.close();
    }
  });
});
