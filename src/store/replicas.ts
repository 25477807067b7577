import type { DatabaseSync, StatementSync } from 'node:sqlite';

/**
 * The intent protocol of SPEC §4.7 on replica rows: `intend*` is committed before a write
 * request goes out, `settle*` after its outcome. A run killed in between leaves the intent,
 * and the next run's discovery tells what happened (see planner/observe.ts).
 */
export class ReplicaRepository {
  readonly #intendCreate: StatementSync;
  readonly #intend: StatementSync;
  readonly #created: StatementSync;
  readonly #clear: StatementSync;
  readonly #remove: StatementSync;

  constructor(db: DatabaseSync) {
    this.#intendCreate = db.prepare(
      `INSERT INTO replicas (record_id, site_id, policy_id, created_at, pending, pending_run_id, pending_body)
       VALUES (?, ?, NULL, ?, 'create', ?, NULL)
       ON CONFLICT (record_id, site_id) DO UPDATE SET policy_id = NULL, pending = 'create',
         pending_run_id = excluded.pending_run_id, pending_body = NULL`,
    );
    this.#intend = db.prepare('UPDATE replicas SET pending = ?, pending_run_id = ?, pending_body = ? WHERE record_id = ? AND site_id = ?');
    this.#created = db.prepare(
      'UPDATE replicas SET policy_id = ?, pending = NULL, pending_run_id = NULL, pending_body = NULL WHERE record_id = ? AND site_id = ?',
    );
    this.#clear = db.prepare('UPDATE replicas SET pending = NULL, pending_run_id = NULL, pending_body = NULL WHERE record_id = ? AND site_id = ?');
    this.#remove = db.prepare('DELETE FROM replicas WHERE record_id = ? AND site_id = ?');
  }

  /** A create is matched by identity if the run dies, so its intent keeps no body. */
  intendCreate(recordId: string, siteKey: number, runId: number, at: string): void {
    this.#intendCreate.run(recordId, siteKey, at, runId);
  }

  intendUpdate(recordId: string, siteKey: number, runId: number, body: string): void {
    this.#intend.run('update', runId, body, recordId, siteKey);
  }

  intendDelete(recordId: string, siteKey: number, runId: number): void {
    this.#intend.run('delete', runId, null, recordId, siteKey);
  }

  /** The create went through: the replica is ours, with this policy id. */
  created(recordId: string, siteKey: number, policyId: string): void {
    this.#created.run(policyId, recordId, siteKey);
  }

  /** The update went through, or a failed update or delete left the replica as it was. */
  settled(recordId: string, siteKey: number): void {
    this.#clear.run(recordId, siteKey);
  }

  /** The replica is no more: deleted, or a create that certainly did not happen. */
  removed(recordId: string, siteKey: number): void {
    this.#remove.run(recordId, siteKey);
  }
}
