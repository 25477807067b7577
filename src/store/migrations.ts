import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import type { DatabaseSync } from 'node:sqlite';
import { DatabaseError } from '../domain/errors.ts';
import { nowIso } from '../domain/time.ts';
import { immediateTransaction } from './transaction.ts';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export interface AppliedMigration {
  version: number;
  name: string;
  checksum: string;
  appliedAt: string;
}

const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);
const FILE_NAME = /^(\d{4})_([a-z0-9_]+)\.sql$/;

let known: Migration[] | null = null;

/**
 * The migrations this program knows, in order. Read from disk so that SQL stays SQL, once a
 * process: opening a database asks three times, and each read hashed every file.
 */
export function knownMigrations(): Migration[] {
  known ??= readdirSync(MIGRATIONS_DIR)
    .filter((file) => FILE_NAME.test(file))
    .sort()
    .map((file) => {
      const [, version, name] = FILE_NAME.exec(file)!;
      const sql = readFileSync(new URL(file, MIGRATIONS_DIR), 'utf8');
      return { version: Number(version), name: name!, sql, checksum: sha256(sql) };
    });
  return [...known];
}

export function latestVersion(): number {
  return knownMigrations().at(-1)?.version ?? 0;
}

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version    INTEGER PRIMARY KEY,
  name       TEXT NOT NULL,
  checksum   TEXT NOT NULL,
  applied_at TEXT NOT NULL
) STRICT`;

export function appliedMigrations(db: DatabaseSync): AppliedMigration[] {
  const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
  if (!exists) return [];
  return db
    .prepare('SELECT version, name, checksum, applied_at AS appliedAt FROM schema_migrations ORDER BY version')
    .all() as unknown as AppliedMigration[];
}

/**
 * Refuses a database that a newer dnssync wrote, or whose applied migrations were edited,
 * before anything touches it.
 */
export function checkCompatible(db: DatabaseSync, file: string): void {
  const known = new Map(knownMigrations().map((m) => [m.version, m]));
  const newest = latestVersion();
  for (const applied of appliedMigrations(db)) {
    if (applied.version > newest) {
      throw new DatabaseError(
        `database ${file} has schema version ${applied.version}, newer than this dnssync supports (${newest}); upgrade dnssync`,
        file,
      );
    }
    if (known.get(applied.version)?.checksum !== applied.checksum) {
      throw new DatabaseError(
        `database ${file}: migration ${applied.version} (${applied.name}) was applied from a different file than this dnssync has; run 'dnssync repair --check'`,
        file,
      );
    }
  }
}

/** Applies every pending migration, each in its own transaction. Returns those applied. */
export function applyPending(db: DatabaseSync): Migration[] {
  const done: Migration[] = [];
  const applied = new Set(appliedMigrations(db).map((m) => m.version));
  // Nothing pending, nothing written: read-only commands need no write lock.
  for (const migration of knownMigrations().filter((m) => !applied.has(m.version))) {
    const appliedNow = immediateTransaction(db, () => {
      db.exec(CREATE_TABLE);
      // Checked inside the transaction: another process may have applied it meanwhile.
      if (db.prepare('SELECT 1 FROM schema_migrations WHERE version = ?').get(migration.version)) return false;
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)').run(
        migration.version,
        migration.name,
        migration.checksum,
        nowIso(),
      );
      return true;
    });
    if (appliedNow) done.push(migration);
  }
  return done;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export interface MigrationStatus {
  exists: boolean;
  schemaVersion: number;
  latestVersion: number;
  migrations: Array<{ version: number; name: string; status: 'applied' | 'pending'; appliedAt: string | null; checksum: string }>;
}

/** What is applied and what is pending, from a read-only connection (or none: a missing file). */
export function migrationStatus(db: DatabaseSync | null): MigrationStatus {
  const applied = new Map((db ? appliedMigrations(db) : []).map((m) => [m.version, m]));
  const migrations = knownMigrations().map((m) => {
    const done = applied.get(m.version);
    return {
      version: m.version,
      name: m.name,
      status: done ? ('applied' as const) : ('pending' as const),
      appliedAt: done?.appliedAt ?? null,
      checksum: m.checksum,
    };
  });
  return {
    exists: db !== null,
    schemaVersion: Math.max(0, ...applied.keys()),
    latestVersion: latestVersion(),
    migrations,
  };
}
