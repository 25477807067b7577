import { existsSync, rmSync, statSync } from '../system/fs.ts';
import { DatabaseSync } from 'node:sqlite';
import { DatabaseError } from '../domain/errors.ts';
import { fileStamp } from '../domain/time.ts';
import { BackupError, writeBackup } from '../store/backup.ts';
import { tablesOf } from '../store/catalog.ts';
import { connect, toDatabaseError } from '../store/database.ts';
import { dataVersion } from '../store/data-version.ts';
import { fileHeader, SQLITE_HEADER } from '../store/sqlite-file.ts';
import { isCorruption } from '../store/sqlite-errors.ts';
import { legacyShape } from '../legacy/index.ts';
import { appliedMigrations, knownMigrations, latestVersion } from '../store/migrations.ts';
import { ReplicaRepository } from '../store/replicas.ts';
import { assertNoLiveSync } from './checks/crash.ts';
import type { Issue } from './checks/issue.ts';
import { corrupt, notSqlite } from './damaged.ts';
import { applyFixes, blank, finding, findAll, now, settle, type Mode, type Result } from './run.ts';
import type { RepairOptions, RepairReport, SchemaState } from './types.ts';

export type { Finding, RepairOptions, RepairReport } from './types.ts';

/**
 * `dnssync repair` (SPEC §6): checks a database and, unless only checking, fixes what it can
 * after writing a backup with VACUUM INTO; a database SQLite cannot read whole is copied row by
 * row into a new file instead, and the original is never changed.
 */

/** Reports every problem; opens the file read-only and writes nothing to it. */
export function checkDatabase(path: string, options: RepairOptions): RepairReport {
  return examine(path, 'check', options);
}

/** Fixes what can be fixed (backup first), re-checks, and reports what was done and what remains. */
export function repairDatabase(path: string, options: RepairOptions): RepairReport {
  return examine(path, 'repair', options);
}

function examine(path: string, mode: Mode, options: RepairOptions): RepairReport {
  if (!existsSync(path)) throw new DatabaseError(`no database at ${path}; repair creates nothing (check --db)`, path);
  if (statSync(path).size === 0) {
    return { ...blank(path, mode), state: 'empty', schema: schemaOfNothing() };
  }
  if (fileHeader(path).toString('latin1') !== SQLITE_HEADER) return notSqlite(path, mode, options);

  let db: DatabaseSync;
  try {
    db = connect(path, { readOnly: mode === 'check', enableForeignKeyConstraints: false });
  } catch (error) {
    if (isCorruption(error)) return corrupt(path, mode, options, [(error as Error).message]);
    throw toDatabaseError(error, path) ?? error;
  }
  let outcome: RepairReport | { structural: string[] };
  try {
    outcome = examineOpen(db, path, mode, options);
  } catch (error) {
    if (!isCorruption(error)) throw toDatabaseError(error, path) ?? error;
    outcome = { structural: [(error as Error).message] };
  } finally {
    db.close();
  }
  return 'structural' in outcome ? corrupt(path, mode, options, outcome.structural) : outcome;
}

function examineOpen(db: DatabaseSync, path: string, mode: Mode, options: RepairOptions): RepairReport | { structural: string[] } {
  const shape = legacyShape(db);
  if (shape.kind !== 'none') return legacy(path, mode, shape.kind === 'incomplete' ? shape.missing : []);
  const schema = schemaState(db, path);
  assertNoLiveSync(db, path, options);

  let version = dataVersion(db);
  let found = findAll(db, path, options);
  if ('structural' in found) return found;
  if (mode === 'check') {
    const findings = found.map((issue) => finding(issue, 'found', checkAction(issue)));
    return { ...blank(path, mode), state: 'database', schema, findings, remaining: findings.length };
  }

  let backup: string | null = null;
  let results = new Map<Issue, Result>();
  for (let attempt = 1; found.some((issue) => issue.fix && !issue.leftForSync); attempt++) {
    if (attempt > 3) throw new DatabaseError(`database ${path} kept changing while repair prepared its backup; is a sync running?`, path);
    // The backup first, of exactly the state the fixes start from: nothing may commit between the
    // checks and the write lock (data_version tells), or it is all done again.
    backup = backupCopy(db, path, now(options));
    db.exec('BEGIN IMMEDIATE');
    try {
      if (dataVersion(db) !== version) {
        db.exec('ROLLBACK');
        rmSync(backup, { force: true });
        backup = null;
        version = dataVersion(db);
        const again = findAll(db, path, options);
        if ('structural' in again) return again;
        found = again;
        continue;
      }
      assertNoLiveSync(db, path, options);
      // A batch of creates a killed sync left becomes pending replica rows first, as the next sync
      // would make them: the form the fixes (a record re-keyed among them) know how to carry along.
      if (tablesOf(db).has('create_intents')) new ReplicaRepository(db).pendFromBatches(now(options).toISOString());
      results = applyFixes(db, found);
      db.exec('COMMIT');
      break;
    } catch (error) {
      if (db.isTransaction) db.exec('ROLLBACK');
      // Nothing was changed: a backup of an unchanged database is only clutter.
      if (backup) rmSync(backup, { force: true });
      throw error;
    }
  }
  const { findings, remaining } = settle(db, path, options, found, results);
  return { ...blank(path, mode), state: 'database', schema, backup, findings, remaining };
}

function checkAction(issue: Issue): string {
  if (issue.leftForSync) return `would leave it for the next sync: ${issue.plan}`;
  if (!issue.fix) return issue.plan;
  return `would ${issue.plan}`;
}

/** `<path>.backup-<UTC timestamp>`, the state the fixes start from. */
function backupCopy(db: DatabaseSync, path: string, at: Date): string {
  try {
    return writeBackup(db, `${path}.backup-${fileStamp(at)}`);
  } catch (error) {
    // Said as any other failure of repair: SQLite's (a lock, a full disk) name the database.
    throw error instanceof BackupError ? error.cause : error;
  }
}

// --- schema version ------------------------------------------------------------------------------

function schemaState(db: DatabaseSync, path: string): SchemaState {
  const applied = new Set(appliedMigrations(db).map((m) => m.version));
  const version = Math.max(0, ...applied);
  const latest = latestVersion();
  if (version > latest) {
    throw new DatabaseError(`database ${path} has schema version ${version}, newer than this dnssync supports (${latest}); upgrade dnssync`, path);
  }
  const pending = knownMigrations()
    .filter((m) => !applied.has(m.version))
    .map((m) => `${String(m.version).padStart(4, '0')} ${m.name}`);
  return { version, latest, pending };
}

function schemaOfNothing(): SchemaState {
  return { version: 0, latest: latestVersion(), pending: knownMigrations().map((m) => `${String(m.version).padStart(4, '0')} ${m.name}`) };
}

/** The legacy tool's database is not repair's to change: `migrate` converts it (repairing its defects), after a backup. */
function legacy(path: string, mode: Mode, missing: string[]): RepairReport {
  const issue: Issue = {
    check: 'schema',
    problem: missing.length
      ? `looks like a database of the legacy Python tool (unifi-dns-sync) but lacks ${missing.join(', ')}`
      : 'a database of the legacy Python tool (unifi-dns-sync), not converted yet',
    where: 'database file',
    table: null,
    keys: [],
    plan: missing.length
      ? 'left as it is: it cannot be converted without those'
      : `left as it is: run 'dnssync migrate --db ${path}' to convert it (a backup copy is written beside it first)`,
  };
  return { ...blank(path, mode), state: 'legacy', schema: null, findings: [finding(issue, mode === 'check' ? 'found' : 'not-fixed', issue.plan)], remaining: 1 };
}
