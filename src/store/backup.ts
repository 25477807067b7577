/**
 * Files written beside a database (backups, recovered copies): each a new file of mode 0600, since
 * it holds what the database holds (the legacy tool's plain-text API keys among it), and never
 * one that exists already.
 */
import { closeSync, openSync, rmSync } from '../system/fs.ts';
import type { DatabaseSync } from 'node:sqlite';

/** A backup copy that could not be written; `path` is the file it was for, `cause` what failed. */
export class BackupError extends Error {
  override name = 'BackupError';
  readonly path: string;

  constructor(path: string, cause: unknown) {
    super(`cannot write the backup copy ${path} (${(cause as Error)?.message ?? String(cause)})`, { cause });
    this.path = path;
  }
}

/** Creates `base`, or `base-2`, `base-3`, … when taken, as a new empty file; returns its path. */
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

/**
 * A consistent copy of `db` made by SQLite itself (VACUUM INTO) in a file created here as
 * `base` or `base-N`; returns its path. Throws BackupError, leaving no half-written copy behind.
 */
export function writeBackup(db: DatabaseSync, base: string): string {
  let path: string;
  try {
    path = createNewFile(base);
  } catch (error) {
    throw new BackupError(base, error);
  }
  try {
    // VACUUM INTO accepts an empty existing file, and refuses one with content.
    db.prepare('VACUUM INTO ?').run(path);
  } catch (error) {
    rmSync(path, { force: true }); // a half-written copy is no backup
    throw new BackupError(path, error);
  }
  return path;
}
