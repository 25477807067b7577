import type { DatabaseSync } from 'node:sqlite';
import type { RunCounts, RunOutcome, SyncPolicy } from '../domain/run.ts';


export interface RunStart {
  startedAt: string;
  host: string;
  pid: number;
  user: string;
  version: string;
  policy: SyncPolicy;
}

export interface RunFinish extends RunCounts {
  finishedAt: string;
  outcome: RunOutcome;
  exitCode: number;
  sitesOk: number;
  sitesFailed: number;
}

/** The RUN rows: one per sync that wrote anything (a dry run writes nothing, not even this). */
export class RunRepository {
  private readonly db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.db = db;
  }

  start(run: RunStart): number {
    const result = this.db
      .prepare("INSERT INTO runs (started_at, mode, host, pid, user, version, policy) VALUES (?, 'sync', ?, ?, ?, ?, ?)")
      .run(run.startedAt, run.host, run.pid, run.user, run.version, run.policy);
    return Number(result.lastInsertRowid);
  }

  finish(id: number, run: RunFinish): void {
    this.db
      .prepare(
        `UPDATE runs SET finished_at = ?, outcome = ?, exit_code = ?, sites_ok = ?, sites_failed = ?,
           created = ?, updated = ?, deleted = ?, skipped = ?, failed = ? WHERE id = ?`,
      )
      .run(run.finishedAt, run.outcome, run.exitCode, run.sitesOk, run.sitesFailed, run.created, run.updated, run.deleted, run.skipped, run.failed, id);
  }
}
