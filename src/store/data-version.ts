import type { DatabaseSync } from 'node:sqlite';

/**
 * SQLite's count that changes whenever another connection commits to the file: equal before and
 * after taking the write lock means nothing changed in between, so what was read still holds.
 */
export function dataVersion(db: DatabaseSync): number {
  return (db.prepare('PRAGMA data_version').get() as { data_version: number }).data_version;
}
