import { closeSync, existsSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { DatabaseError } from '../domain/errors.ts';
import { hasSqliteHeader } from './sqlite-file.ts';
import { applyPending, checkCompatible, type Migration } from './migrations.ts';
import { SQLITE_BUSY, SQLITE_CORRUPT, SQLITE_NOTADB } from './sqlite-errors.ts';

export const BUSY_TIMEOUT_MS = 5000;

export interface OpenOptions {
  /** Create the file when it does not exist (commands that write). */
  create: boolean;
  /** Open read-only and apply no migration (`migrate --status`, `repair --check`). */
  readOnly?: boolean;
}

/**
 * Met a database of the legacy Python tool (unifi-dns-sync). The store does not convert it: the
 * caller loads the conversion (src/legacy/) only then, converts or refuses, and opens again.
 */
export class LegacyDatabaseMet extends DatabaseError {
  override name = 'LegacyDatabaseMet';
}

export interface Store {
  db: DatabaseSync;
  path: string;
  /** Migrations applied while opening, for commands that report them. */
  applied: Migration[];
  close(): void;
}

/**
 * Opens (or creates, mode 0600) a dnssync database: WAL, foreign keys, busy timeout, pending
 * migrations applied. Refuses, with exit 1 and the file named, anything it cannot safely use,
 * leaving it byte for byte as it was; a legacy database is LegacyDatabaseMet.
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
    const applied = guard(path, () => {
      // Checked before anything writes, so a file we refuse is left byte for byte as it was.
      if (looksLegacy(db)) throw new LegacyDatabaseMet(`${path} is a database of the legacy Python tool (unifi-dns-sync)`, path);
      checkCompatible(db, path);
      if (!options.readOnly) db.exec('PRAGMA journal_mode = WAL');
      // FULL: an intent must be on disk before the write request it announces goes out.
      db.exec('PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL');
      return options.readOnly ? [] : applyPending(db);
    });
    return { db, path, applied, close: () => db.close() };
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

/** The legacy tool's tables (dns_records, sync_events) without dnssync's schema_migrations. */
export function looksLegacy(db: DatabaseSync): boolean {
  const tables = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map((t) => t.name));
  return !tables.has('schema_migrations') && tables.has('dns_records') && tables.has('sync_events');
}

/**
 * For a large first run, which writes hundreds of MB: a bigger page cache for the hot index
 * pages, and fewer, larger WAL checkpoints (the WAL file is truncated back to 64 MB after each).
 */
export function prepareForBulkWrites(db: DatabaseSync): void {
  db.exec('PRAGMA cache_size = -32768; PRAGMA wal_autocheckpoint = 10000; PRAGMA journal_size_limit = 67108864');
}

/** Keeps the query planner's statistics fresh as the tables grow (cheap when nothing changed). */
export function optimize(db: DatabaseSync): void {
  db.exec('PRAGMA optimize');
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
