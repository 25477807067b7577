import { closeSync, openSync, rmSync } from 'node:fs';
import type { DatabaseSync } from 'node:sqlite';
import { fileStamp } from '../domain/time.ts';

/**
 * Creates `base` (or `base-2`, `base-3`, … when taken) as a new empty file with mode 0600 and
 * returns its path: an existing file is never overwritten.
 */
export function createNewFile(base: string): string {
  for (let n = 1; n < 1000; n++) {
    const candidate = n === 1 ? base : `${base}-${n}`;
    try {
      closeSync(openSync(candidate, 'wx', 0o600));
      return candidate;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  throw new Error(`cannot find a free file name next to ${base}`);
}

/** A consistent copy of the database, made by SQLite itself, in a file that did not exist. */
export function writeBackup(db: DatabaseSync, dbPath: string, now: Date): string {
  const path = createNewFile(`${dbPath}.backup-${fileStamp(now)}`);
  try {
    // VACUUM INTO accepts an empty existing file, and refuses one with content.
    db.prepare('VACUUM INTO ?').run(path);
  } catch (error) {
    rmSync(path, { force: true }); // a half-written copy is no backup
    throw error;
  }
  return path;
}
