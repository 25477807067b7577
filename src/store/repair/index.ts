import { closeSync, copyFileSync, existsSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { fileHeader, SQLITE_HEADER } from '../sqlite-file.ts';
import { DatabaseSync } from 'node:sqlite';
import { DatabaseError, LockHeldError } from '../../errors.ts';
import { BUSY_TIMEOUT_MS, openStore, toDatabaseError } from '../database.ts';
import { legacyShape } from '../legacy/index.ts';
import { appliedMigrations, knownMigrations, latestVersion } from '../migrations.ts';
import {
  assertNoLiveSync,
  checkForeignKeys,
  checkIntegrity,
  checkIntents,
  checkLock,
  checkRecords,
  checkSchema,
  checkUnknownSites,
  type Fixer,
  type Issue,
  type LockIdentity,
} from './checks.ts';
import { createNewFile, fileStamp, isCorruption, writeBackup } from './files.ts';
import { NotFixed, RecordFixer } from './records.ts';
import { copyReadableRows, rebuildReplicas } from './recover.ts';
import type { Finding, Outcome, Recovery, RepairReport, SchemaState, TableRecovery } from './types.ts';

export type { CheckName, Finding, Outcome, Recovery, RepairReport, SchemaState, TableRecovery } from './types.ts';
export { CHECKS } from './types.ts';

/**
 * `dnssync repair` (SPEC §6): checks a database and, unless only checking, fixes what it can
 * after writing a backup with VACUUM INTO; a database SQLite cannot read whole is copied row by
 * row into a new file instead, and the original is never changed.
 */

export interface RepairOptions extends LockIdentity {
  now?: () => Date;
}

/** Reports every problem; opens the file read-only and writes nothing to it. */
export function checkDatabase(path: string, options: RepairOptions): RepairReport {
  return examine(path, 'check', options);
}

/** Fixes what can be fixed (backup first), re-checks, and reports what was done and what remains. */
export function repairDatabase(path: string, options: RepairOptions): RepairReport {
  return examine(path, 'repair', options);
}

type Mode = RepairReport['mode'];


function examine(path: string, mode: Mode, options: RepairOptions): RepairReport {
  if (!existsSync(path)) throw new DatabaseError(`no database at ${path}; repair creates nothing (check --db)`, path);
  if (statSync(path).size === 0) {
    return { ...blank(path, mode), state: 'empty', schema: schemaOfNothing() };
  }
  if (fileHeader(path).toString('latin1') !== SQLITE_HEADER) return notSqlite(path, mode, options);

  let db: DatabaseSync;
  try {
    db = new DatabaseSync(path, { readOnly: mode === 'check', timeout: BUSY_TIMEOUT_MS, enableForeignKeyConstraints: false });
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

function blank(path: string, mode: Mode): Omit<RepairReport, 'state' | 'schema'> {
  return { database: path, mode, backup: null, recovered: null, findings: [], remaining: 0 };
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
    backup = writeBackup(db, path, now(options));
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

interface Result {
  action: string;
  fixed: boolean;
}

function findAll(db: DatabaseSync, path: string, options: RepairOptions): Issue[] | { structural: string[] } {
  const integrity = checkIntegrity(db);
  if (integrity.structural.length) return { structural: integrity.structural };
  return [
    ...integrity.issues,
    ...checkSchema(db),
    ...checkLock(db, path, options),
    ...checkForeignKeys(db),
    ...checkUnknownSites(db),
    ...checkRecords(db),
    ...checkIntents(db),
  ];
}

/** Runs each issue's fix in order, inside the caller's transaction. */
function applyFixes(db: DatabaseSync, issues: Issue[]): Map<Issue, Result> {
  const fixer: Fixer = { db, records: new RecordFixer(db) };
  const results = new Map<Issue, Result>();
  for (const issue of issues) {
    if (!issue.fix || issue.leftForSync) continue;
    try {
      results.set(issue, { action: issue.fix(fixer), fixed: true });
    } catch (error) {
      if (!(error instanceof NotFixed)) throw error;
      results.set(issue, { action: error.message, fixed: false });
    }
  }
  return results;
}

/** Re-checks after the fixes: a finding is fixed only when the check no longer finds it. */
function settle(db: DatabaseSync, path: string, options: RepairOptions, issues: Issue[], results: Map<Issue, Result>): { findings: Finding[]; remaining: number } {
  const after = findAll(db, path, options);
  const again: Issue[] =
    'structural' in after
      ? after.structural.map((message) => ({ check: 'integrity', problem: message, where: 'database file', table: null, keys: [], plan: 'run repair again' }))
      : after;
  const stillThere = new Set(again.map(keyOf));
  const findings = issues.map((issue) => {
    if (issue.leftForSync) return finding(issue, 'left-for-sync', issue.plan);
    const result = results.get(issue);
    if (!result) return finding(issue, 'not-fixed', issue.plan);
    if (result.fixed && !stillThere.has(keyOf(issue))) return finding(issue, 'fixed', result.action);
    return finding(issue, 'not-fixed', result.fixed ? `${result.action}; but the re-check still finds it` : result.action);
  });
  const before = new Set(issues.map(keyOf));
  for (const issue of again) {
    if (!issue.leftForSync && !before.has(keyOf(issue))) findings.push(finding(issue, 'not-fixed', `found by the re-check after the fixes above; ${issue.plan}`));
  }
  return { findings, remaining: findings.filter((f) => f.outcome === 'not-fixed').length };
}

function keyOf(issue: Issue): string {
  return `${issue.check}\u0000${issue.where}`;
}

function finding(issue: Issue, outcome: Outcome, action: string): Finding {
  return { check: issue.check, problem: issue.problem, where: issue.where, action, outcome, table: issue.table, keys: issue.keys };
}

function checkAction(issue: Issue): string {
  if (issue.leftForSync) return `would leave it for the next sync: ${issue.plan}`;
  if (!issue.fix) return issue.plan;
  return `would ${issue.plan}`;
}

function dataVersion(db: DatabaseSync): number {
  return (db.prepare('PRAGMA data_version').get() as { data_version: number }).data_version;
}

function now(options: RepairOptions): Date {
  return options.now?.() ?? new Date();
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

// --- a database SQLite cannot read whole ------------------------------------------------------------

function corrupt(path: string, mode: Mode, options: RepairOptions, messages: string[]): RepairReport {
  const problem = `SQLite cannot read all of it: ${messages[0]}${messages.length > 1 ? ` (and ${messages.length - 1} more)` : ''}`;
  const issue: Issue = { check: 'integrity', problem, where: 'database file', table: null, keys: [], plan: '' };
  const base = { ...blank(path, mode), state: 'corrupt' as const, schema: null };
  if (mode === 'check') {
    const action = `would copy every row it can still read into a new file ${path}.recovered-<UTC time>, leaving this file as it is`;
    return { ...base, findings: [finding(issue, 'found', action)], remaining: 1 };
  }
  refuseWhileLiveSync(path, options);
  const recovered = recoverFile(path, path, options, null);
  return { ...base, recovered, findings: [finding(issue, 'not-fixed', recoveryAction(recovered))], remaining: 1 };
}

function recoveryAction(recovered: Recovery): string {
  if (!recovered.path) return 'nothing could be recovered; this file is left as it is';
  const lost = recovered.lost === null ? 'some rows lost (see below)' : recovered.lost === 0 ? 'no row lost' : `${recovered.lost} row(s) lost (see below)`;
  return `copied ${recovered.copied} row(s) into ${recovered.path}, ${lost}; this file is left as it is`;
}

/** The lock row may still be readable: a live sync on a damaged file is left to finish first. */
function refuseWhileLiveSync(path: string, options: RepairOptions): void {
  let db: DatabaseSync | null = null;
  try {
    db = new DatabaseSync(path, { readOnly: true, timeout: BUSY_TIMEOUT_MS });
    assertNoLiveSync(db, path, options);
  } catch (error) {
    if (error instanceof LockHeldError) throw error;
  } finally {
    db?.close();
  }
}

function notSqlite(path: string, mode: Mode, options: RepairOptions): RepairReport {
  const start = fileHeader(path)
    .toString('latin1')
    .replace(/[^\x20-\x7e]/g, '.');
  const issue: Issue = {
    check: 'integrity',
    problem: `not a SQLite database (it begins with "${start}")`,
    where: 'database file',
    table: null,
    keys: [],
    plan: '',
  };
  const base = { ...blank(path, mode), state: 'not-sqlite' as const, schema: null };
  if (mode === 'check') {
    const action = 'would try to read it as a SQLite database whose header is damaged, and copy what it can into a new file';
    return { ...base, findings: [finding(issue, 'found', action)], remaining: 1 };
  }
  const recovered = recoverWithHeader(path, options);
  const action = recovered?.path ? recoveryAction(recovered) : 'nothing could be recovered: it is not a SQLite database; this file is left as it is';
  return { ...base, recovered, findings: [finding(issue, 'not-fixed', action)], remaining: 1 };
}

/** A file whose first 16 bytes (the header string) were overwritten may be readable with them restored, in a copy. */
function recoverWithHeader(path: string, options: RepairOptions): Recovery | null {
  const size = statSync(path).size;
  if (size < 512 || size % 512 !== 0) return null;
  const copy = createNewFile(`${path}.repair-source-${fileStamp(now(options))}`);
  try {
    copyFileSync(path, copy);
    const fd = openSync(copy, 'r+');
    try {
      writeSync(fd, Buffer.from(SQLITE_HEADER, 'latin1'), 0, 16, 0);
    } finally {
      closeSync(fd);
    }
    const recovered = recoverFile(copy, path, options, 'its first 16 bytes (the SQLite header) were damaged and were restored in a copy to read it');
    return recovered.path ? recovered : null;
  } finally {
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${copy}${suffix}`, { force: true });
  }
}

/**
 * Copies what `source` still holds into a new file `<db>.recovered-<time>` with dnssync's
 * schema, then checks and fixes that copy (no backup: it is new, and the damaged file is left
 * as it was). Writes no file when nothing at all can be read.
 */
function recoverFile(source: string, dbPath: string, options: RepairOptions, note: string | null): Recovery {
  const nothing: Recovery = { path: null, tables: [], copied: 0, lost: null, findings: [], instructions: note ? [note] : [] };
  let from: DatabaseSync;
  try {
    from = new DatabaseSync(source, { readOnly: true, timeout: BUSY_TIMEOUT_MS, enableForeignKeyConstraints: false });
  } catch (error) {
    if (isCorruption(error)) return nothing;
    throw error;
  }
  try {
    try {
      from.prepare('SELECT name FROM sqlite_schema').all();
    } catch (error) {
      if (isCorruption(error)) return nothing;
      throw error;
    }
    const stamp = fileStamp(now(options));
    const target = createNewFile(`${dbPath}.recovered-${stamp}`);
    let store: ReturnType<typeof openStore> | null = null;
    try {
      store = openStore(target, { create: true });
      const db = store.db;
      db.exec('PRAGMA foreign_keys = OFF');
      db.exec('BEGIN IMMEDIATE');
      let tables;
      try {
        const copy = copyReadableRows(from, db);
        tables = copy.tables;
        if (copy.missing.has('replicas')) noteReplicas(tables, rebuildReplicas(db, copy.missing.get('replicas')!));
        db.exec('COMMIT');
      } catch (error) {
        if (db.isTransaction) db.exec('ROLLBACK');
        throw error;
      }
      // The copy gets the same checks and fixes; the damaged file stays the backup.
      const found = findAll(db, target, options);
      let findings: Finding[] = [];
      if (!('structural' in found)) {
        db.exec('BEGIN IMMEDIATE');
        let results: Map<Issue, Result>;
        try {
          results = applyFixes(db, found);
          db.exec('COMMIT');
        } catch (error) {
          if (db.isTransaction) db.exec('ROLLBACK');
          throw error;
        }
        findings = settle(db, target, options, found, results).findings;
      }
      db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
      const copied = tables.reduce((n, t) => n + t.copied, 0);
      const lost = tables.some((t) => t.lost === null) ? null : tables.reduce((n, t) => n + (t.lost ?? 0), 0);
      return { path: target, tables, copied, lost, findings, instructions: [...(note ? [note] : []), ...swapInstructions(dbPath, target, stamp)] };
    } catch (error) {
      store?.close();
      store = null;
      for (const suffix of ['', '-wal', '-shm']) rmSync(`${target}${suffix}`, { force: true });
      throw error;
    } finally {
      store?.close();
    }
  } finally {
    from.close();
  }
}

function noteReplicas(tables: TableRecovery[], result: { rebuilt: number; gone: number }): void {
  const replicas = tables.find((t) => t.table === 'replicas');
  if (!replicas) return;
  const notes = [
    replicas.note,
    result.rebuilt && `${result.rebuilt} lost replica(s) rebuilt from their CREATED events, without policy id (the next sync learns it by identity)`,
    result.gone && `${result.gone} lost replica(s) had no CREATED event left: the next sync will take their policies for native ones`,
  ].filter(Boolean);
  replicas.note = notes.length ? notes.join('; ') : null;
}

function swapInstructions(dbPath: string, recovered: string, stamp: string): string[] {
  const aside = `${dbPath}.corrupt-${stamp}`;
  const lines = [
    'to use the recovered file: stop every dnssync sync (cron, CronJob), then',
    `  mv ${shell(dbPath)} ${shell(aside)}`,
    ...['-wal', '-shm'].filter((s) => existsSync(`${dbPath}${s}`)).map((s) => `  mv ${shell(`${dbPath}${s}`)} ${shell(`${aside}${s}`)}`),
    `  mv ${shell(recovered)} ${shell(dbPath)}`,
  ];
  return lines;
}

function shell(path: string): string {
  return /^[\w./@:+-]+$/.test(path) ? path : `'${path.replaceAll("'", "'\\''")}'`;
}
