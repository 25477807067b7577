import type { DatabaseSync, StatementSync } from 'node:sqlite';

const prepared = new WeakMap<DatabaseSync, Map<string, StatementSync>>();

/**
 * The statement for `sql` on this connection, prepared on its first use only. For repositories
 * that may meet a database without their table (repair looks at any file), where preparing
 * everything up front would fail before anything was asked.
 */
export function statement(db: DatabaseSync, sql: string): StatementSync {
  let cache = prepared.get(db);
  if (!cache) prepared.set(db, (cache = new Map()));
  let found = cache.get(sql);
  if (!found) cache.set(sql, (found = db.prepare(sql)));
  return found;
}
