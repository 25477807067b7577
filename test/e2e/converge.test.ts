import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { Scenario } from '../../fixtures/simulator/index.ts';
import { syncEnv, writes } from '../support/sync-env.ts';

const scenario: Scenario = {
  controllers: [
    {
      name: 'alpha',
      sites: [
        { internalReference: 'default', name: 'Alpha HQ', generate: { count: 230, domainPattern: 'host-{i}.alpha.lan', ipv4Pattern: '10.1.{hi}.{lo}' } },
        { internalReference: 'shop', policies: [{ type: 'AAAA_RECORD', domain: 'shop.alpha.lan', ipv6Address: 'fd00:0:0:0::7', ttlSeconds: 120 }] },
      ],
    },
    {
      name: 'beta',
      tls: true,
      sites: [
        { internalReference: 'default', name: 'Beta', policies: [{ type: 'CNAME_RECORD', domain: 'wiki.beta.lan', targetDomain: 'host-1.alpha.lan' }] },
        { internalReference: 'lab' },
      ],
    },
    {
      name: 'gamma',
      sites: [{ internalReference: 'default' }, { internalReference: 'edge', policies: [{ type: 'A_RECORD', domain: 'edge.gamma.lan', ipv4Address: '10.3.0.1' }] }, { internalReference: 'remote' }],
    },
  ],
};

describe('sync: convergence and idempotence', () => {
  it('converges every site of three controllers, then sends no write and adds no event', async () => {
    const env = await syncEnv(scenario);
    const first = await env.sync(['--json']);
    assert.equal(first.code, 0, first.stderr);
    const report = JSON.parse(first.stdout);
    assert.equal(report.outcome, 'success');

    // 233 records in all; every site holds every one (natively or as a replica), exactly once.
    const everySite = [['alpha', 'default'], ['alpha', 'shop'], ['beta', 'default'], ['beta', 'lab'], ['gamma', 'default'], ['gamma', 'edge'], ['gamma', 'remote']];
    const expected = 233;
    for (const [controller, site] of everySite) {
      const held = env.identities(controller!, site!);
      assert.equal(held.length, expected, `${controller}/${site} holds ${held.length}`);
      assert.equal(new Set(held).size, held.length, `no duplicate at ${controller}/${site}`);
    }
    assert.equal(report.summary.created, expected * 6, 'each record created at the 6 sites that lack it');
    // The AAAA was written in canonical form with its origin's ttl.
    const aaaa = env.sim.policies('gamma', 'remote').find((p) => p.type === 'AAAA_RECORD')!;
    assert.deepEqual([aaaa.ipv6Address, aaaa.ttlSeconds], ['fd00::7', 120]);
    // Paging: the 232-policy site was read in pages of 200.
    const pages = env.sim.requests({ controller: 'alpha', method: 'GET', path: /dns\/policies$/ }).filter((r) => r.site !== null);
    assert.ok(pages.every((r) => r.query.limit === '200'));

    const events = env.query<{ n: number }>('SELECT count(*) AS n FROM sync_events')[0]!.n;
    const runs = env.query<{ n: number }>('SELECT count(*) AS n FROM runs')[0]!.n;
    const before = createHash('sha256').update(JSON.stringify(env.query('SELECT * FROM dns_records ORDER BY id'))).digest('hex');
    env.sim.clearRequests();

    const second = await env.sync();
    assert.equal(second.code, 0, second.stderr);
    assert.equal(writes(env.sim), 0, 'no POST, PUT or DELETE');
    assert.equal(env.query<{ n: number }>('SELECT count(*) AS n FROM sync_events')[0]!.n, events, 'no new event');
    assert.equal(env.query<{ n: number }>('SELECT count(*) AS n FROM runs')[0]!.n, runs + 1, 'one more run row');
    assert.equal(createHash('sha256').update(JSON.stringify(env.query('SELECT * FROM dns_records ORDER BY id'))).digest('hex'), before);
    assert.equal(second.stdout, 'No changes: 7 sites in step.\n');
  });

  it('--dry-run prints the plan, sends no write and leaves the database byte-identical', async () => {
    const env = await syncEnv(scenario);
    assert.equal((await env.sync()).code, 0);
    env.sim.addPolicy('gamma', 'remote', { type: 'A_RECORD', domain: 'new.gamma.lan', ipv4Address: '10.3.9.9' });
    const file = () => createHash('sha256').update(readFileSync(env.db)).digest('hex');
    const before = file();
    env.sim.clearRequests();

    const dry = await env.sync(['--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /create .*new\.gamma\.lan.*10\.3\.9\.9/);
    assert.match(dry.stdout, /^Plan: 6 to create, 0 to update, 0 to delete, 0 skipped$/m);
    assert.match(dry.stdout, /dry run: nothing was sent or recorded/);
    assert.equal(writes(env.sim), 0);
    assert.equal(file(), before);
  });

  it('--dry-run on a database that does not exist creates nothing', async () => {
    const env = await syncEnv(scenario);
    const dry = await env.sync(['--dry-run', '--json']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.equal(JSON.parse(dry.stdout).dryRun, true);
    assert.throws(() => readFileSync(env.db));
    assert.equal(writes(env.sim), 0);
  });
});
