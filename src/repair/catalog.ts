import type { DatabaseSync } from 'node:sqlite';

/** What repair needs of SQLite's catalog: which tables a database has, and names safe in SQL text. */

export function tablesOf(db: DatabaseSync): Set<string> {
  return new Set((db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").all() as Array<{ name: string }>).map((t) => t.name));
}

export function quote(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
