/** LEGACY_EVIDENCE rows (schema.sql): what the legacy tool left at the shared default-site uuid. */
import type { DatabaseSync } from 'node:sqlite';
import type { EvidenceDecision, EvidenceVerdict, LegacyEvidence } from '../domain/legacy-evidence.ts';
import { tablesOf } from './catalog.ts';
import { statement } from './statements.ts';

export interface EvidenceRow extends LegacyEvidence {
  resolvedAt: string | null;
  found: number | null;
}

export class LegacyEvidenceRepository {
  private readonly db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.db = db;
  }

  /** Rows no sync has decided yet. A dry run on a database of an older schema (not migrated) has none. */
  pending(): LegacyEvidence[] {
    return this.#rows('WHERE resolved_at IS NULL');
  }

  /** Every row, decided or not, for the commands that show them. */
  all(): EvidenceRow[] {
    return this.#rows('');
  }

  /**
   * Records what the first sync at a console's site decided, before its observations (the caller
   * owns the transaction): replicas without a policy id yet, for discovery to adopt by identity,
   * and origins with the time the tool first saw them.
   */
  record(decisions: readonly EvidenceDecision[], at: string): void {
    const replica = statement(this.db, 'INSERT INTO replicas (record_id, site_id, policy_id, created_at, pending) VALUES (?, ?, NULL, ?, NULL) ON CONFLICT DO NOTHING');
    const origin = statement(
      this.db,
      'INSERT INTO record_origins (record_id, site_id, first_seen, policy_id, attributes) VALUES (?, ?, ?, NULL, ?) ON CONFLICT DO NOTHING',
    );
    const decided = statement(this.db, 'UPDATE legacy_evidence SET resolved_at = ?, found = ? WHERE controller_host = ? AND uuid = ? AND record_id = ?');
    for (const d of decisions) {
      const e = d.evidence;
      if (d.replica) replica.run(e.recordId, d.siteKey, d.replica.createdAt);
      if (d.origin) origin.run(e.recordId, d.siteKey, d.origin.firstSeen, JSON.stringify(d.origin.attributes));
      decided.run(at, d.found, e.controllerHost, e.uuid, e.recordId);
    }
  }

  #rows(where: string): EvidenceRow[] {
    if (!tablesOf(this.db).has('legacy_evidence')) return [];
    const rows = statement(
      this.db,
      `SELECT controller_host, uuid, record_id, first_discovered, created, verdict, resolved_at, found FROM legacy_evidence ${where} ORDER BY controller_host, uuid, record_id`,
    ).all() as Array<{
      controller_host: string;
      uuid: string;
      record_id: string;
      first_discovered: string | null;
      created: string;
      verdict: EvidenceVerdict;
      resolved_at: string | null;
      found: number | null;
    }>;
    return rows.map((r) => ({
      controllerHost: r.controller_host,
      uuid: r.uuid,
      recordId: r.record_id,
      firstDiscovered: r.first_discovered,
      created: JSON.parse(r.created) as Array<string | null>,
      verdict: r.verdict,
      resolvedAt: r.resolved_at,
      found: r.found,
    }));
  }
}

/**
 * A database converted from the legacy tool where no sync has recorded what it observed yet (a run
 * refused by the delete limit records nothing). That first sync is where what the tool took for
 * native but dnssync does not sync is orphaned, so it is announced before (migrate) and then (sync).
 */
export function awaitsFirstSync(db: DatabaseSync): boolean {
  const row = db
    .prepare(
      `SELECT NOT EXISTS (SELECT 1 FROM runs WHERE mode = 'sync' AND outcome IN ('success', 'partial', 'drift', 'interrupted'))
         AND EXISTS (SELECT 1 FROM sync_events WHERE run_id IS NULL) AS awaits`,
    )
    .get() as { awaits: number };
  return row.awaits === 1;
}
