import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { openStore } from '../../src/store/database.ts';
import { recordId } from '../../src/domain/record.ts';
import { runCli, type CliResult } from '../support/cli.ts';

/** A record as sync stores it: canonical columns, record_raw = the identity fields. */
export interface Rec {
  id: string;
  type: string;
  domain: string;
  target: string;
  raw: string;
}

export function rec(type: string, domain: string, target: string, fields: Record<string, unknown>): Rec {
  return { id: recordId(type, domain, target), type, domain, target, raw: JSON.stringify({ type, domain, ...fields }) };
}

export const NAS = rec('A_RECORD', 'nas.home', '10.0.0.5', { ipv4Address: '10.0.0.5' });
export const WWW = rec('CNAME_RECORD', 'www.home', 'nas.home', { targetDomain: 'nas.home' });
export const V6 = rec('AAAA_RECORD', 'v6.home', 'fd00::5', { ipv6Address: 'fd00::5' });

const T0 = '2026-01-01T00:00:00.000Z';
const T1 = '2026-01-01T00:01:00.000Z';

/**
 * A database as a couple of syncs leave it: one controller, sites 1 and 2, a finished run, records
 * with their origin at one site and a confirmed replica at the other, and their events.
 */
export function baseline(dir: string, name: string): string {
  const path = join(dir, `${name}.db`);
  const store = openStore(path, { create: true });
  const db = store.db;
  db.exec(`
    INSERT INTO controllers (host, name, url, key_fingerprint, app_version, last_contact) VALUES ('ctl.example', 'home', 'https://ctl.example', 'sha256:0123456789ab', '10.1.89', '${T1}');
    INSERT INTO sites (id, controller_host, uuid, internal_reference, name, first_seen, last_synced) VALUES
      (1, 'ctl.example', '88f7af54-98f8-306a-a1c7-c9349722b1f6', 'default', 'Default', '${T0}', '${T1}'),
      (2, 'ctl.example', '0f1e2d3c-4b5a-4697-8877-665544332211', 'branch', 'Branch', '${T0}', '${T1}');
    INSERT INTO runs (id, started_at, finished_at, mode, host, pid, user, version, policy, outcome, exit_code, sites_ok, created)
      VALUES (1, '${T0}', '${T1}', 'sync', 'box', 100, 'ops', '0.1.0', 'sync', 'success', 0, 2, 3);
  `);
  const insertRecord = db.prepare('INSERT INTO dns_records (id, type, domain, target, record_raw, first_seen) VALUES (?, ?, ?, ?, ?, ?)');
  const origin = db.prepare(`INSERT INTO record_origins (record_id, site_id, first_seen, policy_id, attributes) VALUES (?, ?, '${T0}', ?, '{"enabled":true}')`);
  const replica = db.prepare(`INSERT INTO replicas (record_id, site_id, policy_id, created_at) VALUES (?, ?, ?, '${T1}')`);
  const event = db.prepare(
    `INSERT INTO sync_events (run_id, record_id, type, domain, target, site_id, status, timestamp) VALUES (1, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const layout: Array<[Rec, number, number]> = [
    [NAS, 1, 2],
    [WWW, 2, 1],
    [V6, 1, 2],
  ];
  for (const [r, originSite, replicaSite] of layout) {
    insertRecord.run(r.id, r.type, r.domain, r.target, r.raw, T0);
    origin.run(r.id, originSite, `native-${r.domain}-${originSite}`);
    replica.run(r.id, replicaSite, `replica-${r.domain}-${replicaSite}`);
    event.run(r.id, r.type, r.domain, r.target, originSite, 'DISCOVERED', T0);
    event.run(r.id, r.type, r.domain, r.target, replicaSite, 'CREATED', T1);
  }
  store.close();
  return path;
}

/** Writes straight into the file, foreign keys off, as a bug, a crash or a hand edit would. */
export function plant(path: string, work: (db: DatabaseSync) => void): void {
  const db = new DatabaseSync(path, { enableForeignKeyConstraints: false });
  try {
    work(db);
  } finally {
    db.close();
  }
}

/**
 * Damages one entry of the sync_events domain index in place, so that it indexes a domain no row
 * has: many events first, so that the index spans several pages. Returns the events as they are.
 */
export function damageIndexEntry(path: string): Array<Record<string, unknown>> {
  plant(path, (conn) => {
    const insert = conn.prepare(
      "INSERT INTO sync_events (run_id, record_id, type, domain, target, site_id, status, timestamp) VALUES (1, ?, 'A_RECORD', 'nas.home', '10.0.0.5', 2, 'SKIPPED', ?)",
    );
    for (let i = 0; i < 600; i++) insert.run(NAS.id, `2026-01-02T00:00:${String(i % 60).padStart(2, '0')}.${String(i).padStart(3, '0')}Z`);
    conn.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  });
  const page = query<{ pageno: number }>(path, "SELECT pageno FROM dbstat WHERE name = 'sync_events_site_domain' AND pagetype = 'leaf' ORDER BY pageno LIMIT 1 OFFSET 1")[0]!.pageno;
  const bytes = readFileSync(path);
  const at = bytes.indexOf('nas.home', (page - 1) * 4096);
  assert.ok(at > 0 && at < page * 4096);
  bytes.write('NAS', at);
  writeFileSync(path, bytes);
  assert.notEqual(query<{ integrity_check: string }>(path, 'PRAGMA integrity_check')[0]!.integrity_check, 'ok');
  return query(path, 'SELECT * FROM sync_events NOT INDEXED ORDER BY id');
}

export function query<T = Record<string, unknown>>(path: string, sql: string, ...params: Array<string | number | null>): T[] {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return (db.prepare(sql).all(...params) as Array<Record<string, unknown>>).map((r) => ({ ...r })) as T[];
  } finally {
    db.close();
  }
}

/** Every row of every table (sqlite_ internals aside), sorted, for comparing whole databases. */
export function dump(path: string): Record<string, string[]> {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const tables = (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as Array<{ name: string }>).map(
      (t) => t.name,
    );
    return Object.fromEntries(tables.map((t) => [t, (db.prepare(`SELECT * FROM "${t}"`).all() as object[]).map((r) => JSON.stringify({ ...r })).sort()]));
  } finally {
    db.close();
  }
}

export function sha(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

export interface ReportJson {
  database: string;
  mode: 'check' | 'repair';
  state: string;
  schemaVersion: number | null;
  latestVersion: number | null;
  pendingMigrations: string[];
  backup: string | null;
  recovered: null | {
    path: string | null;
    copied: number;
    lost: number | null;
    tables: Array<{ table: string; copied: number; lost: number | null; lostAtMost: number | null; lostRows: string; rejected: number; unreadable: boolean; note: string | null }>;
    findings: FindingJson[];
    instructions: string[];
  };
  findings: FindingJson[];
  remaining: number;
}

export interface FindingJson {
  check: string;
  problem: string;
  where: string;
  action: string;
  fixed: boolean;
  outcome: 'found' | 'fixed' | 'left-for-sync' | 'not-fixed';
  table: string | null;
  keys: unknown[];
}

export async function repair(db: string, ...args: string[]): Promise<CliResult & { report: ReportJson }> {
  const result = await runCli(['repair', '--json', ...args, '--db', db]);
  let report: ReportJson;
  try {
    report = JSON.parse(result.stdout) as ReportJson;
  } catch {
    assert.fail(`repair ${args.join(' ')} printed no JSON document (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
  return { ...result, report };
}

/** `repair --check`: exit 1, the check named, and the file byte for byte as it was. */
export async function checkFinds(db: string, check: string): Promise<ReportJson> {
  const before = sha(db);
  const result = await repair(db, '--check');
  assert.equal(result.code, 1, result.stderr);
  assert.equal(result.report.mode, 'check');
  assert.ok(
    result.report.findings.some((f) => f.check === check && f.outcome === 'found'),
    `--check names ${check}: ${JSON.stringify(result.report.findings, null, 2)}`,
  );
  assert.equal(result.report.backup, null);
  assert.equal(sha(db), before, '--check leaves the file byte for byte as it was');
  return result.report;
}

/**
 * `repair`: exit 0, the backup written first (a new 0600 file, listed, holding exactly the
 * pre-repair rows), every finding of `check` fixed. Returns the report and the pre-repair dump.
 */
export async function repairFixes(
  db: string,
  check: string,
  expectedCode = 0,
  untouched: string[] = [],
): Promise<{ report: ReportJson; before: Record<string, string[]> }> {
  const before = dump(db);
  const result = await repair(db);
  assert.equal(result.code, expectedCode, `${result.stderr}\n${JSON.stringify(result.report.findings, null, 2)}`);
  const { report } = result;
  assert.ok(report.backup, 'a backup is listed');
  assert.match(report.backup!, new RegExp(`^${escape(db)}\\.backup-\\d{8}T\\d{6}Z(-\\d+)?$`));
  assert.ok(existsSync(report.backup!));
  assert.equal(statSync(report.backup!).mode & 0o777, 0o600, 'the backup is as private as the database');
  assert.deepEqual(dump(report.backup!), before, 'the backup is a readable SQLite copy of the pre-repair state');
  const ours = report.findings.filter((f) => f.check === check);
  assert.ok(ours.length > 0, `repair names ${check}`);
  if (expectedCode === 0) for (const f of ours) assert.ok(f.outcome === 'fixed' || f.outcome === 'left-for-sync', `${f.problem}: ${f.outcome} (${f.action})`);
  const after = dump(db);
  for (const table of untouched) assert.deepEqual(after[table], before[table], `${table} is untouched`);
  return { report, before };
}

/** A clean `repair --check` afterwards. */
export async function clean(db: string): Promise<void> {
  const result = await repair(db, '--check');
  assert.equal(result.code, 0, JSON.stringify(result.report.findings, null, 2));
  assert.deepEqual(result.report.findings, []);
}

/** The rows of `table` in a dump, parsed. */
export function rows<T = Record<string, unknown>>(d: Record<string, string[]>, table: string): T[] {
  return (d[table] ?? []).map((r) => JSON.parse(r) as T);
}

export function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The pid of a process that has just exited (so none runs with it). */
export function deadPid(): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', () => resolve(child.pid!));
  });
}
