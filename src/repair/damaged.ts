import { closeSync, copyFileSync, existsSync, openSync, rmSync, statSync, writeSync } from '../system/fs.ts';
import { DatabaseSync } from 'node:sqlite';
import { LockHeldError } from '../domain/errors.ts';
import { fileStamp } from '../domain/time.ts';
import { createNewFile } from '../store/backup.ts';
import { BUSY_TIMEOUT_MS, openStore } from '../store/database.ts';
import { SQLITE_HEADER, fileHeader } from '../store/sqlite-file.ts';
import { isCorruption } from '../store/sqlite-errors.ts';
import { assertNoLiveSync } from './checks/crash.ts';
import type { Issue } from './checks/issue.ts';
import type { RepairOptions } from './types.ts';
import { copyReadableRows, rebuildReplicas } from './recover.ts';
import { applyFixes, blank, finding, findAll, now, settle, type Mode, type Result } from './run.ts';
import type { Finding, Recovery, RepairReport, TableRecovery } from './types.ts';

// --- a database SQLite cannot read whole ------------------------------------------------------------

/**
 * A file SQLite cannot read whole, or whose header says it is no SQLite database: repair copies
 * what it can still read into a new file and checks that copy; the file itself is left as it is.
 */

export function corrupt(path: string, mode: Mode, options: RepairOptions, messages: string[]): RepairReport {
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

export function notSqlite(path: string, mode: Mode, options: RepairOptions): RepairReport {
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
