import type { DatabaseSync } from 'node:sqlite';

export interface StoreCounts {
  records: number;
  replicas: number;
  orphans: number;
}

/** Totals for the metrics file. */
export function storeCounts(db: DatabaseSync): StoreCounts {
  return db
    .prepare(
      `SELECT (SELECT count(*) FROM dns_records) AS records,
              (SELECT count(*) FROM replicas) AS replicas,
              (SELECT count(*) FROM dns_records WHERE orphaned_at IS NOT NULL) AS orphans`,
    )
    .get() as unknown as StoreCounts;
}
