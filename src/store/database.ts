import { closeSync, existsSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { DatabaseError } from '../domain/errors.ts';
import { hasSqliteHeader } from './sqlite-file.ts';
import { convertInPlace, refuseLegacy, type LegacySummary } from '../legacy/index.ts';
import { applyPending, checkCompatible, type Migration } from './migrations.ts';
import { SQLITE_BUSY, SQLITE_CORRUPT, SQLITE_NOTADB } from './sqlite-errors.ts';

export const BUSY_TIMEOUT_MS = 5000;

export interface OpenOptions {
  /** Create the file when it does not exist (commands that write). */
  create: boolean;
  /** Open read-only and apply no migration (`migrate --status`, `repair --check`). */
  readOnly?: boolean;
}

export interface Store {
  db: DatabaseSync;
  path: string;
  /** Migrations applied while opening, for commands that report them. */
  applied: Migration[];
  /**
   * Set when opening converted a legacy database (unifi-dns-sync) in place: what it did, for the
   * command to print (`migrate`) or log (`logLegacySummary` from ./legacy/index.ts).
   */
  legacy: LegacySummary | null;
  close(): void;
}

/**
 * Opens (or creates, mode 0600) a dnssync database: WAL, foreign keys, busy timeout, pending
 * migrations applied. Refuses, with exit 1 and the file named, anything it cannot safely use.
 * A legacy database (the Python tool's) is converted in place after a backup copy is written
 * beside it, on a writing open; a read-only open refuses it and leaves it untouched.
 */
export function openStore(path: string, options: OpenOptions): Store {
  const exists = existsSync(path);
  if (!exists && !options.create) {
    throw new DatabaseError(`no database at ${path} (run 'dnssync sync' to create one, or pass --db)`, path);
  }
  if (!exists) createEmptyFile(path);
  else assertSqliteHeader(path);

  const db = guard(path, () => new DatabaseSync(path, { readOnly: options.readOnly ?? false, timeout: BUSY_TIMEOUT_MS }));
  try {
    const { applied, legacy } = guard(path, () => {
      // Checked before anything writes, so a file we refuse is left byte for byte as it was.
      const converted = handleLegacy(db, path, options);
      checkCompatible(db, path);
      if (!options.readOnly) db.exec('PRAGMA journal_mode = WAL');
      // FULL: an intent must be on disk before the write request it announces goes out.
      db.exec('PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL');
      const pending = options.readOnly ? [] : applyPending(db);
      return { applied: [...(converted?.migrations ?? []), ...pending], legacy: converted?.summary ?? null };
    });
    return { db, path, applied, legacy, close: () => db.close() };
  } catch (error) {
    db.close();
    throw error;
  }
}

function createEmptyFile(path: string): void {
  if (!existsSync(dirname(path))) {
    throw new DatabaseError(`cannot create database ${path}: directory ${dirname(path)} does not exist`, path);
  }
  try {
    // SQLite then creates -wal and -shm with the same mode as the database file.
    closeSync(openSync(path, 'wx', 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new DatabaseError(`cannot create database ${path}: ${(error as Error).message}`, path);
    }
  }
}

function assertSqliteHeader(path: string): void {
  if (statSync(path).size === 0) return; // an empty file is a valid empty database
  if (!hasSqliteHeader(path)) {
    throw new DatabaseError(
      `${path} is not a SQLite database; check --db, or if it is a damaged dnssync database run 'dnssync repair --db ${path}'`,
      path,
    );
  }
}

/**
 * A legacy database: refused by a read-only open (converting writes), converted in place by a
 * writing one (backup first, one transaction; see ./legacy/index.ts). Anything else: nothing.
 */
function handleLegacy(db: DatabaseSync, path: string, options: OpenOptions): ReturnType<typeof convertInPlace> {
  if (options.readOnly) {
    refuseLegacy(db, path);
    return null;
  }
  return convertInPlace(db, path);
}

/** Turns SQLite's low-level failures into one-line DatabaseErrors that name the file. */
export function guard<T>(path: string, work: () => T): T {
  try {
    return work();
  } catch (error) {
    throw toDatabaseError(error, path) ?? error;
  }
}

export function toDatabaseError(error: unknown, path: string): DatabaseError | undefined {
  const errcode = (error as { errcode?: number }).errcode;
  if ((error as { code?: string }).code !== 'ERR_SQLITE_ERROR') return undefined;
  const primary = (errcode ?? 0) & 0xff;
  if (primary === SQLITE_CORRUPT || primary === SQLITE_NOTADB) {
    return new DatabaseError(
      `database ${path} is corrupt (${(error as Error).message}); run 'dnssync repair --db ${path}' to recover what can be recovered`,
      path,
    );
  }
  if (primary === SQLITE_BUSY) {
    return new DatabaseError(
      `database ${path} is locked by another process (waited ${BUSY_TIMEOUT_MS / 1000} s); try again when it is done`,
      path,
    );
  }
  return new DatabaseError(`database ${path}: ${(error as Error).message}`, path);
}
