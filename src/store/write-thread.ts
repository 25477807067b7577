import { getCompileCacheDir } from 'node:module';
import { dirname } from 'node:path';
import { Worker } from 'node:worker_threads';
import { DatabaseError } from '../domain/errors.ts';
import { recordingRepositories, type ApplyRepositories, type ApplyWrites, type RecordedTransaction } from './apply-writes.ts';

/** A failed transaction as the worker thread sends it: what the run's error handling reads of SQLite's errors. */
export interface FailureText {
  name: string;
  message: string;
  code?: string;
  errcode?: number;
  errstr?: string;
  /** Set for a DatabaseError (the connection could not be opened): its file. */
  file?: string;
}

// Beside this file in the sources; in the bundle every chunk and the worker's entry are in dist/ (scripts/build.ts).
const ENTRY = new URL(import.meta.url.endsWith('.ts') ? './write-thread-worker.ts' : './write-thread-worker.js', import.meta.url);

/**
 * Apply's transactions on a connection of their own in a worker thread (issue 13): SQLite's part
 * of an initial sync, a fifth of its CPU at L, runs beside the event loop, which meanwhile
 * sends and reads other sites' requests. The calls of a transaction are recorded here
 * (store/apply-writes.ts) and replayed there, in the order they were asked; each promise resolves
 * once its transaction is committed, so an intent is on disk before its requests go out.
 */
export class WriteThread implements ApplyWrites {
  /**
   * Whether a worker can load the thread's entry: the bundle's JavaScript, or the sources where
   * Node erases their types itself. Node 22 and 23 run a checkout through tsx, whose loader a
   * worker thread does not inherit.
   */
  static canStart(): boolean {
    return !ENTRY.pathname.endsWith('.ts') || Boolean(process.features.typescript);
  }

  readonly #worker: Worker;
  readonly #waiting: Array<{ resolve(): void; reject(error: unknown): void }> = [];
  readonly #exited: Promise<void>;
  #lost: unknown = null;

  constructor(path: string) {
    // A worker does not share the compile cache that bin/dnssync enabled: without it, the worker
    // loads Node's TypeScript stripper again (24 MB) to read the sources of a checkout.
    const cache = getCompileCacheDir();
    this.#worker = new Worker(ENTRY, { workerData: { path }, ...(cache && { env: { ...process.env, NODE_COMPILE_CACHE: dirname(cache) } }) });
    this.#worker.on('message', (failure: FailureText | null) => {
      const waiting = this.#waiting.shift();
      if (failure) waiting?.reject(errorOf(failure));
      else waiting?.resolve();
    });
    this.#worker.on('error', (error) => this.#lose(error));
    this.#exited = new Promise((resolve) =>
      this.#worker.once('exit', (code) => {
        this.#lose(new Error(`the thread writing to ${path} ended (exit code ${code})`));
        resolve();
      }),
    );
  }

  transaction(work: (repositories: ApplyRepositories) => void): Promise<void> {
    const recorded: RecordedTransaction = { calls: [], events: [] };
    work(recordingRepositories(recorded));
    if (recorded.calls.length === 0 && recorded.events.length === 0) return Promise.resolve();
    if (this.#lost) return Promise.reject(this.#lost);
    return new Promise((resolve, reject) => {
      this.#waiting.push({ resolve, reject });
      this.#worker.postMessage(recorded);
    });
  }

  /** The worker thread carries out what it was sent, then closes its connection and ends. */
  async close(): Promise<void> {
    if (!this.#lost) this.#worker.postMessage(null);
    await this.#exited;
  }

  #lose(error: unknown): void {
    this.#lost ??= error;
    for (const waiting of this.#waiting.splice(0)) waiting.reject(this.#lost);
  }
}

/** The error as the run's own connection would have thrown it (a SQLite error keeps its codes). */
function errorOf(failure: FailureText): Error {
  if (failure.file !== undefined) return new DatabaseError(failure.message, failure.file);
  const { name, message, ...codes } = failure;
  return Object.assign(new Error(message), codes, name === 'Error' ? {} : { name });
}
