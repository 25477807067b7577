// What a user sees of `dnssync sync` on the demo, pinned: a dry run, the real run, a run with
// nothing to do, a run refused by the delete limit and a run whose only-reachable controller is
// gone, each as text and as --json. Any change to these shows up in review.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { demoEnv } from '../support/demo-env.ts';
import { matchSnapshot, normalise } from '../support/snapshot.ts';
import type { SyncEnv } from '../support/sync-env.ts';

/** Text, then JSON, of the same command (two runs: the second sees what the first did), made stable. */
async function both(env: SyncEnv, name: string, args: string[], code: number): Promise<void> {
  const volatile = { paths: { [env.dir]: '<dir>' } };
  const text = await env.sync(args);
  assert.equal(text.code, code, text.stderr);
  matchSnapshot(`sync-${name}.txt`, normalise(text.stdout, volatile));
  const json = await env.sync([...args, '--json']);
  assert.equal(json.code, code, json.stderr);
  const doc = JSON.parse(json.stdout);
  doc.runId = doc.runId === null ? null : '<run>';
  matchSnapshot(`sync-${name}.json`, normalise(JSON.stringify(doc, null, 2) + '\n', volatile));
}

describe('sync: snapshots of what a user sees', () => {
  it('dry run, real run, nothing to do', async () => {
    const env = await demoEnv();
    await both(env, 'dry-run', ['--dry-run'], 0);
    const first = await env.sync();
    assert.equal(first.code, 0, first.stderr);
    matchSnapshot('sync-real.txt', normalise(first.stdout, { paths: { [env.dir]: '<dir>' } }));
    await both(env, 'no-op', [], 0);
  });

  it('the real run as --json', async () => {
    const env = await demoEnv();
    const json = await env.sync(['--json']);
    assert.equal(json.code, 0, json.stderr);
    const doc = JSON.parse(json.stdout);
    doc.runId = '<run>';
    matchSnapshot('sync-real.json', normalise(JSON.stringify(doc, null, 2) + '\n', { paths: { [env.dir]: '<dir>' } }));
  });

  it('refused by the delete limit, and a controller that cannot be read', async () => {
    const env = await demoEnv({ sync: { orphanGracePeriod: '0s' } });
    assert.equal((await env.sync()).code, 0);
    // Every native record of home/default goes: its replicas elsewhere are more than 30 % of theirs.
    for (const p of env.sim.policies('home', 'default')) env.sim.removePolicy('home', 'default', p.id);
    await both(env, 'refused', [], 4);
    env.sim.setFault({ controller: 'office' }, { kind: 'status', status: 503 });
    await both(env, 'controller-failed', ['--force'], 3);
  });
});
