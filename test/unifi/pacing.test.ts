// writesPerSecond: writes to one controller start evenly spaced, measured where
// it matters, at the controller (the simulator's request log); reads are never
// held behind them, and a stopping run does not wait for the pace.
import assert from 'node:assert/strict';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, afterEach, before, describe, test } from 'node:test';
import { startSimulator } from '../../fixtures/simulator/index.ts';
import type { ControllerInfo, LoggedRequest, Simulator } from '../../fixtures/simulator/index.ts';
import type { DnsPolicyBody } from '../../src/domain/policy.ts';
import { WriteNotSentError } from '../../src/unifi/errors.ts';
import { Pacer } from '../../src/unifi/pacer.ts';
import { makeClient } from './helpers.ts';

const SITE = '6f1c2d3e-0000-4000-8000-0000000000a1';
/**
 * What a gap may fall short of the interval in the log: its timestamps are whole milliseconds, and
 * each request is stamped when the simulator's event loop gets to it, a little after it was sent.
 */
const SLACK_MS = 10;

/**
 * The writes `send` makes, as the controller logged them, and how far short of the interval a gap
 * may fall. The simulator shares this process's event loop: a request sent just before the process
 * stalls is stamped only after the stall, next to the one sent after it, so a gap in the log can
 * fall short by as much as the loop was late, however well the writes were spaced when sent. A run
 * whose gaps fall short while the loop was late (a loaded machine) is measured again, twice at most;
 * one on a quiet loop counts at once.
 */
async function measureWrites(send: () => Promise<unknown>, intervalMs: number): Promise<{ writes: LoggedRequest[]; slack: number }> {
  for (let run = 1; ; run++) {
    sim.clearRequests();
    const delay = monitorEventLoopDelay({ resolution: 1 });
    delay.enable();
    await send();
    delay.disable();
    const late = delay.max / 1e6;
    const writes = writesLogged();
    const slack = SLACK_MS + late;
    const short = gaps(writes).some((gap) => gap < intervalMs - SLACK_MS);
    if (!short || late < SLACK_MS || run === 3) return { writes, slack };
  }
}

let sim: Simulator;
let lab: ControllerInfo;

before(async () => {
  sim = await startSimulator({
    controllers: [{ name: 'lab', apiKey: 'pacing-key-00000001', sites: [{ id: SITE, internalReference: 'default', generate: [{ count: 20, domainPattern: 'h{i}.lan' }] }] }],
  });
  lab = sim.controller('lab');
});
afterEach(() => {
  sim.setFault({ controller: 'lab' }, null);
  sim.clearRequests();
});
after(() => sim.close());

let serial = 0;
const record = (): DnsPolicyBody => ({ type: 'A_RECORD', enabled: true, domain: `paced-${++serial}.lan`, ipv4Address: '10.9.0.1', ttlSeconds: 0 });
const at = (r: LoggedRequest) => Date.parse(r.timestamp);
const writesLogged = () => sim.requests({ controller: 'lab' }).filter((r) => r.method !== 'GET');
/** Milliseconds between consecutive requests, in the order the controller received them. */
const gaps = (requests: LoggedRequest[]) => requests.slice(1).map((r, i) => at(r) - at(requests[i]!));

describe('writesPerSecond', () => {
  test('creates, updates and deletes sent at once start at least 1/R apart', async () => {
    const client = makeClient(lab, { writesPerSecond: 10 });
    try {
      await client.info(); // a connection is open before the first write, so that no write pays for a handshake
      const { writes, slack } = await measureWrites(() => {
        const [first, second] = sim.policies('lab', SITE);
        return Promise.all([
          ...Array.from({ length: 4 }, () => client.createPolicy(SITE, record())),
          client.updatePolicy(SITE, first!.id, { ...first!, ipv4Address: '10.9.9.9' }),
          client.deletePolicy(SITE, second!.id),
        ]);
      }, 100);
      assert.equal(writes.length, 6);
      assert.deepEqual(new Set(writes.map((r) => r.method)), new Set(['POST', 'PUT', 'DELETE']));
      const apart = `writes ${gaps(writes).join(', ')} ms apart (allowance ${slack.toFixed(1)} ms); at 10 a second they must be 100 ms apart`;
      for (const gap of gaps(writes)) assert.ok(gap >= 100 - slack, apart);
      assert.ok(at(writes[5]!) - at(writes[0]!) >= 500 - slack, `six writes span at least 5/R seconds; ${apart}`);
    } finally {
      await client.close();
    }
  });

  test('a retried write is paced too: each attempt reaches the console', async () => {
    const client = makeClient(lab, { writesPerSecond: 8 });
    try {
      const [policy] = sim.policies('lab', SITE);
      await client.info();
      const { writes: puts, slack } = await measureWrites(() => {
        sim.setFault({ controller: 'lab' }, { kind: 'status', status: 503, methods: ['PUT'], count: 2 });
        return client.updatePolicy(SITE, policy!.id, { ...policy!, enabled: false });
      }, 125);
      assert.deepEqual(puts.map((r) => r.status), [503, 503, 200]);
      for (const gap of gaps(puts)) assert.ok(gap >= 125 - slack, `attempts ${gaps(puts).join(', ')} ms apart (allowance ${slack.toFixed(1)} ms)`);
    } finally {
      await client.close();
    }
  });

  test('reads are not held behind paced writes', async () => {
    const client = makeClient(lab, { writesPerSecond: 2, concurrency: 2 });
    try {
      await client.info();
      sim.clearRequests();
      const writing = Promise.all(Array.from({ length: 3 }, () => client.createPolicy(SITE, record())));
      // The first write is out; the others wait for their turn.
      while (sim.requests({ method: 'POST' }).length === 0) await sleep(1);
      await Promise.all([client.policies(SITE), client.info(), client.policy(SITE, sim.policies('lab', SITE)[0]!.id)]);
      const posts = sim.requests({ method: 'POST' });
      assert.equal(posts.length, 1, 'the reads were all answered while the second write still waited');
      await writing;
      const log = sim.requests({ controller: 'lab' });
      assert.deepEqual(log.map((r) => r.method), ['POST', 'GET', 'GET', 'GET', 'POST', 'POST']);
    } finally {
      await client.close();
    }
  });

  test('writes waiting for their turn are dropped at once when the run stops, never sent', async () => {
    let stopping = false;
    const client = makeClient(lab, { writesPerSecond: 0.5, holdWrites: () => stopping });
    try {
      await client.createPolicy(SITE, record());
      const waiting = [client.createPolicy(SITE, record()), client.deletePolicy(SITE, sim.policies('lab', SITE)[0]!.id)];
      stopping = true;
      // Their turns would come 2 and 4 s after the first write; stopping must not wait for them.
      const timer = new AbortController();
      const outcome = await Promise.race([Promise.allSettled(waiting), sleep(1_500, 'still waiting', { signal: timer.signal })]);
      timer.abort();
      assert.notEqual(outcome, 'still waiting');
      for (const result of outcome as PromiseSettledResult<unknown>[]) {
        assert.equal(result.status, 'rejected');
        assert.ok((result as PromiseRejectedResult).reason instanceof WriteNotSentError);
      }
      assert.equal(writesLogged().length, 1);
    } finally {
      await client.close();
    }
  });

  test('without writesPerSecond (or with 0) writes are not paced', async () => {
    for (const writesPerSecond of [undefined, 0]) {
      const client = makeClient(lab, { concurrency: 4, ...(writesPerSecond !== undefined && { writesPerSecond }) });
      try {
        sim.setFault({ controller: 'lab' }, { kind: 'slow', delayMs: 100, methods: ['POST'] });
        await Promise.all(Array.from({ length: 4 }, () => client.createPolicy(SITE, record())));
        assert.equal(client.stats.peakInFlight, 4, `writesPerSecond ${writesPerSecond}: all four writes in flight at once`);
      } finally {
        await client.close();
      }
    }
  });

  test('a pace must be a positive finite number', () => {
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) assert.throws(() => new Pacer(bad), RangeError);
    assert.ok(new Pacer(0.1));
  });
});
