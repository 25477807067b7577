// The simulator's per-request latency (programmatic option, scenario `latencyMs`, `--latency` on
// the CLI), over real HTTP: every API answer waits at least that long, the admin API never does,
// and requests in flight wait side by side. Lower bounds only, plus one generous upper bound for
// the overlap (N requests at once take far less than N latencies).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ShapeError, startSimulator } from '../../fixtures/simulator/index.ts';
import type { ControllerInfo, Scenario } from '../../fixtures/simulator/index.ts';
import { SITE_A, call, tlsAgent, twoControllers } from './sim-client.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Wall time of `work`, ms. */
async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const started = performance.now();
  const result = await work();
  return { ms: performance.now() - started, result };
}

let tmp: string;
before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'dnssync-sim-latency-'));
});
after(async () => {
  await rm(tmp, { recursive: true, force: true });
  await tlsAgent.close();
});

describe('latency', () => {
  test('every API answer (200, 201, 401, 404, over HTTP and HTTPS) waits at least the latency', async () => {
    const LATENCY = 120;
    const sim = await startSimulator(twoControllers(), { ephemeralPorts: true, latencyMs: LATENCY });
    try {
      assert.deepEqual(sim.controllers.map((c) => c.latencyMs), [LATENCY, LATENCY]);
      const alpha = sim.controller('alpha');
      const beta = sim.controller('beta');
      const answers: Array<[string, () => Promise<{ status: number }>, number]> = [
        ['GET info', () => call(alpha, 'GET', '/v1/info'), 200],
        ['GET policies', () => call(alpha, 'GET', `/v1/sites/${SITE_A}/dns/policies?limit=200`), 200],
        ['POST', () => call(alpha, 'POST', `/v1/sites/${SITE_A}/dns/policies`, { body: { type: 'A_RECORD', enabled: true, domain: 'new.lan', ipv4Address: '10.1.1.1', ttlSeconds: 60 } }), 201],
        ['no key', () => call(alpha, 'GET', '/v1/info', { key: null }), 401],
        ['unknown path', () => call(alpha, 'GET', '/proxy/network/nothing'), 404],
        ['HTTPS', () => call(beta, 'GET', '/v1/sites'), 200],
      ];
      for (const [what, request, status] of answers) {
        const { ms, result } = await timed(request);
        assert.equal(result.status, status, what);
        assert.ok(ms >= LATENCY, `${what}: answered after ${ms.toFixed(1)} ms, latency ${LATENCY} ms`);
      }
      assert.equal(sim.requestCounts().total, answers.length, 'each answered once');
    } finally {
      await sim.close();
    }
  });

  test('N requests in flight wait side by side: about one latency, not N', async () => {
    const LATENCY = 250;
    const N = 10;
    const sim = await startSimulator(twoControllers(), { ephemeralPorts: true, latencyMs: LATENCY });
    try {
      const alpha = sim.controller('alpha');
      await call(alpha, 'GET', '/v1/info'); // a first connection, outside the measurement
      const each: number[] = [];
      const { ms } = await timed(() =>
        Promise.all(
          Array.from({ length: N }, async () => {
            const { ms: one, result } = await timed(() => call(alpha, 'GET', '/v1/info'));
            assert.equal(result.status, 200);
            each.push(one);
          }),
        ),
      );
      assert.equal(each.length, N);
      for (const one of each) assert.ok(one >= LATENCY, `each waits the latency: ${one.toFixed(1)} ms`);
      assert.ok(ms >= LATENCY, `all ${N} together: ${ms.toFixed(1)} ms`);
      // Serialised they would take N × latency (2.5 s); side by side about one latency.
      assert.ok(ms < (N * LATENCY) / 2, `${N} requests in flight took ${ms.toFixed(0)} ms, not about ${LATENCY} ms: they did not overlap`);
      assert.equal(sim.requestCounts('alpha').byMethod.GET, N + 1);
    } finally {
      await sim.close();
    }
  });

  test('the admin API never waits, and closing does not wait out requests in flight', async () => {
    // A latency far beyond every timeout here: only the admin API can answer at all.
    const sim = await startSimulator(twoControllers(), { ephemeralPorts: true, latencyMs: 120_000 });
    const alpha = sim.controller('alpha');
    const inFlight = call(alpha, 'GET', '/v1/info').then(
      () => 'answered',
      () => 'failed',
    );
    try {
      const stats = await call(alpha, 'GET', '/__sim/stats', { timeoutMs: 20_000 });
      assert.equal(stats.status, 200);
      const state = await call(alpha, 'GET', '/__sim/state', { timeoutMs: 20_000 });
      assert.equal(state.json.controller.latencyMs, 120_000);
      // The API request is logged on arrival and still unanswered.
      for (let i = 0; i < 100 && sim.requests({ controller: 'alpha' }).length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(
        sim.requests({ controller: 'alpha' }).map((r) => [r.path, r.status]),
        [['/proxy/network/integration/v1/info', null]],
      );
    } finally {
      await sim.close();
    }
    // Its connection was closed with the simulator, and no timer of two minutes is left behind
    // (the test runner would wait for it).
    assert.equal(await inFlight, 'failed');
  });

  test("a controller's own latencyMs wins over the option; slow faults add to it", async () => {
    const scenario: Scenario = twoControllers();
    scenario.controllers[0]!.latencyMs = 300;
    const sim = await startSimulator(scenario, { ephemeralPorts: true, latencyMs: 100 });
    try {
      assert.deepEqual(sim.controllers.map((c) => [c.name, c.latencyMs]), [['alpha', 300], ['beta', 100]]);
      const alpha = sim.controller('alpha');
      const beta = sim.controller('beta');
      assert.ok((await timed(() => call(alpha, 'GET', '/v1/info'))).ms >= 300, 'alpha: its own 300 ms');
      assert.ok((await timed(() => call(beta, 'GET', '/v1/info'))).ms >= 100, 'beta: the option');
      sim.setFault({ controller: 'alpha' }, { kind: 'slow', delayMs: 200, count: 1 });
      const slowed = await timed(() => call(alpha, 'GET', '/v1/info'));
      assert.equal(slowed.result.status, 200);
      assert.ok(slowed.ms >= 500, `latency + slow: ${slowed.ms.toFixed(1)} ms`);
    } finally {
      await sim.close();
    }
    const none = await startSimulator(twoControllers(), { ephemeralPorts: true });
    try {
      assert.deepEqual(none.controllers.map((c) => c.latencyMs), [0, 0], 'no latency by default');
    } finally {
      await none.close();
    }
  });

  test('bad latencies are refused, naming where', async () => {
    const scenario: Scenario = twoControllers();
    scenario.controllers[1]!.latencyMs = -5;
    await assert.rejects(startSimulator(scenario, { ephemeralPorts: true }), (e: Error) => e instanceof ShapeError && /controllers\[1\]\.latencyMs/.test(e.message));
    scenario.controllers[1]!.latencyMs = 2.5;
    await assert.rejects(startSimulator(scenario, { ephemeralPorts: true }), ShapeError);
    await assert.rejects(startSimulator(twoControllers(), { ephemeralPorts: true, latencyMs: -1 }), (e: Error) => e instanceof ShapeError && /latencyMs/.test(e.message));
    await assert.rejects(startSimulator(twoControllers(), { ephemeralPorts: true, latencyMs: Number.NaN }), ShapeError);
  });

  test('--latency MS on the command line', async () => {
    const scenarioFile = join(tmp, 'scenario.json');
    await writeFile(scenarioFile, JSON.stringify(twoControllers()));
    const child = spawn(process.execPath, ['fixtures/simulator/main.ts', '--scenario', scenarioFile, '--json', '--ephemeral-ports', '--latency', '150'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    try {
      let out = '';
      child.stdout.setEncoding('utf8');
      while (!out.includes('\n')) {
        const [chunk] = (await Promise.race([once(child.stdout, 'data'), exited.then(() => [null])])) as [string | null];
        if (chunk === null) throw new Error('simulator exited before it was ready');
        out += chunk;
      }
      const doc = JSON.parse(out.slice(0, out.indexOf('\n'))) as { controllers: ControllerInfo[] };
      assert.deepEqual(doc.controllers.map((c) => c.latencyMs), [150, 150]);
      const home = doc.controllers[0]!;
      const { ms, result } = await timed(() => call(home, 'GET', '/v1/info'));
      assert.equal(result.status, 200);
      assert.ok(ms >= 150, `answered after ${ms.toFixed(1)} ms`);
    } finally {
      child.kill('SIGTERM');
    }
    assert.deepEqual(await exited, [0, null]);

    for (const bad of ['-3', 'soon', '']) {
      const run = spawn(process.execPath, ['fixtures/simulator/main.ts', '--scenario', scenarioFile, '--ephemeral-ports', `--latency=${bad}`], {
        cwd: ROOT,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      run.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const [code] = (await once(run, 'exit')) as [number | null];
      assert.equal(code, 2, `--latency=${bad}: ${stderr}`);
      assert.match(stderr, /^sim: --latency must be a number of milliseconds/, `--latency=${bad}`);
    }
  });
});
