// SPEC §8: a no-op sync sends exactly the list requests its pages need, and no write. Counts only.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Scenario } from '../../fixtures/simulator/index.ts';
import { syncEnv, writes } from '../support/sync-env.ts';
import { actualRequests, count, countByMethod, expectedListPages, expectedListRequests } from './support.ts';

// 303 synced A records (alpha/big 300, alpha/edge 2, beta/hq 1), so once converged every site of
// alpha and beta holds 303 of them; SYSTEM_DEFINED policies (never synced) make the page counts
// differ: alpha/big 453 policies (3 pages), alpha/branch exactly 400 (2 pages, no empty third).
// gamma syncs CNAMEs only, of which there are none: 201 empty sites, so 2 sites pages and one
// empty policy page per site.
const scenario: Scenario = {
  controllers: [
    {
      name: 'alpha',
      sites: [
        {
          internalReference: 'big',
          generate: [
            { count: 300, domainPattern: 'big-{i}.alpha.lan', ipv4Pattern: '10.1.{hi}.{lo}', ttlSeconds: 300 },
            { count: 150, domainPattern: 'sys-{i}.alpha.lan', ipv4Pattern: '10.9.{hi}.{lo}', origin: 'SYSTEM_DEFINED' },
          ],
        },
        { internalReference: 'edge', generate: { count: 2, domainPattern: 'edge-{i}.alpha.lan', ipv4Pattern: '10.2.0.{lo}' } },
        { internalReference: 'branch', generate: { count: 97, domainPattern: 'fixed-{i}.alpha.lan', ipv4Pattern: '10.8.0.{lo}', origin: 'SYSTEM_DEFINED' } },
      ],
    },
    {
      name: 'beta',
      sites: [
        { internalReference: 'hq', policies: [{ type: 'A_RECORD', domain: 'hq.beta.lan', ipv4Address: '10.3.0.1' }] },
        { internalReference: 'lab' },
        { internalReference: 'spare' },
      ],
    },
    { name: 'gamma', generateSites: { count: 201 } },
  ],
};

describe('perf: a no-op sync reads exactly the pages it needs', () => {
  it('sends 1 info + the sites pages per controller and ceil(policies / 200) pages per site (at least 1), and no write', async () => {
    const env = await syncEnv(scenario, { controllers: { gamma: { recordTypes: ['CNAME_RECORD'] } } });
    const first = await env.sync();
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^created 1515, updated 0, deleted 0, skipped 0, failed 0$/m, '303 records × 5 other sites');

    // The policy counts the page counts follow from.
    const held = (controller: string) => env.sim.sites(controller).map((s) => env.sim.policies(controller, s.id).length);
    assert.deepEqual(held('alpha'), [453, 303, 400]);
    assert.deepEqual(held('beta'), [303, 303, 303]);
    assert.equal(held('gamma').length, 201);
    assert.ok(held('gamma').every((n) => n === 0));

    const runs = count(env, 'runs');
    const events = count(env, 'sync_events');
    env.sim.clearRequests();
    const noop = await env.sync();
    assert.equal(noop.code, 0, noop.stderr);
    assert.match(noop.stdout, /^No changes: \d+ sites in step\.$/m);

    // alpha: 1 + 1 + (3 + 2 + 2); beta: 1 + 1 + (2 + 2 + 2); gamma: 1 + 2 + 201 × 1.
    const expected = 9 + 8 + 204;
    assert.equal(expectedListRequests(env.sim), expected);
    assert.deepEqual(countByMethod(env.sim), { GET: expected }, 'only list requests, each exactly once');
    assert.equal(writes(env.sim), 0);
    assert.deepEqual(actualRequests(env.sim), expectedListPages(env.sim), 'the very pages: every offset once, limit 200');
    assert.equal(count(env, 'runs'), runs + 1, 'one more run row');
    assert.equal(count(env, 'sync_events'), events, 'no event');

    // That run left every site in step: the next plans nothing, and reads the very same pages.
    env.sim.clearRequests();
    const again = await env.sync();
    assert.equal(again.stdout, noop.stdout);
    assert.deepEqual(actualRequests(env.sim), expectedListPages(env.sim), 'the same pages, each once');
    assert.equal(count(env, 'runs'), runs + 2);
  });
});
