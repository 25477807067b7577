// policy(): reading one policy by id, which confirms that a policy missing
// from a listing is really gone. Only the API's own "no such policy" is null;
// every other answer proves nothing and stays an error.
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, afterEach, before, describe, test } from 'node:test';
import { startSimulator } from '../../fixtures/simulator/index.ts';
import type { ControllerInfo, Simulator } from '../../fixtures/simulator/index.ts';
import type { UnifiClient } from '../../src/unifi/client.ts';
import { failure, fakeController, makeClient, sendJson } from './helpers.ts';
import type { FakeController } from './helpers.ts';

const SITE = '6f1c2d3e-0000-4000-8000-0000000000f1';
const GONE = '0d1e2f30-0000-4000-8000-00000000dead';

let sim: Simulator;
let lab: ControllerInfo;
let client: UnifiClient;

before(async () => {
  sim = await startSimulator({
    controllers: [
      {
        name: 'lab',
        apiKey: 'by-id-key-0000000001',
        sites: [
          {
            id: SITE,
            internalReference: 'default',
            policies: [
              { type: 'A_RECORD', domain: 'nas.lan', ipv4Address: '10.0.0.5', ttlSeconds: 60 },
              { type: 'SRV_RECORD', domain: '_sip._udp.lan', serverDomain: 'pbx.lan', service: '_sip', protocol: '_udp', port: 5060, priority: 1, weight: 2 },
            ],
          },
        ],
      },
    ],
  });
  lab = sim.controller('lab');
  client = makeClient(lab);
});
afterEach(() => {
  sim.setFault({ controller: 'lab' }, null);
  sim.clearRequests();
});
after(async () => {
  await client.close();
  await sim.close();
});

const byIdPath = (id: string) => `/proxy/network/integration/v1/sites/${SITE}/dns/policies/${id}`;

describe('policy(siteId, id) against the simulator', () => {
  test('a policy that exists is returned as the listing shows it', async () => {
    const listed = await client.policies(SITE);
    sim.clearRequests();
    for (const policy of listed) assert.deepEqual(await client.policy(SITE, policy.id), policy);
    assert.deepEqual(sim.requests().map((r) => `${r.method} ${r.path} ${r.status}`), listed.map((p) => `GET ${byIdPath(p.id)} 200`));
  });

  test('a policy the controller says it does not have is null, after one request', async () => {
    assert.equal(await client.policy(SITE, GONE), null);
    assert.deepEqual(sim.requests().map((r) => [r.status, r.path]), [[404, byIdPath(GONE)]]);
  });

  test('a 500 is an error, never null', async () => {
    sim.setFault({ controller: 'lab' }, { kind: 'status', status: 500 });
    const error = await failure(client.policy(SITE, GONE));
    assert.equal(error.kind, 'http');
    assert.equal(error.status, 500);
    assert.equal(error.siteId, SITE);
    assert.match(error.message, new RegExp(`^controller lab \\(.*\\): GET /v1/sites/${SITE}/dns/policies/${GONE}: HTTP 500`));
  });

  test('a 503 is retried like any read', async () => {
    const [policy] = sim.policies('lab', SITE);
    sim.setFault({ controller: 'lab' }, { kind: 'status', status: 503, count: 1 });
    assert.equal((await client.policy(SITE, policy!.id))?.domain, 'nas.lan');
    assert.deepEqual(sim.requests().map((r) => r.status), [503, 200]);
  });

  test('a 404 because the site is gone is an error, not a missing policy', async () => {
    const error = await failure(client.policy('6f1c2d3e-0000-4000-8000-00000000ffff', GONE));
    assert.equal(error.status, 404);
    assert.equal(error.code, 'api.site.not-found');
  });
});

describe('policy(siteId, id): answers only a hand-written controller gives', () => {
  let fake: FakeController | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  async function policyFrom(answer: (res: ServerResponse) => void) {
    await fake?.close();
    fake = await fakeController((_req, res) => answer(res));
    const c = makeClient({ name: 'fake', url: fake.url, apiKey: 'fake-key-0000000001' });
    try {
      return await c.policy(SITE, GONE);
    } finally {
      await c.close();
    }
  }
  const errorMessage = (code: string) => ({ statusCode: 404, statusName: 'NOT_FOUND', code, message: 'not found', timestamp: '2026-01-01T00:00:00Z', requestPath: '/x', requestId: 'r' });

  test('a 404 with no Error Message body (a proxy, a login page) is an error', async () => {
    await assert.rejects(
      policyFrom((res) => {
        res.writeHead(404, { 'content-type': 'text/html' });
        res.end('<html>Not Found</html>');
      }),
      (e: unknown) => e instanceof Error && /HTTP 404/.test(e.message),
    );
  });

  test('a 404 for an unknown endpoint (wrong URL, firmware before 10.1) is an error', async () => {
    await assert.rejects(policyFrom((res) => sendJson(res, 404, errorMessage('api.request.not-found'))), /wrong URL, or a Network application older than 10\.1/);
  });

  test('any other not-found code of the Error Message counts as gone (the real code is not established)', async () => {
    assert.equal(await policyFrom((res) => sendJson(res, 404, errorMessage('api.dns-policy.not-found'))), null);
  });

  test('an answer about another policy, or a bad one, is malformed', async () => {
    const other = { type: 'A_RECORD', id: 'aaaaaaaa-0000-4000-8000-000000000001', enabled: true, domain: 'x.lan', ipv4Address: '10.0.0.1', ttlSeconds: 0 };
    let error = await failure(policyFrom((res) => sendJson(res, 200, other)));
    assert.equal(error.kind, 'malformed');
    assert.equal(error.problem, `asked for policy ${GONE}, the controller answered policy ${other.id}`);
    error = await failure(policyFrom((res) => sendJson(res, 200, { ...other, id: GONE, ipv4Address: undefined })));
    assert.equal(error.kind, 'malformed');
    assert.match(error.problem, /^policy \(A_RECORD, id .*\): ipv4Address missing$/);
  });
});
