/**
 * LEGACY_DUPLICATES rows (schema.sql): identical copies the legacy tool made of a record at a site,
 * remembered from the run that found them until their delete is recorded, with its intent.
 */
import type { DatabaseSync } from 'node:sqlite';
import type { DnsRecord } from '../domain/record.ts';
import type { KnownDuplicate } from '../domain/state.ts';
import { tablesOf } from './catalog.ts';
import { EventWriter } from './events.ts';
import { statement } from './statements.ts';

export class LegacyDuplicateRepository {
  private readonly db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.db = db;
  }

  /** siteKey → policyId → duplicate. A database of an older schema (a dry run does not migrate) has none. */
  all(): Map<number, Map<string, KnownDuplicate>> {
    const bySite = new Map<number, Map<string, KnownDuplicate>>();
    if (!tablesOf(this.db).has('legacy_duplicates')) return bySite;
    for (const row of statement(this.db, 'SELECT site_id, policy_id, record_id, deleting_run_id FROM legacy_duplicates').iterate()) {
      const r = row as { site_id: number; policy_id: string; record_id: string; deleting_run_id: number | null };
      const site = bySite.get(r.site_id) ?? new Map<string, KnownDuplicate>();
      site.set(r.policy_id, { recordId: r.record_id, deletingRunId: r.deleting_run_id });
      bySite.set(r.site_id, site);
    }
    return bySite;
  }

  /**
   * What this run's discovery found (the caller owns the transaction): new duplicates, and known
   * ones that are gone, whose interrupted delete gets its DELETED event now.
   */
  observed(found: ReadonlyArray<{ siteKey: number; policyId: string; record: DnsRecord }>, gone: ReadonlyArray<{ siteKey: number; policyId: string; record: DnsRecord; deletingRunId: number | null }>, at: string): void {
    const insert = statement(this.db, 'INSERT INTO legacy_duplicates (site_id, policy_id, record_id, found_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING');
    for (const d of found) insert.run(d.siteKey, d.policyId, d.record.id, at);
    const events = new EventWriter(this.db);
    for (const d of gone) {
      this.forget(d.siteKey, d.policyId);
      if (d.deletingRunId !== null) {
        events.add({ runId: d.deletingRunId, record: d.record, siteKey: d.siteKey, status: 'DELETED', reason: 'a duplicate the legacy tool made; recorded after an interrupted run', at });
      }
    }
  }

  intendDelete(siteKey: number, policyId: string, runId: number): void {
    statement(this.db, 'UPDATE legacy_duplicates SET deleting_run_id = ? WHERE site_id = ? AND policy_id = ?').run(runId, siteKey, policyId);
  }

  /** A delete that failed for sure: tried again next run. */
  notDeleted(siteKey: number, policyId: string): void {
    statement(this.db, 'UPDATE legacy_duplicates SET deleting_run_id = NULL WHERE site_id = ? AND policy_id = ?').run(siteKey, policyId);
  }

  forget(siteKey: number, policyId: string): void {
    statement(this.db, 'DELETE FROM legacy_duplicates WHERE site_id = ? AND policy_id = ?').run(siteKey, policyId);
  }
}
