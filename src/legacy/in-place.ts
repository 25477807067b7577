/**
 * A database file of the legacy tool converted in place, after a backup copy is written beside it
 * (SPEC §5), in one transaction.
 */
import { chmodSync, existsSync, unlinkSync } from '../system/fs.ts';
import { DatabaseSync } from 'node:sqlite';
import { DatabaseError } from '../domain/errors.ts';
import { fileStamp } from '../domain/time.ts';
import { BackupError, writeBackup } from '../store/backup.ts';
import { dataVersion } from '../store/data-version.ts';
import { applyPending, knownMigrations, type Migration } from '../store/migrations.ts';
import { isBusy } from '../store/sqlite-errors.ts';
import { convertLegacy } from './convert.ts';
import { readLegacy } from './read.ts';
import { incomplete } from './refuse.ts';
import { LEGACY_TABLES, legacyShape } from './shape.ts';
import { summaryWarnings, type LegacySummary } from './summary.ts';
import { writeConversion } from './write.ts';

export interface InPlaceResult {
  summary: LegacySummary;
  /** The migrations applied to build the new schema (all of them). */
  migrations: Migration[];
}

export interface InPlaceOptions {
  now?: () => Date;
  /** Tests only: runs inside the conversion's transaction, just before COMMIT. */
  beforeCommit?: () => void;
}

const ATTEMPTS = 3;

/**
 * For a writing open: when `db` is a legacy database, writes the backup copy
 * `<path>.legacy-<UTC timestamp>` (mode 0600, never over an existing file), then converts the file
 * in one transaction: a crash or an error leaves it as it was. Returns null for any other database.
 * Freed pages are zeroed and the file vacuumed, so the plain-text keys are gone from it.
 */
export function convertInPlace(db: DatabaseSync, path: string, options: InPlaceOptions = {}): InPlaceResult | null {
  const first = legacyShape(db);
  if (first.kind === 'none') return null;
  if (first.kind === 'incomplete') throw incomplete(path, first);

  for (let attempt = 1; ; attempt++) {
    const now = options.now?.() ?? new Date();
    const at = now.toISOString();
    const versionBefore = dataVersion(db);
    const backup = backupCopy(db, path, now);
    const secureDelete = (db.prepare('PRAGMA secure_delete').get() as { secure_delete: number }).secure_delete;
    db.exec('PRAGMA secure_delete = ON');
    let outcome: InPlaceResult | 'retry' | 'converted-elsewhere';
    try {
      db.exec('BEGIN IMMEDIATE');
      outcome = convertLocked(db, path, backup, at, versionBefore, attempt, options);
      if (typeof outcome === 'object') db.exec('COMMIT');
      else db.exec('ROLLBACK');
    } catch (error) {
      if (db.isTransaction) db.exec('ROLLBACK');
      removeQuietly(backup);
      if (isBusy(error) || error instanceof DatabaseError) throw error;
      throw new DatabaseError(
        `cannot convert the legacy database ${path} (${(error as Error).message}); it was left as it was`,
        path,
      );
    } finally {
      db.exec(`PRAGMA secure_delete = ${secureDelete}`);
    }
    if (outcome === 'retry' || outcome === 'converted-elsewhere') {
      removeQuietly(backup);
      if (outcome === 'converted-elsewhere') return null;
      continue;
    }
    compact(db, outcome.summary);
    restrictMode(path, outcome.summary);
    return outcome;
  }
}

function convertLocked(
  db: DatabaseSync,
  path: string,
  backup: string,
  at: string,
  versionBefore: number,
  attempt: number,
  options: InPlaceOptions,
): InPlaceResult | 'retry' | 'converted-elsewhere' {
  // Another process may have converted it, or written to it, since we looked.
  const shape = legacyShape(db);
  if (shape.kind === 'none') return 'converted-elsewhere';
  if (shape.kind === 'incomplete') throw incomplete(path, shape);
  if (dataVersion(db) !== versionBefore) {
    if (attempt < ATTEMPTS) return 'retry';
    throw new DatabaseError(`the legacy database ${path} keeps changing (is the legacy tool still running?); stop it and try again`, path);
  }
  const conversion = convertLegacy(readLegacy(db, shape), at);
  // Children first: foreign keys are enforced, and the legacy rows may not satisfy them.
  for (const table of [...LEGACY_TABLES].reverse()) db.exec(`DROP TABLE "${table}"`);
  const migrations = createSchema(db, at);
  const written = writeConversion(db, conversion);
  options.beforeCommit?.();
  const partial = {
    mode: 'in-place' as const,
    database: path,
    source: path,
    backup,
    at,
    ...written,
    repaired: conversion.repairs,
    notImported: conversion.notImported,
  };
  return { summary: { ...partial, warnings: summaryWarnings(partial) }, migrations };
}

/**
 * Builds the current schema inside the caller's transaction, exactly as `applyPending` does on a
 * new file (which cannot run here: it opens a transaction per migration).
 */
function createSchema(db: DatabaseSync, at: string): Migration[] {
  db.exec(schemaMigrationsTable());
  const insert = db.prepare('INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)');
  const migrations = knownMigrations();
  for (const migration of migrations) {
    db.exec(migration.sql);
    insert.run(migration.version, migration.name, migration.checksum, at);
  }
  return migrations;
}

let schemaMigrationsDdl: string | undefined;

/** The DDL of `schema_migrations` as migrations.ts writes it, read back from a scratch database. */
function schemaMigrationsTable(): string {
  if (schemaMigrationsDdl === undefined) {
    const scratch = new DatabaseSync(':memory:');
    try {
      applyPending(scratch);
      const row = scratch.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get() as { sql: string };
      schemaMigrationsDdl = row.sql;
    } finally {
      scratch.close();
    }
  }
  return schemaMigrationsDdl;
}

/** `<path>.legacy-<UTC timestamp>`, written before anything changes: the way back if the conversion is wrong. */
function backupCopy(db: DatabaseSync, path: string, now: Date): string {
  try {
    return writeBackup(db, `${path}.legacy-${fileStamp(now)}`);
  } catch (error) {
    if (!(error instanceof BackupError)) throw error;
    // A lock held elsewhere is said as for any other step (the database names it), not as a backup fault.
    if (isBusy(error.cause)) throw error.cause;
    throw new DatabaseError(`${error.message}; the legacy database ${path} was not converted`, path);
  }
}

/** Rebuilds the file so no page of the dropped legacy tables (and their keys) survives in it. */
function compact(db: DatabaseSync, summary: LegacySummary): void {
  try {
    db.exec('VACUUM');
    const mode = (db.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode;
    if (mode === 'wal') db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  } catch (error) {
    // Converted all the same; the freed pages were zeroed (secure_delete) before the commit.
    summary.warnings.push(`could not VACUUM ${summary.database} after the conversion (${(error as Error).message}); run 'dnssync repair' later to compact it`);
  }
}

/**
 * The legacy tool created its file with the process umask (0644 usually): world-readable. dnssync's
 * files are 0600 (README, Storage), the converted one too, with its journal files.
 */
function restrictMode(path: string, summary: LegacySummary): void {
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    try {
      if (existsSync(file)) chmodSync(file, 0o600);
    } catch (error) {
      summary.warnings.push(`could not make ${file} readable by its owner only (${(error as Error).message}); run chmod 600 on it`);
    }
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
