// One request through an undici Pool, its answer collected whole as text.
//
// undici's `request` wraps every answer in an async resource and a Readable stream, which
// `text()` then drains through events and promises: dnssync reads every answer whole (a page
// of 200 policies at most), so a plain dispatch handler that keeps the chunks does the same
// work without them (issue 13: an initial sync at L sends 398,000 requests).
import type { Dispatcher } from 'undici';
import type { Pool } from './undici.ts';

/** The headers of an answer that the transport reads; a header sent twice counts by its first. */
export interface AnswerHeaders {
  contentType?: string;
  retryAfter?: string;
  location?: string;
}

export interface Answer {
  status: number;
  headers: Readonly<AnswerHeaders>;
  text: string;
}

const READ = new Map<string, keyof AnswerHeaders>([
  ['content-type', 'contentType'],
  ['retry-after', 'retryAfter'],
  ['location', 'location'],
]);
const NO_HEADERS: Readonly<AnswerHeaders> = Object.freeze({});

interface Waiting {
  resolve(answer: Answer): void;
  reject(error: unknown): void;
}

/**
 * A request in flight, and the handler undici calls with its answer. Each connection of the pool
 * keeps up to 256 finished requests, their handlers with them, so a settled exchange lets go of
 * its answer: kept, at L they made V8 promote a megabyte at every scavenge and collect the old
 * generation five times as often.
 */
export class Exchange {
  /** When its time is up (the transport's sweep aborts it then). */
  readonly deadline: number;
  private waiting: Waiting | null = null;
  private abortRequest: ((reason: Error) => void) | null = null;
  private reason: Error | null = null;
  private status = 0;
  private headers: Readonly<AnswerHeaders> = NO_HEADERS;
  private readonly chunks: Buffer[] = [];

  constructor(deadline: number) {
    this.deadline = deadline;
  }

  /** Sends the request; resolves with its whole answer, or rejects with undici's error. */
  send(pool: Pool, options: Dispatcher.DispatchOptions): Promise<Answer> {
    return new Promise<Answer>((resolve, reject) => {
      this.waiting = { resolve, reject };
      // undici reports every failure, synchronous ones included, to onError.
      pool.dispatch(options, this as unknown as Dispatcher.DispatchHandler);
    });
  }

  /** Ends the request with `reason`: at once if it has been sent, else as soon as it is. */
  abort(reason: Error): void {
    this.reason ??= reason;
    this.abortRequest?.(reason);
  }

  onConnect(abort: (reason: Error) => void): void {
    this.abortRequest = abort;
    if (this.reason) abort(this.reason);
  }

  onHeaders(status: number, rawHeaders: Buffer[]): boolean {
    // 1xx: informational, the answer follows.
    if (status < 200) return true;
    this.status = status;
    // Only the three it reads: every header by name was 0.5 s of an initial sync at L.
    const headers: AnswerHeaders = {};
    for (let i = 0; i < rawHeaders.length; i += 2) {
      const name = rawHeaders[i]!;
      if (name.length !== 8 && name.length !== 11 && name.length !== 12) continue;
      const key = READ.get(name.toString('latin1').toLowerCase());
      if (key !== undefined) headers[key] ??= rawHeaders[i + 1]!.toString('latin1');
    }
    this.headers = headers;
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.chunks.push(chunk);
    return true;
  }

  onComplete(): void {
    const { chunks, waiting } = this;
    const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    // As undici's text(): UTF-8, a byte order mark dropped.
    const bom = body.length >= 3 && body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf;
    const answer = { status: this.status, headers: this.headers, text: body.toString('utf8', bom ? 3 : 0) };
    this.settle();
    waiting?.resolve(answer);
  }

  onError(error: Error): void {
    const { waiting } = this;
    this.settle();
    waiting?.reject(error);
  }

  private settle(): void {
    this.waiting = null;
    this.abortRequest = null;
    this.headers = NO_HEADERS;
    this.chunks.length = 0;
  }
}
