import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../support/cli.ts';
import { demoEnv } from '../support/demo-env.ts';
import { matchSnapshot, normalise } from '../support/snapshot.ts';
import { syncEnv, type SyncEnv } from '../support/sync-env.ts';

// Built at the top level: the temp folder and simulator then live until the file is done.
const env = await demoEnv();
const [home, office] = [env.sim.controller('home'), env.sim.controller('office')];

/** The env's config with some controllers' keys changed, written to a file of its own. */
function variant(target: SyncEnv, name: string, change: (controller: Record<string, unknown>) => void): string {
  const config = JSON.parse(readFileSync(target.configFile, 'utf8'));
  for (const c of config.controllers) change(c);
  const file = join(target.dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

const online = (file: string, ...args: string[]) => runCli(['check', '--online', '--config', file, '--log-format', 'text', ...args]);

/** Every request since the last clear was a read of /v1/info or /v1/sites. */
function onlyReads(target: SyncEnv): void {
  const requests = target.sim.requests();
  assert.ok(requests.length > 0, 'the controllers were asked');
  assert.deepEqual([...new Set(requests.map((r) => r.method))], ['GET']);
  for (const r of requests) assert.match(r.path, /\/v1\/(info|sites)$/);
}

describe('dnssync check --online', () => {
  it('one line per controller: ok, its Network version and its sites; exit 0; reads only', async () => {
    env.sim.clearRequests();
    const result = await env.cli(['check', '--online', '--log-format', 'text']);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(result.stdout.trim().split('\n'), [
      'config OK: 2 controllers',
      `home (${home.url}): ok, Network 10.1.89, 3 sites`,
      `office (${office.url}): ok, Network 10.1.89, 2 sites`,
    ]);
    onlyReads(env);
  });

  it('without --online asks no controller', async () => {
    env.sim.clearRequests();
    const result = await env.cli(['check']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'config OK: 2 controllers\n');
    assert.deepEqual(env.sim.requests(), []);
  });

  it('matches the snapshot of its text and --json output on the demo', async () => {
    const volatile = { paths: { [env.dir]: '<dir>' } };
    const text = await env.cli(['check', '--online']);
    const json = await env.cli(['check', '--online', '--json']);
    assert.equal(text.code, 0, text.stderr);
    assert.equal(json.code, 0, json.stderr);
    const doc = JSON.parse(json.stdout);
    delete doc.formatVersion; // added by the output layer, not by this command
    matchSnapshot('check-online.txt', normalise(text.stdout, volatile));
    matchSnapshot('check-online.json', normalise(JSON.stringify(doc, null, 2) + '\n', volatile));
  });

  it('some controllers failing: exit 3, each with its one-line reason; all failing: exit 1; never a write', async () => {
    const badKey = join(env.dir, 'wrong.key');
    writeFileSync(badKey, 'not-the-key-0123456789\n');
    const wrongKey = variant(env, 'wrong-key', (c) => c.name === 'home' && (c.apiKeyFile = badKey));
    env.sim.clearRequests();
    const some = await online(wrongKey);
    assert.equal(some.code, 3, some.stderr);
    const [, homeLine, officeLine] = some.stdout.trim().split('\n');
    assert.match(homeLine!, new RegExp(`^home \\(${home.url}\\): failed: the controller refused the API key`));
    assert.equal(officeLine, `office (${office.url}): ok, Network 10.1.89, 2 sites`);

    // office's self-signed certificate, with the CA file left out of the config.
    const untrusted = variant(env, 'untrusted', (c) => {
      if (c.name === 'home') c.apiKeyFile = badKey;
      else delete c.tls;
    });
    const none = await online(untrusted, '--json');
    assert.equal(none.code, 1, none.stderr);
    const doc = JSON.parse(none.stdout);
    assert.equal(doc.ok, false);
    assert.deepEqual(doc.controllers.map((c: { name: string; status: string }) => `${c.name} ${c.status}`), ['home failed', 'office failed']);
    assert.match(doc.controllers[1].error, /^TLS certificate not trusted .*sha256:/);
    onlyReads(env);
  });

  it('an unreachable controller, a Network older than 10.1, and sites/excludeSites that select none or some', async () => {
    const site = (internalReference: string) => ({ internalReference, policies: [] });
    const other = await syncEnv(
      { controllers: [{ name: 'old', version: '10.0.162', sites: [site('default')] }, { name: 'new', sites: [site('default'), site('lab'), site('shop')] }] },
      { controllers: { new: { excludeSites: ['shop'] } } },
    );
    const gone = variant(other, 'gone', (c) => c.name === 'old' && (c.url = 'http://127.0.0.1:1'));
    const unreachable = await online(gone);
    assert.equal(unreachable.code, 3, unreachable.stderr);
    assert.match(unreachable.stdout, /^old \(http:\/\/127\.0\.0\.1:1\): failed: .*(refused|ECONNREFUSED)/m);
    assert.match(unreachable.stdout, /^new \(.*\): ok, Network 10\.1\.89, 3 sites, 1 left out by sites\/excludeSites$/m);

    other.sim.clearRequests();
    const tooOld = await online(other.configFile);
    assert.equal(tooOld.code, 3, tooOld.stderr);
    assert.match(tooOld.stdout, /^old \(.*\): failed: Network 10\.0\.162 has no DNS policy API; dnssync needs UniFi Network 10\.1 or newer$/m);
    onlyReads(other);

    const noSite = variant(other, 'no-site', (c) => c.name === 'new' && (c.sites = ['elsewhere']));
    const nothing = await online(noSite);
    assert.equal(nothing.code, 1, nothing.stderr);
    assert.match(nothing.stdout, /^new \(.*\): failed: sites\/excludeSites select none of its sites \(Default, Lab, Shop\)$/mi);
  });

  it('a config with problems asks no controller: exit 2', async () => {
    const broken = variant(env, 'broken', (c) => (c.tsl = {}));
    env.sim.clearRequests();
    const result = await online(broken);
    assert.equal(result.code, 2);
    assert.match(result.stdout, /controllers\[0\]\.tsl: unknown key; did you mean tls\?/);
    assert.deepEqual(env.sim.requests(), []);
  });
});
