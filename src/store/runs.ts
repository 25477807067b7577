import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { PlanCounts, RunCounts, RunOutcome, SyncPolicy } from '../domain/run.ts';
import { immediateTransaction } from './transaction.ts';


export interface RunStart {
  startedAt: string;
  host: string;
  pid: number;
  user: string;
  version: string;
  policy: SyncPolicy;
}

export interface RunFinish {
  done: RunCounts;
  planned: PlanCounts;
  finishedAt: string;
  outcome: RunOutcome;
  exitCode: number;
  sitesOk: number;
  sitesFailed: number;
}

/** The RUN rows: one per sync that wrote anything (a dry run writes nothing, not even this). */
export class RunRepository {
  readonly #start: StatementSync;
  readonly #claim: StatementSync;
  readonly #finish: StatementSync;
  readonly #db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
    this.#start = db.prepare(
      "INSERT INTO runs (started_at, mode, host, pid, user, version, policy, events_after) VALUES (?, 'sync', ?, ?, ?, ?, ?, (SELECT coalesce(max(id), 0) FROM sync_events))",
    );
    this.#claim = db.prepare('UPDATE sync_lock SET run_id = ? WHERE id = 1 AND host = ? AND pid = ?');
    this.#finish = db.prepare(
      `UPDATE runs SET finished_at = ?, outcome = ?, exit_code = ?, sites_ok = ?, sites_failed = ?,
         created = ?, updated = ?, deleted = ?, skipped = ?, failed = ?,
         planned_create = ?, planned_update = ?, planned_delete = ?, planned_skip = ?,
         events_through = (SELECT coalesce(max(id), 0) FROM sync_events) WHERE id = ?`,
    );
  }

  /**
   * Writes the run row, and names it in the lock this process holds: so `history --runs` tells the
   * run that is running from one whose process died (still unfinished, no longer holding the lock).
   */
  start(run: RunStart): number {
    // One transaction: a reader never sees the run row without the lock naming it.
    return immediateTransaction(this.#db, () => {
      const id = Number(this.#start.run(run.startedAt, run.host, run.pid, run.user, run.version, run.policy).lastInsertRowid);
      this.#claim.run(id, run.host, run.pid);
      return id;
    });
  }

  finish(id: number, run: RunFinish): void {
    const { done, planned } = run;
    this.#finish.run(
      ...[run.finishedAt, run.outcome, run.exitCode, run.sitesOk, run.sitesFailed],
      ...[done.created, done.updated, done.deleted, done.skipped, done.failed],
      ...[planned.create, planned.update, planned.delete, planned.skip, id],
    );
  }
}
