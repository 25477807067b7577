import { statSync } from '../system/fs.ts';
import type { DatabaseSync } from 'node:sqlite';
import { DatabaseError } from '../domain/errors.ts';
import { quote } from './catalog.ts';
import { pageSizeOf } from './sqlite-file.ts';
import { isCorruption } from './sqlite-errors.ts';

export function corruptError(path: string, detail: string): DatabaseError {
  return new DatabaseError(`database ${path} is corrupt (${detail}); run 'dnssync repair --db ${path}' to recover what can be recovered`, path);
}

/**
 * Refuses a damaged file before a command first writes to it. SQLite reports damage only on the
 * pages a statement reads, and a write next to a damaged page it never reads goes through, so:
 * - the file must hold whole pages: one cut off mid-page reads as zeros where it ends;
 * - SQLite reads every page of every table and index, checking each page's layout as it loads
 *   it (cell_size_check): a page overwritten, zeroed or cut off, or a damaged root, is reported.
 * It decodes no row, unlike PRAGMA quick_check, which costs four times as much (README,
 * "Storage"); damage inside a row is reported by the statement that reads it, and by
 * `dnssync repair --check`.
 */
export function assertUndamaged(db: DatabaseSync, path: string): void {
  assertWholePages(path);
  db.exec('PRAGMA cell_size_check = ON');
  try {
    const objects = db.prepare("SELECT type, name, tbl_name AS tbl, sql FROM sqlite_schema WHERE rootpage > 0 AND type IN ('table', 'index')").all();
    for (const object of objects as Array<{ type: string; name: string; tbl: string; sql: string | null }>) {
      try {
        db.prepare(walk(object)).get();
      } catch (error) {
        // Only damage matters here; a b-tree this walk cannot name is read by the statements that use it.
        if (isCorruption(error)) throw error;
      }
    }
  } catch (error) {
    if (isCorruption(error)) throw corruptError(path, (error as Error).message);
    throw error;
  }
}

/** A statement that reads every page of one b-tree: count(*) walks pages without decoding rows. */
function walk(object: { type: string; name: string; tbl: string; sql: string | null }): string {
  if (object.type === 'table') return `SELECT count(*) FROM ${quote(object.name)} NOT INDEXED`;
  // count(*) with no WHERE would count the smallest index instead of the one named.
  const partial = object.sql && /\bWHERE\b([\s\S]*)$/i.exec(object.sql)?.[1];
  return `SELECT count(*) FROM ${quote(object.tbl)} INDEXED BY ${quote(object.name)} WHERE ${partial ? `(${partial}) AND ` : ''}1`;
}

function assertWholePages(path: string): void {
  const size = statSync(path).size;
  // While the -wal holds pages a checkpoint has not copied, it is SQLite's to make the file whole.
  if (size === 0 || walHasFrames(path)) return;
  const pageSize = pageSizeOf(path);
  if (pageSize !== null && size % pageSize !== 0) {
    throw corruptError(path, `the file ends in the middle of a page: ${size} bytes is not a whole number of ${pageSize}-byte pages`);
  }
}

function walHasFrames(path: string): boolean {
  try {
    return statSync(`${path}-wal`).size > 0;
  } catch {
    return false;
  }
}
