import type { DatabaseSync } from 'node:sqlite';

export interface OrphanRow {
  id: string;
  type: string;
  domain: string;
  target: string;
  orphanedAt: string;
  lastOriginSite: string | null;
  lastOriginController: string | null;
  replicas: number;
}

/** Records with no origin left (SPEC §4.5), for `dnssync orphans`. */
export class OrphanRepository {
  private readonly db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.db = db;
  }

  list(): OrphanRow[] {
    const orphans = this.db
      .prepare(
        `SELECT d.id, d.type, d.domain, d.target, d.orphaned_at AS orphanedAt,
           s.name AS lastOriginSite, c.name AS lastOriginController, 0 AS replicas
         FROM dns_records d
         LEFT JOIN sites s ON s.id = d.last_origin_site_id
         LEFT JOIN controllers c ON c.host = s.controller_host
         WHERE d.orphaned_at IS NOT NULL
         ORDER BY d.orphaned_at, d.domain, d.type, d.target`,
      )
      .all() as unknown as OrphanRow[];
    if (orphans.length === 0) return orphans;
    // One pass over replicas (keyed by site first) counts them all, instead of a scan per orphan.
    const counts = this.db
      .prepare(
        `SELECT record_id AS id, count(*) AS n FROM replicas
         WHERE record_id IN (SELECT id FROM dns_records WHERE orphaned_at IS NOT NULL) GROUP BY record_id`,
      )
      .all() as Array<{ id: string; n: number }>;
    const byId = new Map(counts.map((c) => [c.id, c.n]));
    return orphans.map((o) => ({ ...o, replicas: byId.get(o.id) ?? 0 }));
  }

  /** Removes orphans that have no replica left, with any origin row; events stay. Returns what it removed. */
  prune(): OrphanRow[] {
    const gone = this.list().filter((o) => o.replicas === 0);
    const origins = this.db.prepare('DELETE FROM record_origins WHERE record_id = ?');
    const record = this.db.prepare('DELETE FROM dns_records WHERE id = ? AND orphaned_at IS NOT NULL');
    for (const orphan of gone) {
      origins.run(orphan.id);
      record.run(orphan.id);
    }
    return gone;
  }
}
