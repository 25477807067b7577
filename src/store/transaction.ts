import type { DatabaseSync } from 'node:sqlite';

/**
 * Runs `work` in a BEGIN IMMEDIATE transaction: the write lock is taken up front, so a
 * concurrent writer waits (busy_timeout) here instead of failing halfway through.
 */
export function immediateTransaction<T>(db: DatabaseSync, work: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = work();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw error;
  }
}
