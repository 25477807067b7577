// `npm run sim` as a user runs it: node fixtures/simulator/main.ts, Node 24 erasing the types.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { ControllerInfo } from '../../fixtures/simulator/index.ts';
import { call, tlsAgent } from './sim-client.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DEMO = 'fixtures/scenarios/demo.json';

let tmp: string;
before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'dnssync-sim-cli-'));
});
after(async () => {
  await rm(tmp, { recursive: true, force: true });
  await tlsAgent.close();
});

/** Runs the CLI with this test's Node, as `npm run sim` does with the project's. */
function sim(args: string[]) {
  const child = spawn(process.execPath, ['fixtures/simulator/main.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  return {
    child,
    exited,
    out: () => stdout,
    err: () => stderr,
    async firstLine(): Promise<string> {
      while (!stdout.includes('\n')) {
        const raced = await Promise.race([once(child.stdout, 'data').then(() => 'data'), exited.then(() => 'exit')]);
        if (raced === 'exit' && !stdout.includes('\n')) throw new Error(`simulator exited early: ${stderr}`);
      }
      return stdout.slice(0, stdout.indexOf('\n'));
    },
  };
}

test('--json prints one JSON document with the controllers, serves them, and exits 0 on SIGTERM', async () => {
  const run = sim(['--scenario', DEMO, '--json', '--ephemeral-ports']);
  try {
    const doc = JSON.parse(await run.firstLine()) as { controllers: Array<ControllerInfo & { sites: Array<{ id: string; policies: number }> }> };
    assert.deepEqual(doc.controllers.map((c) => [c.name, c.tls, c.apiKey]), [
      ['home', false, 'demo-home-key-not-secret'],
      ['office', true, 'demo-office-key-not-secret'],
    ]);
    const [home, office] = doc.controllers;
    assert.match(home!.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.match(office!.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.equal((await call(home!, 'GET', '/v1/info')).json.applicationVersion, '10.1.89');
    const sites = await call(office!, 'GET', '/v1/sites');
    assert.deepEqual(sites.json.data.map((s: any) => s.name), ['HQ', 'Branch']);
    const policies = await call(office!, 'GET', `/v1/sites/${office!.sites[1]!.id}/dns/policies`);
    assert.equal(policies.json.totalCount, office!.sites[1]!.policies);
    assert.equal((await call(home!, 'GET', '/__sim/requests', { key: null })).json.count, 1);
  } finally {
    run.child.kill('SIGTERM');
  }
  const [code] = await run.exited;
  assert.equal(code, 0, run.err());
  assert.equal(run.out().trim().split('\n').length, 1, 'nothing else on stdout');
});

test('text mode prints name, URL and key of each controller; SIGINT exits 0', async () => {
  const scenario = join(tmp, 'one.json');
  await writeFile(scenario, JSON.stringify({ controllers: [{ name: 'solo', apiKey: 'solo-key', tls: true, sites: [{ internalReference: 'default' }] }] }));
  const run = sim(['--scenario', scenario]);
  await run.firstLine();
  while (!run.out().includes('Ctrl-C')) await once(run.child.stdout, 'data');
  assert.match(run.out(), /solo\s+https:\/\/127\.0\.0\.1:\d+\s+X-API-KEY: solo-key/);
  run.child.kill('SIGINT');
  const [code] = await run.exited;
  assert.equal(code, 0, run.err());
});

for (const [what, args, message] of [
  ['a scenario file that does not exist', ['--scenario', 'no-such-scenario.json'], /^sim: cannot read scenario/],
  ['a missing --scenario', [], /^sim: missing --scenario/],
  ['an unknown option', ['--scenario', DEMO, '--bogus'], /^sim: .*bogus/],
] as const) {
  test(`${what} exits 2 with one line`, async () => {
    const run = sim([...args]);
    const [code] = await run.exited;
    assert.equal(code, 2);
    assert.match(run.err(), message);
    assert.equal(run.err().trim().split('\n').length, 1, run.err());
    assert.equal(run.out(), '');
  });
}

test('an invalid scenario exits 2 naming the problem', async () => {
  const scenario = join(tmp, 'bad.json');
  await writeFile(scenario, JSON.stringify({ controllers: [{ name: 'x', sites: [{ internalReference: 'a', id: 'nope' }] }] }));
  const run = sim(['--scenario', scenario]);
  const [code] = await run.exited;
  assert.equal(code, 2);
  assert.match(run.err(), /^sim: scenario .*bad\.json: controllers\[0\]\.sites\[0\]\.id: must be a UUID\n$/);
});
