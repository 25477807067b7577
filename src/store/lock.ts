import type { DatabaseSync } from 'node:sqlite';
import { LockHeldError } from '../domain/errors.ts';
import { nowIso } from '../domain/time.ts';
import { statement } from './statements.ts';
import { immediateTransaction } from './transaction.ts';

export interface LockHolder {
  host: string;
  pid: number;
  acquiredAt: string;
  heartbeatAt: string;
}

/** A holder on another host that has not beaten for this long is taken to be dead. */
export const LOCK_STALE_MS = 120_000;

export interface LockOptions {
  host: string;
  pid: number;
  /** Default LOCK_STALE_MS. */
  staleAfterMs?: number;
  /** Whether a process of this host is alive (injected so tests can fake a dead holder). */
  isAlive?: (pid: number) => boolean;
}

/**
 * One sync at a time per database (SPEC §4.6). The lock is a row, not a file, so it lives and
 * dies with the database and works on a Kubernetes volume. A holder that is gone is taken over:
 * at once when it ran on this host, once its heartbeat is stale when it ran elsewhere.
 */
export class SyncLock {
  #held = false;

  private readonly db: DatabaseSync;
  private readonly path: string;
  private readonly options: LockOptions;

  constructor(
    db: DatabaseSync,
    path: string,
    options: LockOptions,
  ) {
    this.db = db;
    this.path = path;
    this.options = options;
  }

  acquire(): { takenOver: LockHolder | null } {
    return immediateTransaction(this.db, () => {
      const holder = this.holder();
      if (holder && !this.isStale(holder)) {
        throw new LockHeldError(
          `another sync holds the database ${this.path}: host ${holder.host}, pid ${holder.pid}, since ${holder.acquiredAt}`,
        );
      }
      const now = nowIso();
      statement(this.db, 'INSERT OR REPLACE INTO sync_lock (id, host, pid, acquired_at, heartbeat_at) VALUES (1, ?, ?, ?, ?)')
        .run(this.options.host, this.options.pid, now, now);
      this.#held = true;
      return { takenOver: holder };
    });
  }

  /** Keeps the lock fresh during a long run. */
  beat(): void {
    if (!this.#held) return;
    statement(this.db, 'UPDATE sync_lock SET heartbeat_at = ? WHERE id = 1 AND host = ? AND pid = ?').run(nowIso(), this.options.host, this.options.pid);
  }

  release(): void {
    if (!this.#held) return;
    statement(this.db, 'DELETE FROM sync_lock WHERE id = 1 AND host = ? AND pid = ?').run(this.options.host, this.options.pid);
    this.#held = false;
  }

  holder(): LockHolder | null {
    const row = statement(this.db, 'SELECT host, pid, acquired_at AS acquiredAt, heartbeat_at AS heartbeatAt FROM sync_lock WHERE id = 1').get();
    return (row as unknown as LockHolder | undefined) ?? null;
  }

  isStale(holder: LockHolder): boolean {
    if (holder.host === this.options.host) {
      // Our own pid in the row is an earlier life of this container (pid 1 again), not us.
      return holder.pid === this.options.pid || !(this.options.isAlive ?? processAlive)(holder.pid);
    }
    return Date.now() - Date.parse(holder.heartbeatAt) > (this.options.staleAfterMs ?? LOCK_STALE_MS);
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
