import { closeSync, existsSync, openSync, statSync } from '../system/fs.ts';
import { DatabaseSync, type DatabaseSyncOptions } from 'node:sqlite';
import { pathToFileURL } from 'node:url';
import { DatabaseError } from '../domain/errors.ts';
import { assertUsable, readsImmutable, reasonOf, whyNotCreatable, whyUnwritable } from './access.ts';
import { assertUndamaged, corruptError } from './damage.ts';
import { hasSqliteHeader } from './sqlite-file.ts';
import { applyPending, appliedMigrations, checkCompatible, latestVersion, type Migration } from './migrations.ts';
import { isCorruption, SQLITE_BUSY, SQLITE_CANTOPEN, SQLITE_READONLY } from './sqlite-errors.ts';

export const BUSY_TIMEOUT_MS = 5000;

export interface OpenOptions {
  /** Create the file when it does not exist (commands that write). */
  create: boolean;
  /**
   * Open read-only and write nothing (`history`, `orphans`, `migrate --status`, `sync --dry-run`):
   * a database that needs a migration is refused unless `allowPending`.
   */
  readOnly?: boolean;
  /** Read-only: open a database whose migrations are pending, to report them (`migrate --status`). */
  allowPending?: boolean;
  /** Read-only: check the file for damage as a writing open does (`sync --dry-run`, to answer as the sync would). */
  verify?: boolean;
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
  const readOnly = options.readOnly ?? false;
  assertUsable(path, !readOnly);
  const exists = existsSync(path);
  if (!exists && !options.create) {
    throw new DatabaseError(`no database at ${path} (run 'dnssync sync' to create one, or pass --db)`, path);
  }
  if (!exists) createEmptyFile(path);
  else assertSqliteHeader(path);

  const db = guard(path, () => connect(path, { readOnly }));
  try {
    const applied = guard(path, () => {
      // Everything up to the journal mode only reads: a file refused here is left byte for byte as it was.
      if (!readOnly || options.verify) assertUndamaged(db, path);
      const tables = tablesOf(db);
      if (legacyTables(tables)) throw new LegacyDatabaseMet(`${path} is a database of the legacy Python tool (unifi-dns-sync)`, path);
      assertDnssyncFile(path, tables, readOnly && !options.allowPending);
      checkCompatible(db, path);
      if (readOnly && !options.allowPending) assertNothingPending(db, path);
      if (!readOnly) db.exec('PRAGMA journal_mode = WAL');
      db.exec(CONNECTION_PRAGMAS);
      return readOnly ? [] : applyPending(db);
    });
    return { db, path, applied, close: () => db.close() };
  } catch (error) {
    db.close();
    throw error;
  }
}

// FULL: an intent must be on disk before the write request it announces goes out.
// cell_size_check: every page a statement loads is checked whole before a write changes it.
// temp_store: the statement journal of an INSERT of many rows (store/bulk-insert.ts) in
// memory; on disk it tripled the bytes an initial sync wrote (bench/apply-sql.ts: 3.5 GB
// against 0.96 GB at L).
const CONNECTION_PRAGMAS = 'PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL; PRAGMA cell_size_check = ON; PRAGMA temp_store = MEMORY';

/**
 * A second connection to a database that openStore opened, checked and migrated, for a sync's
 * bulk writes beside its main thread (store/write-thread.ts): the same settings, nothing checked
 * again, and a page cache of 2 MB: it writes and reads little (2 and 8 MB took the same time, see
 * prepareForBulkWrites), and its 8 would come on top of the run's own connection's.
 */
export function connectForBulkWrites(path: string): DatabaseSync {
  return guard(path, () => {
    const db = connect(path, { readOnly: false });
    db.exec(CONNECTION_PRAGMAS);
    prepareForBulkWrites(db, 2);
    return db;
  });
}

/**
 * A connection to `path`. A reader that SQLite could not give its -wal and -shm files (a
 * read-only directory or file) opens it immutable instead (see readsImmutable).
 */
export function connect(path: string, options: Omit<DatabaseSyncOptions, 'open'> & { readOnly: boolean }): DatabaseSync {
  const settings = { timeout: BUSY_TIMEOUT_MS, ...options };
  if (!options.readOnly || !readsImmutable(path)) return new DatabaseSync(path, settings);
  const url = pathToFileURL(path);
  url.search = 'mode=ro&immutable=1';
  return new DatabaseSync(url, settings);
}

function createEmptyFile(path: string): void {
  const why = whyNotCreatable(path);
  if (why) throw new DatabaseError(`cannot create database ${path}: ${why}`, path);
  try {
    // SQLite then creates -wal and -shm with the same mode as the database file.
    closeSync(openSync(path, 'wx', 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new DatabaseError(`cannot create database ${path}: ${reasonOf(error)}`, path);
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

/** The tables of a database, SQLite's own (sqlite_sequence, sqlite_stat1) left out. */
function tablesOf(db: DatabaseSync): Set<string> {
  const rows = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'").all() as Array<{ name: string }>;
  return new Set(rows.map((t) => t.name));
}

/** The legacy tool's tables (dns_records, sync_events) without dnssync's schema_migrations. */
export function looksLegacy(db: DatabaseSync): boolean {
  return legacyTables(tablesOf(db));
}

function legacyTables(tables: Set<string>): boolean {
  return !tables.has('schema_migrations') && tables.has('dns_records') && tables.has('sync_events');
}

/**
 * Refuses another program's SQLite file (dnssync would add its tables to it, or read tables that
 * are not there), and for a command that only reads, an empty one.
 */
function assertDnssyncFile(path: string, tables: Set<string>, reading: boolean): void {
  if (tables.has('schema_migrations')) return;
  if (tables.size > 0) {
    const names = [...tables].sort();
    const listed = names.slice(0, 5).join(', ') + (names.length > 5 ? `, and ${names.length - 5} more` : '');
    throw new DatabaseError(`${path} is not a dnssync database: it is another program's SQLite file (tables ${listed}); check --db`, path);
  }
  if (reading) throw new DatabaseError(`${path} is not a dnssync database yet: it is empty ('dnssync sync' or 'dnssync migrate' makes it one)`, path);
}

function assertNothingPending(db: DatabaseSync, path: string): void {
  const version = Math.max(0, ...appliedMigrations(db).map((m) => m.version));
  if (version < latestVersion()) {
    throw new DatabaseError(
      `database ${path} has schema version ${version}, older than this dnssync's ${latestVersion()}; this command only reads: run 'dnssync migrate --db ${path}' first`,
      path,
    );
  }
}

/**
 * For a large first run, which writes hundreds of MB: fewer, larger WAL checkpoints (the WAL file
 * is truncated back to 64 MB after each), and a page cache of 8 MB: 2, 8 and 32 MB took the same
 * time for the SQL of an initial sync at L (bench/apply-sql.ts, 6.8–7.1 s), and every MB of it is
 * resident memory.
 */
export function prepareForBulkWrites(db: DatabaseSync, cacheMb = 8): void {
  db.exec(`PRAGMA cache_size = -${cacheMb * 1024}; PRAGMA wal_autocheckpoint = 10000; PRAGMA journal_size_limit = 67108864`);
}

/** Keeps the query planner's statistics fresh as the tables grow (cheap when nothing changed). */
export function optimize(db: DatabaseSync): void {
  db.exec('PRAGMA optimize');
}

/** Turns SQLite's and the file system's low-level failures into one-line DatabaseErrors that name the file. */
export function guard<T>(path: string, work: () => T): T {
  try {
    return work();
  } catch (error) {
    throw toDatabaseError(error, path) ?? error;
  }
}

export function toDatabaseError(error: unknown, path: string): DatabaseError | undefined {
  if (error instanceof DatabaseError) return error;
  // A file system error on the database or a file beside it (-wal, -shm, a backup) names that file.
  const { syscall, path: file } = error as NodeJS.ErrnoException;
  if (syscall && typeof file === 'string' && file.startsWith(path)) return new DatabaseError(`database ${file}: ${reasonOf(error)}`, path);
  const errcode = (error as { errcode?: number }).errcode;
  if ((error as { code?: string }).code !== 'ERR_SQLITE_ERROR') return undefined;
  const message = (error as Error).message;
  if (isCorruption(error)) return corruptError(path, message);
  const primary = (errcode ?? 0) & 0xff;
  if (primary === SQLITE_BUSY) {
    return new DatabaseError(
      `database ${path} is locked by another process (waited ${BUSY_TIMEOUT_MS / 1000} s); try again when it is done`,
      path,
    );
  }
  if (primary === SQLITE_READONLY || primary === SQLITE_CANTOPEN) {
    const why = whyUnwritable(path);
    if (why) return new DatabaseError(`cannot ${primary === SQLITE_READONLY ? 'write' : 'open'} database ${path}: ${why} (${message})`, path);
  }
  return new DatabaseError(`database ${path}: ${message}`, path);
}
