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

/** A holder that has not beaten for this long is taken to be dead, whatever its host and pid. */
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
 * at once when it ran on this host and its pid is not running, and whatever its host and pid once
 * its heartbeat is stale (a pid can be reused by another process, which would look alive forever).
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
    return this.staleReason(holder) !== null;
  }

  /** Why `holder` no longer holds the lock, or null while it does. */
  staleReason(holder: LockHolder): string | null {
    if (holder.host === this.options.host) {
      // Our own pid in the row is an earlier life of this container (pid 1 again), not us.
      if (holder.pid === this.options.pid) return `lock left by an earlier process with this pid (${holder.pid}) on this host`;
      if (!(this.options.isAlive ?? processAlive)(holder.pid)) return `lock left by pid ${holder.pid} on this host, which is no longer running`;
    }
    const limit = this.options.staleAfterMs ?? LOCK_STALE_MS;
    // An unreadable heartbeat counts as stale: nothing could ever prove such a holder alive.
    if (!(Date.now() - Date.parse(holder.heartbeatAt) <= limit)) {
      const stale = `with no heartbeat since ${holder.heartbeatAt} (stale after ${Math.round(limit / 1000)} s`;
      return holder.host === this.options.host
        ? `lock of pid ${holder.pid} on this host ${stale}; that pid runs, as another process or a hung one)`
        : `lock of host ${holder.host} ${stale})`;
    }
    return null;
  }

  /**
   * For a dry run, which takes no lock: throws LockHeldError while a live sync holds it, and
   * returns a check for the end of the dry run that throws if a sync held it meanwhile (it holds
   * it still, or its run row appeared): what the dry run read of the controllers may then be half
   * before and half after that sync's writes, and its plan would be neither.
   */
  watch(): () => void {
    const live = (when: string) => {
      const holder = this.holder();
      if (holder && !this.isStale(holder)) {
        throw new LockHeldError(
          `another sync holds the database ${this.path}: host ${holder.host}, pid ${holder.pid}, since ${holder.acquiredAt}; a dry run ${when} would plan against lists it is changing: run it again when that sync is done`,
        );
      }
    };
    live('now');
    const last = this.lastRun();
    return () => {
      live('meanwhile');
      const run = statement(this.db, 'SELECT id, host, pid, started_at AS startedAt FROM runs WHERE id > ? ORDER BY id LIMIT 1').get(last) as
        | { id: number; host: string; pid: number; startedAt: string }
        | undefined;
      if (run) {
        throw new LockHeldError(
          `a sync ran on the database ${this.path} while this dry run read the controllers (run ${run.id}: host ${run.host}, pid ${run.pid}, since ${run.startedAt}); run the dry run again`,
        );
      }
    };
  }

  /**
   * Releases the lock after SQLite reported the file damaged, only when the table it is in reads
   * as sound: the row is alone on sync_lock's one page (the table holds one row at most), so the
   * DELETE rewrites only that page, which SQLite has just checked, and allocates or frees none;
   * the damage cannot spread. Otherwise the row stays, naming a pid that will be gone: the next
   * sync on this host takes it over at once, one elsewhere once its heartbeat is stale.
   */
  releaseIfSound(): boolean {
    if (!this.#held) return true;
    try {
      if (this.db.isTransaction) this.db.exec('ROLLBACK');
      const check = this.db.prepare('PRAGMA quick_check(sync_lock)').all() as Array<{ quick_check: string }>;
      if (check.length !== 1 || check[0]!.quick_check !== 'ok') return false;
      this.release();
      return true;
    } catch {
      return false;
    }
  }

  private lastRun(): number {
    return (statement(this.db, 'SELECT coalesce(max(id), 0) AS id FROM runs').get() as { id: number }).id;
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
