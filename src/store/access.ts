import { accessSync, constants, existsSync, statSync, type Stats } from '../system/fs.ts';
import { dirname } from 'node:path';
import { DatabaseError } from '../domain/errors.ts';

/**
 * What the file system lets this process do with a database path, asked before SQLite is: its
 * own errors ("unable to open database file", EISDIR) do not say which path or why.
 */

/** Refuses, naming the path, a database this process cannot read, or write when `write`. Absent: nothing to say. */
export function assertUsable(path: string, write: boolean): void {
  const stat = statOf(path);
  if (!stat) return;
  if (stat.isDirectory()) throw new DatabaseError(`${path} is a directory, not a database file; pass --db with the path of a file`, path);
  if (!stat.isFile()) throw new DatabaseError(`${path} is not a regular file, so it cannot be a database; check --db`, path);
  const unreadable = denied(path, constants.R_OK);
  if (unreadable) throw new DatabaseError(`cannot read database ${path}: ${unreadable}`, path);
  if (!write) return;
  const why = whyUnwritable(path);
  if (why) throw new DatabaseError(`cannot write database ${path}: ${why}; this command writes (sync --dry-run, history, orphans and repair --check only read)`, path);
}

/** Why this process cannot write the database and the files SQLite keeps beside it; null when it can. */
export function whyUnwritable(path: string): string | null {
  const file = denied(path, constants.W_OK);
  if (file) return `the file: ${file}`;
  // A WAL database needs <db>-wal and <db>-shm beside it; SQLite creates them on first use.
  if (existsSync(`${path}-wal`) && existsSync(`${path}-shm`)) return null;
  const folder = denied(dirname(path), constants.W_OK);
  return folder && `its directory ${dirname(path)}: ${folder} (SQLite creates ${path}-wal and -shm there)`;
}

/**
 * Whether a reader must open the file immutable: SQLite would otherwise create -wal and -shm
 * beside it, which it cannot in a read-only directory, and must not beside a file it may not
 * write (a -shm made with the reader's owner and mode stops the next sync from writing). With
 * no -wal there is nothing uncheckpointed to read, and a writer could only be another user.
 */
export function readsImmutable(path: string): boolean {
  if (existsSync(`${path}-wal`) || existsSync(`${path}-journal`)) return false;
  return whyUnwritable(path) !== null;
}

/** Why `path` cannot be created: its directory is missing or not writable; null when it can. */
export function whyNotCreatable(path: string): string | null {
  const folder = dirname(path);
  const stat = statOf(folder);
  if (!stat) return `directory ${folder} does not exist`;
  if (!stat.isDirectory()) return `${folder} is not a directory`;
  const why = denied(folder, constants.W_OK);
  return why && `directory ${folder}: ${why}`;
}

/** A file system error in words, for messages that already name the path. */
export function reasonOf(error: unknown): string {
  switch ((error as NodeJS.ErrnoException).code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'read-only file system';
    case 'ENOTDIR':
      return 'a component of the path is not a directory';
    case 'ENOSPC':
      return 'no space left on the device';
    case 'EISDIR':
      return 'it is a directory';
    default:
      return (error as Error).message;
  }
}

function statOf(path: string): Stats | null {
  try {
    return statSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new DatabaseError(`cannot reach ${path}: ${reasonOf(error)}`, path);
  }
}

function denied(path: string, mode: number): string | null {
  try {
    accessSync(path, mode);
    return null;
  } catch (error) {
    return reasonOf(error);
  }
}
