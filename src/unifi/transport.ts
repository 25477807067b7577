// One controller's HTTP side: an undici Pool with its TLS rules, at most
// `concurrency` requests in flight (FIFO), writes paced when asked, a timeout per
// attempt, retries with backoff, and the mapping of every failure to a UnifiError.
import { readFileSync } from '../system/fs.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from './undici.ts';
import type { ControllerConfig } from '../config/types.ts';
import type { Logger } from '../log/logger.ts';
import { UnifiError, WriteNotSentError } from './errors.ts';
import { Exchange, type AnswerHeaders } from './exchange.ts';
import type { RequestRef, UnifiErrorDetails, UnifiErrorKind } from './errors.ts';
import { Pacer } from './pacer.ts';
import { Semaphore } from './semaphore.ts';
import { TlsRefusal, buildTlsConnector } from './tls.ts';
import type { ApiErrorBody } from './types.ts';

export const API_BASE = '/proxy/network/integration';

export interface RetryOptions {
  /** Attempts in all, the first included. Default 4. */
  attempts?: number;
  /** First backoff delay; doubles on each retry, with jitter. Default 250 ms. */
  baseDelayMs?: number;
  /** Cap on any one delay, Retry-After included. Default 30 s. */
  maxDelayMs?: number;
}

export interface TransportOptions {
  controller: ControllerConfig;
  /** Max requests in flight to this controller. */
  concurrency: number;
  /** Per attempt: connecting, the wait for the answer's headers, and the whole answer from the start. */
  requestTimeoutMs: number;
  /** Gets a debug line per request (method, path, status, ms); never the key. */
  logger?: Logger;
  retry?: RetryOptions;
  /** When true, writes not yet sent are dropped with WriteNotSentError (SIGTERM/SIGINT). */
  holdWrites?: () => boolean;
  /**
   * Writes (each attempt) to this controller start at most this many times a second, evenly
   * spaced: each create or delete makes a console reload its DNS server. Reads are not paced.
   * Absent or 0: no limit.
   */
  writesPerSecond?: number;
}

export interface TransportStats {
  /** HTTP requests sent (each attempt counts). */
  requests: number;
  /** Attempts that were repeats of a failed one. */
  retries: number;
  /** The most requests in flight at once. */
  peakInFlight: number;
}

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface ApiRequest {
  method: Method;
  /** API path under the integration prefix, e.g. `/v1/sites` (ids already encoded). */
  path: string;
  query?: Record<string, string | number>;
  /** The request's body: JSON in UTF-8, never changed (policyBodyBytes). */
  body?: Buffer;
  siteId?: string;
  /** Statuses that mean success. */
  expect: readonly number[];
  /** Whether the success answer carries a JSON body to parse. */
  json: boolean;
  /** Sees the text of the success answer before it is parsed (a listing's fingerprint). */
  text?: (text: string) => void;
}

const RETRY_STATUSES = new Set([502, 503, 504]);
/** Network failures worth another try on an idempotent request. */
const RETRY_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET', 'EAI_AGAIN', 'ETIMEDOUT']);
/** Failures that happen before a request could have been sent. */
const CONNECT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'UND_ERR_CONNECT_TIMEOUT']);

/** Why a request is aborted: its time is up (requestTimeout). */
class AnswerTooSlow extends Error {}

type Outcome =
  | { type: 'answer'; status: number; headers: AnswerHeaders; text: string }
  | { type: 'failure'; kind: Exclude<UnifiErrorKind, 'http' | 'malformed'>; problem: string; beforeSend: boolean; retryable: boolean; cause: unknown; certFingerprint?: string };

export class Transport {
  readonly stats: TransportStats = { requests: 0, retries: 0, peakInFlight: 0 };
  private readonly controller: ControllerConfig;
  private readonly base: string;
  private readonly pool: Pool | null;
  private readonly setupProblem: string | null = null;
  private readonly slots: Semaphore;
  private readonly timeoutMs: number;
  private readonly attempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly logger: Logger | undefined;
  private readonly holdWrites: (() => boolean) | undefined;
  private readonly pacer: Pacer | null;
  /** The request headers, made once: undici only reads them. */
  private readonly headers: { plain: Readonly<Record<string, string>>; withBody: Readonly<Record<string, string>> };
  /** After a 429, no request to this controller starts before this time (ms since epoch). */
  private notBefore = 0;
  private closing: Promise<void> | null = null;
  /** Requests in flight, each with the time it is up (watch). */
  private readonly inFlight = new Set<Exchange>();
  private sweeper: NodeJS.Timeout | null = null;

  constructor(options: TransportOptions) {
    const { controller } = options;
    this.controller = controller;
    const url = new URL(controller.url);
    this.base = url.pathname.replace(/\/+$/, '') + API_BASE;
    this.slots = new Semaphore(Math.max(1, Math.floor(options.concurrency)));
    this.timeoutMs = options.requestTimeoutMs;
    this.attempts = Math.max(1, options.retry?.attempts ?? 4);
    this.baseDelayMs = options.retry?.baseDelayMs ?? 250;
    this.maxDelayMs = options.retry?.maxDelayMs ?? 30_000;
    this.logger = options.logger;
    this.holdWrites = options.holdWrites;
    this.pacer = options.writesPerSecond ? new Pacer(options.writesPerSecond) : null;
    this.logger?.redact(controller.apiKey);
    const plain = { 'x-api-key': controller.apiKey, accept: 'application/json' };
    this.headers = { plain, withBody: { ...plain, 'content-type': 'application/json' } };

    let ca: Buffer | undefined;
    if (url.protocol === 'https:' && controller.tls.caFile) {
      try {
        ca = readFileSync(controller.tls.caFile);
      } catch (error) {
        // Reported by every request, so that one controller's bad file fails that controller only.
        this.setupProblem = `cannot read tls.caFile ${controller.tls.caFile}: ${(error as Error).message}`;
      }
    }
    this.pool =
      this.setupProblem === null
        ? new Pool(url.origin, {
            connections: this.slots.size,
            pipelining: 1,
            connect: buildTlsConnector(controller.tls, ca, this.timeoutMs),
            headersTimeout: this.timeoutMs,
            bodyTimeout: this.timeoutMs,
          })
        : null;
  }

  ref(req: { method: string; path: string; siteId?: string }): RequestRef {
    return {
      controller: this.controller.name,
      url: this.controller.url,
      method: req.method,
      path: req.path,
      ...(req.siteId !== undefined && { siteId: req.siteId }),
    };
  }

  /** A UnifiError for `req`, with anything that came from outside scrubbed of the API key. */
  error(kind: UnifiErrorKind, req: { method: string; path: string; siteId?: string }, problem: string, details: UnifiErrorDetails = {}): UnifiError {
    const clean = { ...details, ...(details.apiMessage !== undefined && { apiMessage: this.scrub(details.apiMessage) }) };
    return new UnifiError(kind, this.ref(req), this.scrub(problem), clean);
  }

  /** Sends `req` with retries; resolves with the parsed JSON body (undefined when `json` is false). */
  async call(req: ApiRequest): Promise<unknown> {
    if (this.pool === null) throw this.error('tls', req, this.setupProblem ?? 'no connection pool');
    const write = req.method !== 'GET';
    const idempotent = req.method !== 'POST';
    // An earlier attempt of this write may have been applied (reset or 5xx after sending).
    let maybeApplied = false;
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.attempt(this.pool, req, attempt);
      const last = attempt >= this.attempts;

      if (outcome.type === 'failure') {
        if (write && !outcome.beforeSend) maybeApplied = true;
        if (outcome.retryable && idempotent && !last) {
          await this.backoff(attempt, null);
          continue;
        }
        throw this.error(outcome.kind, req, outcome.problem, {
          ambiguous: write && maybeApplied,
          cause: outcome.cause,
          ...(outcome.certFingerprint !== undefined && { certFingerprint: outcome.certFingerprint }),
        });
      }

      const { status, headers, text } = outcome;
      if (req.expect.includes(status)) {
        req.text?.(text);
        return req.json ? this.parse(req, status, headers, text, write && maybeApplied) : undefined;
      }
      // The first DELETE was applied but its answer was lost: the policy is gone, as asked.
      if (status === 404 && req.method === 'DELETE' && maybeApplied) return undefined;
      if (status === 429 && !last) {
        await this.backoff(attempt, retryAfterMs(headers.retryAfter));
        continue;
      }
      if (RETRY_STATUSES.has(status) && write) maybeApplied = true;
      if (RETRY_STATUSES.has(status) && idempotent && !last) {
        await this.backoff(attempt, null);
        continue;
      }
      throw this.httpError(req, status, headers, text, write && (maybeApplied || status >= 500));
    }
  }

  /** Waits for the requests in flight, then closes the connections; calling it again is harmless. */
  close(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    this.closing ??= this.pool?.close() ?? Promise.resolve();
    return this.closing;
  }

  private async attempt(pool: Pool, req: ApiRequest, attempt: number): Promise<Outcome> {
    if (this.notBefore > Date.now()) await this.waitForRateLimit();
    const write = req.method !== 'GET';
    const stopping = attempt === 1 && write ? this.holdWrites : undefined;
    // The turn is held while waiting for a slot: the pace is between real starts, and a paced write holds no slot while it waits.
    const paced = write && this.pacer ? await this.pacer.turn(stopping) : null;
    if (paced && this.notBefore > Date.now()) await this.waitForRateLimit();
    const release = this.slots.tryAcquire() ?? (await this.slots.acquire());
    // A write still waiting for its slot when the run is asked to stop is not sent at all.
    if (stopping?.()) {
      release();
      paced?.(false);
      throw new WriteNotSentError(`${req.method} ${req.path}: not sent, the run is stopping`);
    }
    paced?.(true);
    this.stats.peakInFlight = Math.max(this.stats.peakInFlight, this.slots.inUse);
    this.stats.requests += 1;
    const query = req.query ? `?${new URLSearchParams(Object.entries(req.query).map(([k, v]): [string, string] => [k, String(v)]))}` : '';
    const { body } = req;
    const headers = body === undefined ? this.headers.plain : this.headers.withBody;

    const started = performance.now();
    let outcome: Outcome;
    const exchange = new Exchange(started + this.timeoutMs);
    this.watch(exchange);
    try {
      outcome = { type: 'answer', ...(await exchange.send(pool, { method: req.method, path: `${this.base}${req.path}${query}`, headers, body })) };
    } catch (error) {
      outcome = this.classify(error);
    } finally {
      this.inFlight.delete(exchange);
      release();
    }
    if (this.logger?.debugging) this.logDebug(req, query, attempt, outcome, started);
    return outcome;
  }

  /**
   * Watches a request: it is aborted once its deadline has passed, until the caller deletes it.
   * The pool bounds connecting, the wait for the headers and each pause in the body by
   * requestTimeout; this bounds the whole answer too. One sweep for every request, not a timer
   * and an abort signal each: those cost 0.7 s of CPU in an initial sync of 398,000 creates (issue 13).
   */
  private watch(exchange: Exchange): void {
    this.inFlight.add(exchange);
    this.sweeper ??= setInterval(() => this.sweep(), Math.min(1000, Math.max(10, this.timeoutMs / 10))).unref();
  }

  private sweep(): void {
    const now = performance.now();
    for (const exchange of this.inFlight) if (now >= exchange.deadline) exchange.abort(new AnswerTooSlow());
  }

  private logDebug(req: ApiRequest, query: string, attempt: number, outcome: Outcome, started: number) {
    const ms = Math.round(performance.now() - started);
    const status = outcome.type === 'answer' ? outcome.status : outcome.kind;
    this.logger!.debug(`${req.method} ${req.path}${query} ${status} ${ms} ms`, {
      controller: this.controller.name,
      method: req.method,
      path: `${req.path}${query}`,
      status,
      ms,
      ...(attempt > 1 && { attempt }),
    });
  }

  private classify(error: unknown): Outcome {
    const code = errorCode(error);
    if (error instanceof TlsRefusal) {
      return { type: 'failure', kind: 'tls', problem: error.message, beforeSend: true, retryable: false, cause: error, ...(error.fingerprint !== undefined && { certFingerprint: error.fingerprint }) };
    }
    if (error instanceof AnswerTooSlow || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
      return { type: 'failure', kind: 'timeout', problem: `no complete answer within ${this.timeoutMs} ms (requestTimeout)`, beforeSend: false, retryable: false, cause: error };
    }
    if (code === 'UND_ERR_CONNECT_TIMEOUT') {
      return { type: 'failure', kind: 'timeout', problem: `cannot connect to ${this.controller.url} within ${this.timeoutMs} ms`, beforeSend: true, retryable: false, cause: error };
    }
    const message = (error as Error | undefined)?.message ?? String(error);
    if (code !== undefined && /^(ERR_SSL_|ERR_TLS_|EPROTO$|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED)/.test(code)) {
      // OpenSSL's text is several lines of internals; the reason is the one phrase a user can act on.
      const problem =
        code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG'
          ? `TLS handshake with ${this.controller.url} failed: the port answers plain HTTP, not HTTPS; use http:// or the controller's HTTPS port`
          : `TLS handshake with ${this.controller.url} failed: ${opensslReason(message)} (${code}); is it really an HTTPS port?`;
      return { type: 'failure', kind: 'tls', problem, beforeSend: true, retryable: false, cause: error };
    }
    const beforeSend = code !== undefined && CONNECT_CODES.has(code);
    const problem =
      code === 'ECONNREFUSED'
        ? `cannot connect to ${this.controller.url}: connection refused (ECONNREFUSED); is the controller up and the URL right?`
        : beforeSend
          ? `cannot connect to ${this.controller.url}: ${message} (${code})`
          : code === 'ECONNRESET'
            ? 'the connection was reset (ECONNRESET)'
            : code === 'UND_ERR_SOCKET'
              ? `the controller closed the connection without an answer (${message})${this.controller.url.startsWith('http:') ? '; if that port speaks HTTPS, use https://' : ''}`
              : `network error: ${message}${code ? ` (${code})` : ''}`;
    return { type: 'failure', kind: 'network', problem, beforeSend, retryable: code !== undefined && RETRY_CODES.has(code), cause: error };
  }

  private parse(req: ApiRequest, status: number, headers: AnswerHeaders, text: string, ambiguous: boolean): unknown {
    const type = headers.contentType;
    const html = /html/i.test(type ?? '') || /^\s*</.test(text);
    // An HTML page from a proxy or login screen means the request never reached the API.
    const fail = (problem: string) => this.error('malformed', req, problem, { status, ambiguous: ambiguous || (req.method !== 'GET' && !html) });
    if (html) {
      throw fail(`the controller answered with an HTML page instead of JSON (status ${status}): wrong URL, or a UniFi OS or proxy login page in the way`);
    }
    if (type === undefined || !/[/+]json\b/i.test(type)) throw fail(`the controller answered with content-type ${type ?? '(none)'} instead of JSON (status ${status})`);
    if (text.trim() === '') throw fail(`the controller answered with an empty body (status ${status})`);
    try {
      return JSON.parse(text);
    } catch (error) {
      throw fail(`the answer is not valid JSON (${Buffer.byteLength(text)} bytes; truncated?): ${(error as Error).message}`);
    }
  }

  private httpError(req: ApiRequest, status: number, headers: AnswerHeaders, text: string, ambiguous: boolean): UnifiError {
    const api = errorBody(headers, text);
    const code = api?.code;
    const apiMessage = api?.message;
    const details: UnifiErrorDetails = { status, ambiguous, ...(code !== undefined && { code }), ...(apiMessage !== undefined && { apiMessage }) };
    const what = [code, apiMessage].filter(Boolean).join(': ');
    const said = what ? ` (${what})` : /html/i.test(headers.contentType ?? '') ? ' (an HTML page, not an API error)' : '';
    let problem: string;
    if (status === 401) {
      const who = api?.fromProxy ? 'the UniFi OS console' : 'the controller';
      problem = `${who} refused the API key${said}; check the key configured for this controller (key fingerprint ${this.controller.keyFingerprint})`;
    } else if (status === 403) {
      problem = `the API key is not allowed to do this (HTTP 403${said})`;
    } else if (status >= 300 && status < 400) {
      const { location } = headers;
      problem = `HTTP ${status} redirect${location ? ` to ${location}` : ''}: wrong URL, or a login page in the way`;
    } else if (status === 404 && (code === undefined || code === 'api.request.not-found')) {
      problem = `HTTP 404${said}: wrong URL, or a Network application older than 10.1 (DNS policies need 10.1 or newer)`;
    } else if (status === 429) {
      problem = `HTTP 429${said}: still rate limited after ${this.attempts} attempts`;
    } else {
      problem = `HTTP ${status}${said}`;
    }
    if (RETRY_STATUSES.has(status) && req.method !== 'POST' && this.attempts > 1) problem += ` after ${this.attempts} attempts`;
    return this.error('http', req, problem, details);
  }

  private async waitForRateLimit() {
    for (let wait = this.notBefore - Date.now(); wait > 0; wait = this.notBefore - Date.now()) await sleep(wait);
  }

  /** Waits before attempt `attempt + 1`: Retry-After when the controller gave one, else exponential backoff with jitter. */
  private async backoff(attempt: number, retryAfter: number | null) {
    this.stats.retries += 1;
    if (retryAfter !== null) {
      const delay = Math.min(retryAfter, this.maxDelayMs);
      // The whole controller slows down, not just this request.
      this.notBefore = Math.max(this.notBefore, Date.now() + delay);
      return this.waitForRateLimit();
    }
    const full = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1));
    await sleep(full / 2 + Math.random() * (full / 2));
  }

  private scrub(text: string): string {
    const key = this.controller.apiKey;
    return key === '' ? text : text.split(key).join('***');
  }
}

/** Milliseconds from a Retry-After header (delay-seconds or HTTP-date), or null. */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | null {
  const text = value?.trim();
  if (!text) return null;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/** "…:SSL routines:tls_validate_record_header:wrong version number:…" → "wrong version number". */
function opensslReason(message: string): string {
  const line = message.split('\n')[0]!.trim();
  const parts = line.split(':');
  const routines = parts.findIndex((p) => p.endsWith(' routines'));
  return routines >= 0 && parts[routines + 2] ? parts[routines + 2]! : line;
}

function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current !== null && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    const inner = current as { cause?: unknown; errors?: unknown };
    current = inner.cause ?? (Array.isArray(inner.errors) ? inner.errors[0] : undefined);
  }
  return undefined;
}

/** The API's "Error Message" body, when the answer is one. */
function errorBody(headers: AnswerHeaders, text: string): (ApiErrorBody & { fromProxy?: boolean }) | null {
  if (!/json/i.test(headers.contentType ?? '') && !/^\s*\{/.test(text)) return null;
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
    const raw = value as Record<string, unknown>;
    // The UniFi OS proxy's own refusals are not the Network application's Error Message.
    const proxy = raw.error;
    if (typeof proxy === 'object' && proxy !== null && typeof (proxy as { message?: unknown }).message === 'string') {
      return { message: (proxy as { message: string }).message, fromProxy: true };
    }
    const pick = (key: string) => (typeof raw[key] === 'string' ? (raw[key] as string) : undefined);
    return {
      ...(typeof raw.statusCode === 'number' && { statusCode: raw.statusCode }),
      ...(pick('statusName') !== undefined && { statusName: pick('statusName') }),
      ...(pick('code') !== undefined && { code: pick('code') }),
      ...(pick('message') !== undefined && { message: pick('message') }),
      ...(pick('requestId') !== undefined && { requestId: pick('requestId') }),
    };
  } catch {
    return null;
  }
}
