import { readdirSync, readFileSync } from '../system/fs.ts';
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

/**
 * The sha256 of each migration file, as schema_migrations records it, written out so that opening
 * a database need not load node:crypto (6 ms of every command's start-up, issue 13).
 * test/store/migrations.test.ts checks each against its file.
 */
const CHECKSUMS: Readonly<Record<string, string>> = {
  '0001_initial.sql': 'fb84280058e8db31d0117aa6212525c1857f197064049307e46e2f588904e193',
  '0002_site_first_events.sql': '7e5c45578c8ce460ec7e9ba8aa820735f55c6378e75ed0ca0d0c8e6afa3cead5',
  '0003_refusals.sql': '23581d5b841236ef86f94327e8b3e0adac4fd0467e12842fe27d2101071939eb',
  '0004_planned_counts.sql': 'd18972561e0b49017f75d9bc5164564330e2442adbdb2918b2b4ade6ddcf2fc5',
  '0005_legacy_evidence.sql': '7b6482fc9af61f5d61913950df7981f43b2c6b40e30c34036382c341aa6ae3e7',
  '0006_create_intents.sql': '43b0725740dba4970d5e5b3130f26cdc960019aff599654e08e4017007a75d71',
  '0007_partial_status_index.sql': 'c4882a4d9146121820285e1ff1b1b07b005756e1bc50002a060f969fbaf58c68',
  '0008_in_step.sql': '9c2f294a38681f4cd2154c01c024bf1d7ad0d9bc561a147d5c1e7e567107d785',
  '0009_run_event_ids.sql': '40e7d5fe945a2c352c12d2bc2cadd2c8238c8cb87d4c45c20e92026d6491dcf7',
};

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
      const checksum = CHECKSUMS[file];
      // A developer's slip, met by every test: a new migration needs its line in CHECKSUMS.
      if (!checksum) {
        const sha256 = process.getBuiltinModule('node:crypto').createHash('sha256').update(sql).digest('hex');
        throw new Error(`migration ${file} has no checksum in CHECKSUMS (src/store/migrations.ts): add '${file}': '${sha256}'`);
      }
      return { version: Number(version), name: name!, sql, checksum };
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
