import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { BulkInsert, type SqlValue } from './bulk-insert.ts';

/**
 * The intent protocol of SPEC §4.7: `intend*` is committed before a write request goes out, the
 * outcome after it. A run killed in between leaves the intent, and the next run's discovery tells
 * what happened (see planner/observe.ts). An update's or delete's intent is on its replica row; a
 * batch of creates has one row in `create_intents`, so that a confirmed replica row is written
 * once (issue 13: at L that halves the SQL of an initial sync); a create sent without an answer
 * keeps its intent as a pending replica row, the form every reader of intents knows.
 */
export class ReplicaRepository {
  readonly #intendCreate: StatementSync;
  readonly #intendCreates: StatementSync;
  readonly #createsSettled: StatementSync;
  readonly #pendFromBatches: StatementSync;
  readonly #forgetBatches: StatementSync;
  readonly #intend: StatementSync;
  readonly #created: BulkInsert;
  readonly #clear: StatementSync;
  readonly #remove: StatementSync;

  constructor(db: DatabaseSync) {
    this.#intendCreate = db.prepare(
      `INSERT INTO replicas (record_id, site_id, policy_id, created_at, pending, pending_run_id, pending_body)
       VALUES (?, ?, NULL, ?, 'create', ?, NULL)
       ON CONFLICT (record_id, site_id) DO UPDATE SET policy_id = NULL, pending = 'create',
         pending_run_id = excluded.pending_run_id, pending_body = NULL`,
    );
    this.#intendCreates = db.prepare('INSERT INTO create_intents (run_id, site_id, record_ids) VALUES (?, ?, ?)');
    // A site has one batch of creates in flight at a time (engine/apply.ts), so run and site name it:
    // its intent needs no id back, and a transaction of apply returns nothing (store/apply-writes.ts).
    this.#createsSettled = db.prepare('DELETE FROM create_intents WHERE run_id = ? AND site_id = ?');
    // Records pruned since are left out: their policy, if made, is found native and never deleted.
    this.#pendFromBatches = db.prepare(
      `INSERT INTO replicas (record_id, site_id, policy_id, created_at, pending, pending_run_id, pending_body)
       SELECT j.value, i.site_id, NULL, ?, 'create', i.run_id, NULL FROM create_intents i, json_each(i.record_ids) j
       WHERE j.value IN (SELECT id FROM dns_records) AND i.site_id IN (SELECT id FROM sites)
       ON CONFLICT (record_id, site_id) DO NOTHING`,
    );
    this.#forgetBatches = db.prepare('DELETE FROM create_intents');
    this.#intend = db.prepare('UPDATE replicas SET pending = ?, pending_run_id = ?, pending_body = ? WHERE record_id = ? AND site_id = ?');
    this.#created = new BulkInsert(
      db,
      'INSERT INTO replicas (record_id, site_id, policy_id, created_at)',
      4,
      'ON CONFLICT (record_id, site_id) DO UPDATE SET policy_id = excluded.policy_id, pending = NULL, pending_run_id = NULL, pending_body = NULL',
    );
    this.#clear = db.prepare('UPDATE replicas SET pending = NULL, pending_run_id = NULL, pending_body = NULL WHERE record_id = ? AND site_id = ?');
    this.#remove = db.prepare('DELETE FROM replicas WHERE record_id = ? AND site_id = ?');
  }

  /** A create is matched by identity if the run dies, so its intent keeps no body. */
  intendCreate(recordId: string, siteKey: number, runId: number, at: string): void {
    this.#intendCreate.run(recordId, siteKey, at, runId);
  }

  /** The intent of a batch of creates at one site, the only one of this run there until `createsSettled`. */
  intendCreates(recordIds: readonly string[], siteKey: number, runId: number): void {
    this.#intendCreates.run(runId, siteKey, JSON.stringify(recordIds));
  }

  /**
   * The outcomes of a batch of creates: `made` are the creates that went through, record id then
   * policy id for each, now confirmed replicas; each create sent without an answer has its own
   * intent by now (intendCreate), so the batch's goes.
   */
  createsSettled(siteKey: number, runId: number, made: readonly string[], at: string): void {
    const values: SqlValue[] = [];
    for (let i = 0; i < made.length; i += 2) values.push(made[i]!, siteKey, made[i + 1]!, at);
    this.#created.run(values);
    this.#createsSettled.run(runId, siteKey);
  }

  /**
   * Batches of creates a killed run left: each create becomes a pending replica row, which
   * discovery adopts or forgets (planner/observe.ts). Run before the known state is loaded.
   */
  pendFromBatches(at: string): void {
    this.#pendFromBatches.run(at);
    this.#forgetBatches.run();
  }

  intendUpdate(recordId: string, siteKey: number, runId: number, body: string): void {
    this.#intend.run('update', runId, body, recordId, siteKey);
  }

  intendDelete(recordId: string, siteKey: number, runId: number): void {
    this.#intend.run('delete', runId, null, recordId, siteKey);
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
