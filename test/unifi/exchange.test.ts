// The transport's request handler against a plain server on loopback: what undici's `request`
// and `text()` gave, without their stream (src/unifi/exchange.ts).
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { after, before, test } from 'node:test';
import { Exchange } from '../../src/unifi/exchange.ts';
import { Pool } from '../../src/unifi/undici.ts';

// Multi-byte characters, one of them split between two writes.
const TEXT = JSON.stringify({ data: [{ domain: 'café.lan', note: 'ü'.repeat(5000) }] });
const BYTES = Buffer.from(TEXT, 'utf8');
const SPLIT = BYTES.indexOf(Buffer.from('é', 'utf8')) + 1;

let server: Server;
let pool: Pool;
let received = 0;

before(async () => {
  server = createServer((req, res) => {
    received += 1;
    req.resume();
    if (req.url === '/hints') res.writeEarlyHints({ link: '</a>; rel=preload' });
    res.writeHead(200, [
      ['Content-Type', 'application/json'],
      ['LOCATION', '/first'],
      ['Location', '/second'],
      ['X-Retry-After', '9'],
    ]);
    // A byte order mark, then the body in three writes.
    res.write(Buffer.from([0xef, 0xbb, 0xbf]));
    res.write(BYTES.subarray(0, SPLIT));
    setImmediate(() => res.end(BYTES.subarray(SPLIT)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  pool = new Pool(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, { connections: 1, pipelining: 1 });
});
after(async () => {
  await pool.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

test('an answer in several chunks is read whole as UTF-8, its byte order mark dropped; the headers read by any case, the first of two', async () => {
  const answer = await new Exchange(Infinity).send(pool, { method: 'GET', path: '/' });
  assert.equal(answer.status, 200);
  assert.equal(answer.text, TEXT);
  assert.deepEqual(answer.headers, { contentType: 'application/json', location: '/first' });
});

test('an informational answer before the real one is passed over', async () => {
  const answer = await new Exchange(Infinity).send(pool, { method: 'GET', path: '/hints' });
  assert.equal(answer.status, 200);
  assert.equal(answer.text, TEXT);
  assert.deepEqual(answer.headers, { contentType: 'application/json', location: '/first' });
});

test('a settled exchange keeps nothing of its answer (undici keeps finished requests with their handlers)', async () => {
  const exchange = new Exchange(Infinity);
  const answer = await exchange.send(pool, { method: 'GET', path: '/' });
  assert.equal(answer.text, TEXT);
  const kept = inspect(exchange, { depth: 4, maxArrayLength: Infinity, maxStringLength: Infinity });
  assert.ok(!kept.includes('café') && !kept.includes('/first') && !kept.includes('Buffer'), kept);
});

test('aborted before it is sent, the request fails with the reason and never reaches the server', async () => {
  const before = received;
  const exchange = new Exchange(0);
  const sending = exchange.send(pool, { method: 'GET', path: '/' });
  const reason = new Error('time is up');
  exchange.abort(reason);
  await assert.rejects(sending, (error) => error === reason);
  // The pool still works, and that request was never answered.
  assert.equal((await new Exchange(Infinity).send(pool, { method: 'GET', path: '/' })).text, TEXT);
  assert.equal(received, before + 1);
});
