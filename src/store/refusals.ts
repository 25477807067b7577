import type { DatabaseSync } from 'node:sqlite';
import type { KnownRefusal } from '../domain/state.ts';
import { tablesOf } from './catalog.ts';
import { statement } from './statements.ts';

/** REFUSAL rows: creates a controller refused (see schema.sql). The caller owns the transaction. */
export class RefusalRepository {
  private readonly db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.db = db;
  }

  /**
   * siteKey → recordId → refusal. Few rows: every refused create, not every record. A dry run on
   * a database of an older schema (read-only: not migrated) has no table yet, so no refusal.
   */
  all(): Map<number, Map<string, KnownRefusal>> {
    const bySite = new Map<number, Map<string, KnownRefusal>>();
    if (!tablesOf(this.db).has('refusals')) return bySite;
    for (const row of statement(this.db, 'SELECT site_id, record_id, code, message, refused_at, tried_at FROM refusals').iterate()) {
      const r = row as { site_id: number; record_id: string; code: string; message: string; refused_at: string; tried_at: string };
      const site = bySite.get(r.site_id) ?? new Map<string, KnownRefusal>();
      site.set(r.record_id, { code: r.code, message: r.message, refusedAt: r.refused_at, triedAt: r.tried_at });
      bySite.set(r.site_id, site);
    }
    return bySite;
  }

  /** A refusal that lasts keeps the time it started; the code and message are the latest. */
  refused(siteKey: number, recordId: string, code: string, message: string, at: string): void {
    statement(
      this.db,
      `INSERT INTO refusals (site_id, record_id, code, message, refused_at, tried_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (site_id, record_id) DO UPDATE SET code = excluded.code, message = excluded.message, tried_at = excluded.tried_at`,
    ).run(siteKey, recordId, code, message, at, at);
  }

  forget(siteKey: number, recordId: string): void {
    statement(this.db, 'DELETE FROM refusals WHERE site_id = ? AND record_id = ?').run(siteKey, recordId);
  }
}
