import type { DatabaseSync } from 'node:sqlite';

/** SQLite's catalog for code that reads files whose schema it cannot assume (a legacy one, a damaged one): which tables there are, and names safe in SQL text. */

export function tablesOf(db: DatabaseSync): Set<string> {
  return new Set((db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").all() as Array<{ name: string }>).map((t) => t.name));
}

export function quote(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
