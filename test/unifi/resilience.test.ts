// Auth, rate limits, retries, timeouts, the concurrency cap, a controller that
// is down, and the key kept out of every message and log line.
import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, describe, test } from 'node:test';
import { startSimulator } from '../../fixtures/simulator/index.ts';
import type { ControllerInfo, Simulator } from '../../fixtures/simulator/index.ts';
import { Semaphore } from '../../src/unifi/semaphore.ts';
import { retryAfterMs } from '../../src/unifi/transport.ts';
import { makeClient, memoryLogger, failure } from './helpers.ts';

const SITE = '6f1c2d3e-0000-4000-8000-0000000000c1';
const KEY = 'lab-very-secret-api-key-42';

let sim: Simulator;
let lab: ControllerInfo;

before(async () => {
  sim = await startSimulator({
    controllers: [
      {
        name: 'lab',
        apiKey: KEY,
        sites: [{ id: SITE, internalReference: 'default', generate: [{ count: 30, domainPattern: 'h{i}.lan', ipv4Pattern: '10.0.{hi}.{lo}' }] }],
      },
    ],
  });
  lab = sim.controller('lab');
});
afterEach(() => {
  sim.setFault({ controller: 'lab' }, null);
  sim.setFault({ controller: 'lab', site: SITE }, null);
  sim.clearRequests();
});
after(() => sim.close());


const statuses = () => sim.requests({ controller: 'lab' }).map((r) => r.status);

describe('authentication', () => {
  test('a refused key is a 401 error that says so, without the key', async () => {
    const wrong = 'wrong-secret-key-123456';
    const client = makeClient({ ...lab, apiKey: wrong });
    try {
      const error = await failure(client.sites());
      assert.equal(error.kind, 'http');
      assert.equal(error.status, 401);
      assert.equal(error.code, 'api.authentication.invalid-credentials');
      assert.match(error.message, /^controller lab \(http:\/\/127\.0\.0\.1:\d+\): GET \/v1\/sites: the controller refused the API key/);
      assert.match(error.message, /sha256:0123456789ab/, 'names the key by its fingerprint');
      assert.ok(!error.message.includes(wrong) && !error.message.includes(KEY));
      assert.ok(!JSON.stringify(client.stats).includes(wrong));
      assert.deepEqual(statuses(), [401], 'not retried');
    } finally {
      await client.close();
    }
  });

  test("the UniFi OS proxy's own 401 is read as a refused key, in one line", async () => {
    sim.setFault({ controller: 'lab' }, { kind: 'proxyUnauthorized' });
    const client = makeClient(lab);
    try {
      const error = await failure(client.policies(SITE));
      assert.equal(error.kind, 'http');
      assert.equal(error.status, 401);
      assert.equal(error.apiMessage, 'Unauthorized');
      assert.equal(
        error.message,
        `controller lab (${lab.url}): GET /v1/sites/${SITE}/dns/policies: the UniFi OS console refused the API key (Unauthorized); check the key configured for this controller (key fingerprint sha256:0123456789ab)`,
      );
      assert.deepEqual(statuses(), [401], 'not retried');
    } finally {
      await client.close();
    }
  });

  test('the key is sent as X-API-KEY and never logged; one debug line per request', async () => {
    const logger = memoryLogger();
    const client = makeClient(lab, { logger });
    try {
      sim.setFault({ controller: 'lab' }, { kind: 'status', status: 503, count: 1 });
      await client.policies(SITE);
      assert.deepEqual(logger.redacted, [KEY], 'the logger is told to redact the key');
      const debug = logger.lines.filter((l) => l.level === 'debug');
      assert.equal(debug.length, 2);
      assert.deepEqual(
        debug.map((l) => [l.fields.method, l.fields.path, l.fields.status, typeof l.fields.ms]),
        [
          ['GET', `/v1/sites/${SITE}/dns/policies?offset=0&limit=200`, 503, 'number'],
          ['GET', `/v1/sites/${SITE}/dns/policies?offset=0&limit=200`, 200, 'number'],
        ],
      );
      assert.ok(!JSON.stringify(logger.lines).includes(KEY));
    } finally {
      await client.close();
    }
  });
});

describe('retries', () => {
  test('429 is retried after Retry-After', async () => {
    sim.setFault({ controller: 'lab' }, { kind: 'rateLimit', retryAfter: 1, count: 1 });
    const client = makeClient(lab, { retry: { attempts: 3, baseDelayMs: 5, maxDelayMs: 5_000 } });
    try {
      const started = performance.now();
      const sites = await client.sites();
      const elapsed = performance.now() - started;
      assert.equal(sites.length, 1);
      assert.deepEqual(statuses(), [429, 200]);
      assert.ok(elapsed >= 950, `waited ${elapsed} ms for Retry-After: 1`);
      assert.equal(client.stats.retries, 1);
      assert.equal(client.stats.requests, 2);
    } finally {
      await client.close();
    }
  });

  test('Retry-After is capped by maxDelayMs, and a 429 that lasts is an error', async () => {
    sim.setFault({ controller: 'lab' }, { kind: 'rateLimit', retryAfter: 3600, count: 10 });
    const client = makeClient(lab, { retry: { attempts: 3, baseDelayMs: 5, maxDelayMs: 50 } });
    try {
      const started = performance.now();
      const error = await failure(client.info());
      assert.ok(performance.now() - started < 2_000);
      assert.equal(error.kind, 'http');
      assert.equal(error.status, 429);
      assert.equal(error.code, 'api.request.rate-limit-exceeded');
      assert.deepEqual(statuses(), [429, 429, 429]);
    } finally {
      await client.close();
    }
  });

  test('retryAfterMs reads seconds and HTTP dates', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    assert.equal(retryAfterMs('7', now), 7_000);
    assert.equal(retryAfterMs('Thu, 01 Jan 2026 00:00:03 GMT', now), 3_000);
    assert.equal(retryAfterMs('Wed, 31 Dec 2025 00:00:00 GMT', now), 0);
    assert.equal(retryAfterMs('soon', now), null);
    assert.equal(retryAfterMs(undefined, now), null);
  });

  test('503 is retried for GET until it succeeds', async () => {
    sim.setFault({ controller: 'lab' }, { kind: 'status', status: 503, count: 2, methods: ['GET'] });
    const client = makeClient(lab);
    try {
      assert.equal((await client.policies(SITE)).length, 30);
      assert.deepEqual(statuses(), [503, 503, 200]);
      assert.equal(client.stats.retries, 2);
    } finally {
      await client.close();
    }
  });

  test('a 5xx that lasts is an http error after the last attempt', async () => {
    sim.setFault({ controller: 'lab' }, { kind: 'status', status: 502 });
    const client = makeClient(lab);
    try {
      const error = await failure(client.policies(SITE));
      assert.equal(error.kind, 'http');
      assert.equal(error.status, 502);
      assert.equal(error.siteId, SITE);
      assert.match(error.message, /HTTP 502 \(api\.simulator\.injected-error: Injected 502 response\) after 3 attempts/);
      assert.deepEqual(statuses(), [502, 502, 502]);
    } finally {
      await client.close();
    }
  });

  test('500 and 4xx are not retried', async () => {
    const client = makeClient(lab);
    try {
      sim.setFault({ controller: 'lab' }, { kind: 'status', status: 500, count: 1 });
      assert.equal((await failure(client.info())).status, 500);
      assert.deepEqual(statuses(), [500]);
    } finally {
      await client.close();
    }
  });

  test('a connection reset is retried for GET', async () => {
    sim.setFault({ controller: 'lab' }, { kind: 'reset', count: 1 });
    const client = makeClient(lab);
    try {
      assert.equal((await client.sites()).length, 1);
      const log = sim.requests({ controller: 'lab' });
      assert.deepEqual(log.map((r) => [r.fault, r.status]), [['reset', null], [null, 200]]);
      assert.equal(client.stats.retries, 1);
    } finally {
      await client.close();
    }
  });
});

describe('timeouts and unreachable controllers', () => {
  test('a hung request is a timeout error after requestTimeoutMs', async () => {
    sim.setFault({ controller: 'lab' }, { kind: 'hang', count: 1 });
    const client = makeClient(lab, { requestTimeoutMs: 300 });
    try {
      const started = performance.now();
      const error = await failure(client.policies(SITE));
      const elapsed = performance.now() - started;
      assert.equal(error.kind, 'timeout');
      assert.equal(error.siteId, SITE);
      assert.match(error.message, /no complete answer within 300 ms/);
      assert.ok(elapsed >= 290 && elapsed < 2_000, `${elapsed} ms`);
      assert.equal(error.ambiguous, false, 'a GET is never ambiguous');
      assert.equal(sim.requests({ controller: 'lab' }).length, 1, 'a timeout is not retried');
      // The client still works afterwards.
      assert.equal((await client.sites()).length, 1);
    } finally {
      await client.close();
    }
  });

  test('an answer whose body trickles in past requestTimeoutMs is a timeout, though no pause in it is that long', async () => {
    // No controller is known to do this; a plain server on loopback shows that the timeout bounds the whole answer.
    const server = createHttpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"applicationVersion": "10.1.89"');
      const drip = setInterval(() => res.write(' '), 50);
      res.on('close', () => clearInterval(drip));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const client = makeClient({ name: 'drip', url: `http://127.0.0.1:${port}`, apiKey: KEY }, { requestTimeoutMs: 300 });
    try {
      const started = performance.now();
      const error = await failure(client.info());
      const elapsed = performance.now() - started;
      assert.equal(error.kind, 'timeout');
      assert.match(error.message, /no complete answer within 300 ms/);
      assert.ok(elapsed >= 290 && elapsed < 2_000, `${elapsed} ms`);
    } finally {
      await client.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  test('a slow answer within the timeout is fine', async () => {
    sim.setFault({ controller: 'lab' }, { kind: 'slow', delayMs: 100, count: 1 });
    const client = makeClient(lab, { requestTimeoutMs: 1_000 });
    try {
      assert.equal((await client.info()).applicationVersion, '10.1.89');
    } finally {
      await client.close();
    }
  });

  test('a controller that is down is a network error naming its URL', async () => {
    // A port that was free a moment ago: nothing listens there.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const url = `http://127.0.0.1:${port}`;
    const client = makeClient({ name: 'gone', url, apiKey: KEY });
    try {
      const error = await failure(client.sites());
      assert.equal(error.kind, 'network');
      assert.equal(error.controller, 'gone');
      assert.ok(error.message.includes(`cannot connect to ${url}: connection refused`), error.message);
      assert.ok(!error.message.includes(KEY));
      assert.equal(client.stats.requests, 3, 'refusals are retried for GET');
      assert.equal(error.ambiguous, false);
    } finally {
      await client.close();
    }
  });
});

describe('concurrency', () => {
  test('at most `concurrency` requests are in flight, with 20 parallel calls', async () => {
    sim.setFault({ controller: 'lab' }, { kind: 'slow', delayMs: 60 });
    const client = makeClient(lab, { concurrency: 3 });
    try {
      const started = performance.now();
      const results = await Promise.all(Array.from({ length: 20 }, () => client.info()));
      const elapsed = performance.now() - started;
      assert.equal(results.length, 20);
      assert.equal(client.stats.peakInFlight, 3);
      assert.equal(client.stats.requests, 20);
      // 20 requests of 60 ms, 3 at a time: at least 7 rounds.
      assert.ok(elapsed >= 7 * 60 - 20, `${elapsed} ms`);
      assert.equal(sim.requests({ controller: 'lab' }).length, 20);
    } finally {
      await client.close();
    }
  });

  test('concurrency 1 serializes', async () => {
    sim.setFault({ controller: 'lab' }, { kind: 'slow', delayMs: 20 });
    const client = makeClient(lab, { concurrency: 1 });
    try {
      await Promise.all([client.sites(), client.policies(SITE), client.info(), client.clients(SITE)]);
      assert.equal(client.stats.peakInFlight, 1);
    } finally {
      await client.close();
    }
  });

  test('the semaphore hands places over in arrival order', async () => {
    const semaphore = new Semaphore(2);
    const order: number[] = [];
    const first = await semaphore.acquire();
    const second = await semaphore.acquire();
    const waiting = [3, 4, 5].map((n) => semaphore.acquire().then((release) => (order.push(n), release)));
    assert.equal(semaphore.inUse, 2);
    assert.equal(semaphore.tryAcquire(), null, 'no free place: nothing taken, no queue jumped');
    first();
    first(); // a second call is a no-op
    second();
    const releases = await Promise.all(waiting.slice(0, 2));
    assert.deepEqual(order, [3, 4]);
    releases[0]!();
    (await waiting[2]!)();
    releases[1]!();
    assert.deepEqual(order, [3, 4, 5]);
    assert.equal(semaphore.inUse, 0);
    assert.equal(semaphore.peak, 2);
    const now = semaphore.tryAcquire();
    assert.equal(semaphore.inUse, 1, 'a free place is taken at once');
    now!();
    assert.equal(semaphore.inUse, 0);
  });
});
