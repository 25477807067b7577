// Every list fault of the simulator against readAll's checks: each listing
// that does not add up is a malformed error naming what was wrong; the one
// fault no page can betray (a consistent omission) is left to policy().
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { startSimulator } from '../../fixtures/simulator/index.ts';
import type { ControllerInfo, Fault, Simulator } from '../../fixtures/simulator/index.ts';
import type { UnifiClient } from '../../src/unifi/client.ts';
import { failure, makeClient } from './helpers.ts';

const BIG = '6f1c2d3e-0000-4000-8000-0000000000e1';
const CLIENTS = '6f1c2d3e-0000-4000-8000-0000000000e2';

let sim: Simulator;
let lab: ControllerInfo;
let client: UnifiClient;

before(async () => {
  sim = await startSimulator({
    controllers: [
      {
        name: 'lab',
        apiKey: 'listing-key-00000001',
        sites: [
          { id: BIG, internalReference: 'default', generate: [{ count: 457, domainPattern: 'h{i}.big.lan', ipv4Pattern: '10.1.{hi}.{lo}' }] },
          { id: CLIENTS, internalReference: 'clients', generateClients: { count: 230, namePattern: 'pc-{i}', ipv4Pattern: '10.2.{hi}.{lo}' } },
        ],
        generateSites: { count: 260, internalReferencePattern: 'branch-{s}' },
      },
    ],
  });
  lab = sim.controller('lab');
  client = makeClient(lab);
});
afterEach(() => {
  sim.setFault({ controller: 'lab' }, null);
  sim.setFault({ controller: 'lab', site: BIG }, null);
  sim.setFault({ controller: 'lab', site: CLIENTS }, null);
  sim.clearRequests();
});
after(async () => {
  await client.close();
  await sim.close();
});

const ids = (list: Array<{ id: string }>) => list.map((x) => x.id);
const policyId = (i: number) => sim.policies('lab', BIG)[i]!.id;
const policiesPath = `GET /v1/sites/${BIG}/dns/policies`;

/** The one-line message of the malformed error that listing BIG's policies fails with under `fault`. */
async function policiesFailWith(fault: Fault | Fault[]): Promise<string> {
  sim.setFault({ controller: 'lab', site: BIG }, fault);
  const error = await failure(client.policies(BIG));
  assert.equal(error.kind, 'malformed');
  assert.equal(error.siteId, BIG);
  assert.ok(error.message.startsWith(`controller lab (${lab.url}): ${policiesPath}: `), error.message);
  assert.ok(!error.message.includes('\n'));
  return error.problem;
}

describe('a listing that does not add up is malformed', () => {
  test('a page that repeats the page before: a policy listed twice', async () => {
    assert.equal(await policiesFailWith({ kind: 'repeatPage' }), `page at offset 200 repeats policy ${policyId(0)} already listed`);
    assert.equal(await policiesFailWith({ kind: 'repeatPage', offset: 400 }), `page at offset 400 repeats policy ${policyId(200)} already listed`);
  });

  test('a page that holds fewer items than its count says', async () => {
    assert.equal(await policiesFailWith({ kind: 'shortPage', drop: 10 }), 'page at offset 0: count says 200 but the page holds 190 policies');
    assert.equal(await policiesFailWith({ kind: 'shortPage', drop: 10, offset: 400 }), 'page at offset 400: count says 57 but the page holds 47 policies');
  });

  test('short pages that count honestly but never reach totalCount', async () => {
    // Every non-empty page loses 10: the last 10 policies never come, whatever the offset asked.
    assert.equal(await policiesFailWith({ kind: 'shortPage', drop: 10, claim: 'data' }), 'read 447 policies but totalCount says 457 (the page at offset 447 is empty)');
  });

  test('more items than totalCount', async () => {
    assert.equal(await policiesFailWith({ kind: 'totalCount', delta: -5 }), 'read 457 policies but totalCount says 452');
    assert.equal(await policiesFailWith({ kind: 'totalCount', value: 300 }), 'read 400 policies but totalCount says 300');
    assert.equal(await policiesFailWith({ kind: 'totalCount', value: 0 }), 'read 200 policies but totalCount says 0');
  });

  test('a totalCount the items never reach', async () => {
    assert.equal(await policiesFailWith({ kind: 'totalCount', delta: 5 }), 'read 457 policies but totalCount says 462 (the page at offset 457 is empty)');
  });

  test('a site listed twice, in one page or across two', async () => {
    const sites = sim.sites('lab');
    sim.setFault({ controller: 'lab' }, { kind: 'siteTwice' });
    let error = await failure(client.sites());
    assert.equal(error.kind, 'malformed');
    assert.equal(error.message, `controller lab (${lab.url}): GET /v1/sites: page at offset 0 repeats site ${sites[0]!.id} already listed`);
    // The 200th site is the last of the first page; its copy opens the second.
    sim.setFault({ controller: 'lab' }, { kind: 'siteTwice', site: sites[199]!.internalReference });
    error = await failure(client.sites());
    assert.equal(error.problem, `page at offset 200 repeats site ${sites[199]!.id} already listed`);
  });

  test('the site list and the client list are checked like the policies', async () => {
    sim.setFault({ controller: 'lab' }, { kind: 'totalCount', delta: -1 });
    assert.equal((await failure(client.sites())).problem, `read ${sim.sites('lab').length} sites but totalCount says ${sim.sites('lab').length - 1}`);
    sim.setFault({ controller: 'lab' }, null);
    sim.setFault({ controller: 'lab', site: CLIENTS }, { kind: 'repeatPage', path: '/clients' });
    const error = await failure(client.clients(CLIENTS));
    assert.equal(error.siteId, CLIENTS);
    assert.equal(error.problem, `page at offset 200 repeats client ${sim.clients('lab', CLIENTS)[0]!.id} already listed`);
  });
});

describe('a listing that adds up is accepted', () => {
  test('a short page that says so loses nothing: the next page starts where it ended', async () => {
    sim.setFault({ controller: 'lab', site: BIG }, { kind: 'shortPage', drop: 10, offset: 0, claim: 'data' });
    assert.deepEqual(ids(await client.policies(BIG)), ids(sim.policies('lab', BIG)));
    assert.deepEqual(sim.requests({ path: '/dns/policies' }).map((r) => r.query.offset), ['0', '190', '390']);
  });

  test('a totalCount that changes between pages restarts the reading, which then succeeds', async () => {
    sim.setFault({ controller: 'lab', site: BIG }, { kind: 'totalCount', delta: 1, count: 1 });
    assert.deepEqual(ids(await client.policies(BIG)), ids(sim.policies('lab', BIG)));
    assert.deepEqual(sim.requests({ path: '/dns/policies' }).map((r) => r.query.offset), ['0', '200', '0', '200', '400']);
  });

  test('a consistent omission cannot be seen in the pages; policy() by id finds the policy', async () => {
    const hidden = policyId(300);
    sim.setFault({ controller: 'lab', site: BIG }, { kind: 'hide', ids: [hidden] });
    const listed = await client.policies(BIG);
    assert.equal(listed.length, 456);
    assert.ok(!ids(listed).includes(hidden), 'the listing alone cannot tell');
    assert.equal((await client.policy(BIG, hidden))?.id, hidden);
    assert.ok(sim.requests().every((r) => !('filter' in r.query)), 'no filter is ever sent (a filter can silently answer nothing)');
  });
});
