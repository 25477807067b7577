import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { Scenario } from '../../fixtures/simulator/index.ts';
import { syncEnv, until, writes } from '../support/sync-env.ts';

describe('sync: native policies are never touched', () => {
  it('leaves native policies dnssync did not create as they are, whatever the config', async () => {
    const env = await syncEnv(
      {
        controllers: [
          {
            name: 'a',
            sites: [
              { internalReference: 'default', policies: [{ type: 'A_RECORD', domain: 'x.lan', ipv4Address: '10.0.0.1', ttlSeconds: 60 }] },
              {
                internalReference: 'other',
                policies: [
                  { type: 'A_RECORD', domain: 'x.lan', ipv4Address: '10.0.0.1', ttlSeconds: 9999, enabled: false },
                  { type: 'A_RECORD', domain: 'excluded.lan', ipv4Address: '10.0.0.2' },
                  { type: 'FORWARD_DOMAIN', domain: 'corp.lan', ipAddress: '10.8.8.8' },
                  { type: 'A_RECORD', domain: 'sys.lan', ipv4Address: '10.0.0.3', metadata: { origin: 'SYSTEM_DEFINED' } },
                ],
              },
            ],
          },
        ],
      },
      { sync: { excludeDomains: ['excluded.lan'], orphanGracePeriod: 0 } },
    );
    const before = env.sim.policies('a', 'other');
    for (let i = 0; i < 2; i++) assert.equal((await env.sync()).code, 0);
    assert.deepEqual(env.sim.policies('a', 'other'), before);
    assert.equal(env.sim.requests({ method: 'PUT' }).length + env.sim.requests({ method: 'DELETE' }).length, 0);
    assert.deepEqual(env.identities('a', 'default'), ['A_RECORD x.lan 10.0.0.1'], 'nothing native of `other` is copied but what the config allows');
  });
});

describe('sync: CNAME conflicts and round-robin records', () => {
  it('skips conflicting CNAMEs with a reason and syncs every value of a round-robin name', async () => {
    const env = await syncEnv({
      controllers: [
        {
          name: 'a',
          sites: [
            {
              internalReference: 'default',
              policies: [
                { type: 'A_RECORD', domain: 'www.lan', ipv4Address: '10.0.0.1' },
                { type: 'A_RECORD', domain: 'www.lan', ipv4Address: '10.0.0.2' },
                { type: 'CNAME_RECORD', domain: 'media.lan', targetDomain: 'jelly.lan' },
              ],
            },
            { internalReference: 'b', policies: [{ type: 'A_RECORD', domain: 'media.lan', ipv4Address: '10.0.0.9' }] },
            { internalReference: 'c' },
          ],
        },
      ],
    });
    const result = await env.sync();
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(env.identities('a', 'c'), ['A_RECORD media.lan 10.0.0.9', 'A_RECORD www.lan 10.0.0.1', 'A_RECORD www.lan 10.0.0.2']);
    assert.match(result.stdout, /skipped .*CNAME.*media\.lan.*CNAME at c conflicts with the A record wanted there/);
    assert.match(result.stdout, /skipped .*CNAME.*media\.lan.*CNAME at b conflicts with the native A record there/);
    assert.ok(!env.identities('a', 'default').includes('A_RECORD media.lan 10.0.0.9'), 'no A next to the native CNAME');
    env.sim.clearRequests();
    const again = await env.sync();
    assert.equal(writes(env.sim), 0);
    assert.equal(again.code, 0);
    assert.equal(env.query<{ n: number }>("SELECT count(*) AS n FROM sync_events WHERE status = 'SKIPPED'")[0]!.n, 3, 'a lasting conflict is recorded once');
  });
});

describe('sync: the delete limit', () => {
  const scenario: Scenario = {
    controllers: [
      {
        name: 'a',
        sites: [
          { internalReference: 'default', generate: { count: 12, domainPattern: 'h{i}.lan' } },
          { internalReference: 'b' },
        ],
      },
    ],
  };

  it('refuses with exit 4 and applies nothing when a site would lose too many replicas; --force applies', async () => {
    const env = await syncEnv(scenario, { sync: { orphanGracePeriod: 0, maxDeletePercent: 30 } });
    assert.equal((await env.sync()).code, 0);
    for (const p of env.sim.policies('a', 'default').slice(0, 4)) env.sim.removePolicy('a', 'default', p.id);
    env.sim.addPolicy('a', 'default', { type: 'A_RECORD', domain: 'fresh.lan', ipv4Address: '10.9.9.9' });
    env.sim.clearRequests();

    const refused = await env.sync();
    assert.equal(refused.code, 4, refused.stderr);
    assert.match(refused.stdout, /would delete 4 of 12 replicas/);
    assert.equal(writes(env.sim), 0, 'nothing applied anywhere, not even the create');
    assert.equal(env.identities('a', 'b').length, 12);
    assert.equal(env.query<{ outcome: string }>('SELECT outcome FROM runs ORDER BY id DESC LIMIT 1')[0]!.outcome, 'refused');

    const forced = await env.sync(['--force']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal(env.identities('a', 'b').length, 9);
  });

  it('upsert-only deletes nothing', async () => {
    const env = await syncEnv(scenario, { sync: { orphanGracePeriod: 0 } });
    await env.sync();
    for (const p of env.sim.policies('a', 'default')) env.sim.removePolicy('a', 'default', p.id);
    // --force: losing every origin at once is refused by itself (the origin-loss limit).
    const result = await env.sync(['--policy', 'upsert-only', '--force']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(env.identities('a', 'b').length, 12);
  });

  it('--fail-on-changes exits 6 and applies nothing when there is drift, 0 when there is none', async () => {
    const env = await syncEnv(scenario);
    const drift = await env.sync(['--fail-on-changes']);
    assert.equal(drift.code, 6, drift.stderr);
    assert.equal(writes(env.sim), 0);
    await env.sync();
    assert.equal((await env.sync(['--fail-on-changes'])).code, 0);
  });
});

describe('sync: the lock', () => {
  it('a second sync on the same database exits 5 at once, naming the holder', async () => {
    const env = await syncEnv(
      { controllers: [{ name: 'a', sites: [{ internalReference: 'default', generate: { count: 5, domainPattern: 'h{i}.lan' } }, { internalReference: 'b' }] }] },
    );
    // The first creates hang for seconds: the second sync, however slowly it starts, meets the first applying.
    env.sim.setFault({ controller: 'a' }, { kind: 'slow', delayMs: 3_000, methods: ['POST'], count: 2 });
    const first = env.start();
    await until(() => env.sim.requests({ method: 'POST' }).length > 0, "the first sync's first create");
    const second = await env.sync(['--log-format', 'text']);
    assert.equal(second.code, 5, second.stderr);
    assert.match(second.stderr, /another sync holds the database .*: host .*, pid \d+, since \d{4}-/);
    const done = await first.done;
    assert.equal(done.code, 0, done.stderr);
  });
});

describe('sync: TLS and secrets', () => {
  const tlsScenario: Scenario = { controllers: [{ name: 'secure', tls: true, apiKey: 'k3y-that-must-never-leak-0123456789', sites: [{ internalReference: 'default', policies: [{ type: 'A_RECORD', domain: 'a.lan', ipv4Address: '10.0.0.1' }] }, { internalReference: 'b' }] }] };

  it('refuses a self-signed controller with a clear TLS error unless caFile, fingerprint or verify:false', async () => {
    const env = await syncEnv(tlsScenario, { controllers: { secure: { tls: { verify: true } } } });
    const refused = await env.sync(['--log-format', 'text']);
    assert.equal(refused.code, 1, 'the only controller failed: nothing was synced at all');
    assert.match(refused.stderr, /certificate/i);
    assert.match(refused.stderr, /sha256:[0-9A-F]{2}(:[0-9A-F]{2}){31}/);
    const fingerprint = /sha256:[0-9A-F]{2}(?::[0-9A-F]{2}){31}/.exec(refused.stderr)![0];

    for (const tls of [{ fingerprint }, { verify: false }]) {
      const pinned = await syncEnv(tlsScenario, { controllers: { secure: { tls } } });
      const result = await pinned.sync();
      assert.equal(result.code, 0, `${JSON.stringify(tls)}: ${result.stderr}`);
    }
  });

  it('never writes the API key to the database, the logs or the --json report', async () => {
    const env = await syncEnv(tlsScenario, { sync: {}, controllers: {} });
    const key = 'k3y-that-must-never-leak-0123456789';
    const result = await env.sync(['--json', '--log-level', 'debug']);
    assert.equal(result.code, 0, result.stderr);
    const failing = await env.cli(['sync', '--log-level', 'debug'], { env: {} });
    env.sim.setFault({ controller: 'secure' }, { kind: 'status', status: 401 });
    const unauthorized = await env.sync(['--log-level', 'debug']);
    for (const text of [result.stdout, result.stderr, failing.stdout, failing.stderr, unauthorized.stdout, unauthorized.stderr]) {
      assert.ok(!text.includes(key), 'key in output');
    }
    for (const file of [env.db, `${env.db}-wal`]) {
      let bytes: Buffer;
      try {
        bytes = readFileSync(file);
      } catch {
        continue;
      }
      assert.equal(bytes.includes(key), false, `key in ${file}`);
    }
    assert.match(env.query<{ key_fingerprint: string }>('SELECT key_fingerprint FROM controllers')[0]!.key_fingerprint, /^sha256:[0-9a-f]{12}$/);
  });
});

describe('sync --site', () => {
  it('applies changes only at the chosen sites, and a name that matches no site is a usage error', async () => {
    const env = await syncEnv({
      controllers: [{ name: 'a', sites: [{ internalReference: 'default', policies: [{ type: 'A_RECORD', domain: 'x.lan', ipv4Address: '10.0.0.1' }] }, { internalReference: 'b', name: 'Bee' }, { internalReference: 'c' }] }],
    });
    const unknown = await env.sync(['--site', 'nowhere', '--log-format', 'text']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /--site nowhere: no such site on any controller/);
    assert.equal(writes(env.sim), 0);

    const chosen = await env.sync(['--site', 'bee']);
    assert.equal(chosen.code, 0, chosen.stderr);
    assert.deepEqual(env.identities('a', 'b'), ['A_RECORD x.lan 10.0.0.1']);
    assert.deepEqual(env.identities('a', 'c'), [], 'not chosen: untouched');
  });
});
