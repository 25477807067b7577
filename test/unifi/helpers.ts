import assert from 'node:assert/strict';
// Shared by the UniFi client tests: configs for simulator controllers, a
// logger that keeps its lines, and a tiny hand-written controller for answers
// the simulator cannot give (a bad policy, a page that does not move on).
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ControllerConfig, TlsConfig } from '../../src/config/types.ts';
import type { LogFields, Logger } from '../../src/log/logger.ts';
import { UnifiClient } from '../../src/unifi/client.ts';
import { UnifiError } from '../../src/unifi/errors.ts';
import type { UnifiClientOptions } from '../../src/unifi/client.ts';
import type { ControllerInfo } from '../../fixtures/simulator/index.ts';

export function controllerConfig(ctl: { name: string; url: string; apiKey: string }, tls: Partial<TlsConfig> = {}): ControllerConfig {
  const url = new URL(ctl.url);
  return {
    name: ctl.name,
    url: url.origin,
    host: url.host,
    apiKey: ctl.apiKey,
    keyFingerprint: 'sha256:0123456789ab',
    keySource: 'inline',
    tls: { verify: true, ...tls },
    sites: null,
    excludeSites: [],
    recordTypes: null,
    clients: { enabled: false, domainSuffix: '' },
  };
}

/** Small retry delays so that tests stay fast. */
export const FAST_RETRY = { attempts: 3, baseDelayMs: 5, maxDelayMs: 2_000 };

export function makeClient(ctl: ControllerInfo | { name: string; url: string; apiKey: string }, options: Partial<UnifiClientOptions> & { tls?: Partial<TlsConfig> } = {}): UnifiClient {
  const { tls, ...rest } = options;
  return new UnifiClient({
    controller: controllerConfig(ctl, tls),
    concurrency: 4,
    requestTimeoutMs: 5_000,
    retry: FAST_RETRY,
    ...rest,
  });
}

export interface LogLine {
  level: string;
  message: string;
  fields: LogFields;
}

/** A Logger that keeps every line (redaction is left to the code under test: lines are kept as given). */
export function memoryLogger(): Logger & { lines: LogLine[]; redacted: string[] } {
  const lines: LogLine[] = [];
  const redacted: string[] = [];
  const keep = (level: string) => (message: string, fields: LogFields = {}) => void lines.push({ level, message, fields });
  return { lines, redacted, error: keep('error'), warn: keep('warn'), info: keep('info'), debug: keep('debug'), redact: (s) => void redacted.push(s), debugging: true };
}

export interface FakeController {
  url: string;
  requests: Array<{ method: string; url: string }>;
  close(): Promise<void>;
}

/** A plain HTTP server on 127.0.0.1 that answers with `handler`. */
export async function fakeController(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<FakeController> {
  const requests: FakeController['requests'] = [];
  const server = createServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '' });
    req.resume();
    req.on('end', () => handler(req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export function sendJson(res: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
  res.end(text);
}

/** A page of `items` as the API lays it out, for the offset/limit in the request URL. */
export function pageOf(url: string, items: unknown[]) {
  const query = new URL(url, 'http://x').searchParams;
  const offset = Number(query.get('offset') ?? 0);
  const limit = Number(query.get('limit') ?? 25);
  const data = items.slice(offset, offset + limit);
  return { offset, limit, count: data.length, totalCount: items.length, data };
}

/** The UnifiError a call fails with; the test fails if it succeeds or throws something else. */
export async function failure(promise: Promise<unknown>): Promise<UnifiError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof UnifiError, `expected a UnifiError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the call to fail');
}
