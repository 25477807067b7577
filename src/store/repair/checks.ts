import { DatabaseSync, type SQLOutputValue } from 'node:sqlite';
import { LockHeldError } from '../../errors.ts';
import { LOCK_STALE_MS, SyncLock, type LockHolder, type LockOptions } from '../lock.ts';
import { appliedMigrations, knownMigrations } from '../migrations.ts';
import { canonicalOf, canonicalRaw, describeRecord, isLegacyTarget, sameJson, short, text, type Canonical, type RecordRow } from './identity.ts';
import { evidenceFor, idMismatch, NotFixed, restoreRecord, type RecordFixer } from './records.ts';
import type { CheckName, Key } from './types.ts';

/**
 * The checks of `dnssync repair` (SPEC §6) as plain functions over a connection. Each finds
 * issues; an issue knows what repair would do about it and, when it can be fixed here, how.
 * Fixes run inside the caller's BEGIN IMMEDIATE transaction, with foreign keys off.
 */

export interface Issue {
  check: CheckName;
  problem: string;
  where: string;
  table: string | null;
  keys: Key[];
  /** What repair does about it, or why it cannot. */
  plan: string;
  /** Safe as it is: the next sync resolves it (crash intents it alone can settle). */
  leftForSync?: boolean;
  /** Makes the fix and says what was done; throws NotFixed when it cannot be done safely. Absent: not fixable here. */
  fix?: (fixer: Fixer) => string;
}

export interface Fixer {
  db: DatabaseSync;
  records: RecordFixer;
}

/** Who is repairing: a lock is judged as SyncLock judges it (src/store/lock.ts). */
export type LockIdentity = LockOptions;

export function tablesOf(db: DatabaseSync): Set<string> {
  return new Set((db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").all() as Array<{ name: string }>).map((t) => t.name));
}

const MAX_LISTED = 3;

function listed(values: string[]): string {
  return values.length <= MAX_LISTED ? values.join(', ') : `${values.slice(0, MAX_LISTED).join(', ')} and ${values.length - MAX_LISTED} more`;
}

function quote(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

// ---------------------------------------------------------------------------------------------
// integrity

export interface IntegrityResult {
  issues: Issue[];
  /** Damage a row copy has to deal with (pages, b-trees): the database is corrupt. Empty when none. */
  structural: string[];
}

const INDEX_MESSAGE = /^(?:row (\d+) missing from index (\S+)|wrong # of entries in index (\S+)|non-unique entry in index (\S+)|rowid not at end-of-record for row \d+ of index (\S+))$/;
const CONSTRAINT_MESSAGE = /^(?:NULL value in (\S+?)\.(\S+)|non-\w+ value in (\S+?)\.(\S+)|NaN value in (\S+?)\.(\S+)|CHECK constraint failed in (\S+))$/;

/** PRAGMA integrity_check, sorted into what REINDEX fixes, row constraints, and structural damage. */
export function checkIntegrity(db: DatabaseSync): IntegrityResult {
  const messages = (db.prepare('PRAGMA integrity_check(10000)').all() as Array<{ integrity_check: string }>).map((r) => r.integrity_check);
  if (messages.length === 1 && messages[0] === 'ok') return { issues: [], structural: [] };
  const byIndex = new Map<string, { missing: number; other: string[] }>();
  const constraints = new Map<string, { table: string; count: number; message: string }>();
  const structural: string[] = [];
  for (const message of messages.flatMap((m) => m.split('\n')).filter((m) => m !== '' && !m.startsWith('*** in database'))) {
    const index = INDEX_MESSAGE.exec(message);
    if (index) {
      const name = index[2] ?? index[3] ?? index[4] ?? index[5]!;
      const entry = byIndex.get(name) ?? { missing: 0, other: [] };
      if (index[1] !== undefined) entry.missing++;
      else entry.other.push(message.replace(` in index ${name}`, '').replace(` of index ${name}`, ''));
      byIndex.set(name, entry);
      continue;
    }
    const constraint = CONSTRAINT_MESSAGE.exec(message);
    if (constraint) {
      const table = constraint[1] ?? constraint[3] ?? constraint[5] ?? constraint[7]!;
      const entry = constraints.get(message) ?? { table, count: 0, message };
      entry.count++;
      constraints.set(message, entry);
      continue;
    }
    structural.push(message);
  }
  const issues: Issue[] = [];
  for (const [name, entry] of byIndex) {
    const parts = [entry.missing ? `${entry.missing} row(s) missing from the index` : '', ...new Set(entry.other)].filter(Boolean);
    issues.push({
      check: 'integrity',
      problem: parts.join('; '),
      where: `index ${name}`,
      table: name,
      keys: [],
      plan: `rebuild the index (REINDEX ${name})`,
      fix: ({ db: conn }) => {
        conn.exec(`REINDEX ${quote(name)}`);
        return `rebuilt the index (REINDEX ${name})`;
      },
    });
  }
  for (const entry of constraints.values()) {
    const identity = entry.table === 'dns_records';
    issues.push({
      check: 'integrity',
      problem: entry.count > 1 ? `${entry.message} (${entry.count} rows)` : entry.message,
      where: entry.table,
      table: entry.table,
      keys: [],
      plan: identity ? "fixed with the records' identities (see the record findings)" : 'cannot be fixed in place: the rows need a person',
      ...(identity && { fix: () => "left to the records' identity fixes; re-checked after them" }),
    });
  }
  return { issues, structural };
}

// ---------------------------------------------------------------------------------------------
// schema

function normalizeSql(sql: string): string {
  return sql
    .replace(/--[^\n]*/g, '')
    .replace(/\s+/g, ' ')
    .replace(/\( /g, '(')
    .replace(/ \)/g, ')')
    .trim();
}

function schemaObjects(db: DatabaseSync): Map<string, { type: string; sql: string }> {
  const rows = db
    .prepare("SELECT type, name, sql FROM sqlite_schema WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' AND type IN ('table', 'index', 'trigger', 'view')")
    .all() as Array<{ type: string; name: string; sql: string }>;
  return new Map(rows.map((r) => [r.name, { type: r.type, sql: r.sql }]));
}

/** Applied migrations whose checksum is not this program's, and tables or indexes the applied migrations make that are missing or differ. */
export function checkSchema(db: DatabaseSync): Issue[] {
  const applied = appliedMigrations(db);
  if (applied.length === 0) return [];
  const version = Math.max(...applied.map((m) => m.version));
  const known = knownMigrations();
  const reference = new DatabaseSync(':memory:');
  try {
    for (const migration of known.filter((m) => m.version <= version)) reference.exec(migration.sql);
    const expected = schemaObjects(reference);
    const actual = schemaObjects(db);
    const issues: Issue[] = [];
    const differing: string[] = [];
    for (const [name, object] of expected) {
      const found = actual.get(name);
      if (found && normalizeSql(found.sql) === normalizeSql(object.sql)) continue;
      if (found) {
        differing.push(name);
        issues.push({
          check: 'schema',
          problem: `${object.type} ${name} differs from what the migrations build`,
          where: `sqlite_schema ${name}`,
          table: name,
          keys: [],
          plan: 'cannot be fixed here: compare it with schema.sql',
        });
        continue;
      }
      issues.push({
        check: 'schema',
        problem: `${object.type} ${name} is missing`,
        where: `sqlite_schema ${name}`,
        table: name,
        keys: [],
        plan: `create it as the migrations do${object.type === 'table' ? ' (empty)' : ''}`,
        fix: ({ db: conn }) => {
          conn.exec(object.sql);
          return `created the ${object.type} as the migrations do`;
        },
      });
    }
    const byVersion = new Map(known.map((m) => [m.version, m]));
    for (const m of applied) {
      const mine = byVersion.get(m.version);
      if (!mine || mine.checksum === m.checksum) continue;
      const fixable = differing.length === 0;
      issues.push({
        check: 'schema',
        problem: `migration ${String(m.version).padStart(4, '0')} (${m.name}) was recorded with checksum ${m.checksum.slice(0, 12)}, this dnssync's is ${mine.checksum.slice(0, 12)}`,
        where: `schema_migrations version ${m.version}`,
        table: 'schema_migrations',
        keys: [m.version],
        plan: fixable
          ? "record this dnssync's checksum: the tables and indexes are exactly what the migration builds"
          : `cannot be fixed here: ${listed(differing)} differ from what the migration builds`,
        ...(fixable && {
          fix: ({ db: conn }: Fixer) => {
            conn.prepare('UPDATE schema_migrations SET checksum = ? WHERE version = ?').run(mine.checksum, m.version);
            return `recorded checksum ${mine.checksum.slice(0, 12)} (the schema is exactly what the migration builds)`;
          },
        }),
      });
    }
    return issues;
  } finally {
    reference.close();
  }
}

// ---------------------------------------------------------------------------------------------
// lock

function lockOf(db: DatabaseSync, path: string, identity: LockIdentity): SyncLock {
  return new SyncLock(db, path, identity);
}

/** Refuses (exit 5) while a live sync holds the database: its intents are in flight, not left by a crash. */
export function assertNoLiveSync(db: DatabaseSync, path: string, identity: LockIdentity): void {
  if (!tablesOf(db).has('sync_lock')) return;
  const lock = lockOf(db, path, identity);
  const holder = lock.holder();
  if (holder && !lock.isStale(holder)) {
    throw new LockHeldError(
      `a sync holds the database ${path}: host ${holder.host}, pid ${holder.pid}, since ${holder.acquiredAt}; run repair when it has finished`,
    );
  }
}

export function checkLock(db: DatabaseSync, path: string, identity: LockIdentity): Issue[] {
  if (!tablesOf(db).has('sync_lock')) return [];
  const lock = lockOf(db, path, identity);
  const holder = lock.holder();
  if (!holder || !lock.isStale(holder)) return [];
  return [
    {
      check: 'stale-lock',
      problem: staleReason(holder, identity),
      where: `sync_lock (host ${holder.host}, pid ${holder.pid}, since ${holder.acquiredAt})`,
      table: 'sync_lock',
      keys: [1],
      plan: 'delete the lock row',
      fix: ({ db: conn }) => {
        const removed = conn
          .prepare('DELETE FROM sync_lock WHERE id = 1 AND host = ? AND pid = ? AND acquired_at = ?')
          .run(holder.host, holder.pid, holder.acquiredAt);
        if (Number(removed.changes) === 0) throw new NotFixed('the lock changed meanwhile; left as it is');
        return 'deleted the lock row';
      },
    },
  ];
}

function staleReason(holder: LockHolder, identity: LockIdentity): string {
  if (holder.host === identity.host) {
    return holder.pid === identity.pid
      ? `lock left by an earlier process with this pid (${holder.pid}) on this host`
      : `lock left by pid ${holder.pid} on this host, which is no longer running`;
  }
  return `lock of host ${holder.host} with no heartbeat since ${holder.heartbeatAt} (stale after ${Math.round((identity.staleAfterMs ?? LOCK_STALE_MS) / 1000)} s)`;
}

// ---------------------------------------------------------------------------------------------
// foreign keys

interface ForeignKey {
  table: string;
  from: string;
  parent: string;
  to: string;
  notNull: boolean;
}

function foreignKeys(db: DatabaseSync): ForeignKey[] {
  const keys: ForeignKey[] = [];
  for (const table of tablesOf(db)) {
    if (table.startsWith('sqlite_')) continue;
    const list = db.prepare(`SELECT id, seq, "table" AS parent, "from", "to" FROM pragma_foreign_key_list(?)`).all(table) as Array<{
      id: number;
      seq: number;
      parent: string;
      from: string;
      to: string | null;
    }>;
    const multi = new Set(list.filter((k) => k.seq > 0).map((k) => k.id));
    const columns = new Map(
      (db.prepare('SELECT name, "notnull" AS nn, pk FROM pragma_table_info(?)').all(table) as Array<{ name: string; nn: number }>).map((c) => [c.name, c.nn === 1]),
    );
    for (const k of list) {
      if (multi.has(k.id)) continue; // none in dnssync's schema
      const to = k.to ?? primaryKey(db, k.parent);
      if (to) keys.push({ table, from: k.from, parent: k.parent, to, notNull: columns.get(k.from) ?? false });
    }
  }
  return keys;
}

function primaryKey(db: DatabaseSync, table: string): string | null {
  const pk = db.prepare('SELECT name FROM pragma_table_info(?) WHERE pk = 1').get(table) as { name: string } | undefined;
  return pk?.name ?? null;
}

/** Row kinds, for people. */
const ROWS: Record<string, string> = { record_origins: 'origin(s)', replicas: 'replica(s)', sync_events: 'event(s)', sites: 'site(s)', dns_records: 'record(s)' };
const SITE_TABLES = new Set(['record_origins', 'replicas']);

/**
 * `PRAGMA foreign_key_check`, row by row: origins and replicas of a record that is gone (the
 * record is put back when its events prove its identity, else the rows go), sites of an unknown
 * controller (a controller row is added), and nullable references (set NULL; history is kept).
 * Origins and replicas of unknown sites are the unknown-site check's.
 */
export function checkForeignKeys(db: DatabaseSync): Issue[] {
  const tables = tablesOf(db);
  const keys = foreignKeys(db).filter((k) => tables.has(k.parent) && !(SITE_TABLES.has(k.table) && k.from === 'site_id' && k.parent === 'sites'));
  const issues: Issue[] = [];
  const missingRecords = new Map<string, Map<string, number>>();
  for (const key of keys) {
    const rows = db
      .prepare(
        `SELECT ${quote(key.from)} AS value, count(*) AS n FROM ${quote(key.table)} AS child
         WHERE ${quote(key.from)} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${quote(key.parent)} AS p WHERE p.${quote(key.to)} = child.${quote(key.from)})
         GROUP BY ${quote(key.from)} ORDER BY 1`,
      )
      .all() as Array<{ value: SQLOutputValue; n: number }>;
    for (const row of rows) {
      if (SITE_TABLES.has(key.table) && key.from === 'record_id' && key.parent === 'dns_records') {
        const byTable = missingRecords.get(String(row.value)) ?? new Map<string, number>();
        byTable.set(key.table, row.n);
        missingRecords.set(String(row.value), byTable);
      } else {
        issues.push(referenceIssue(key, row.value, row.n));
      }
    }
  }
  for (const [id, byTable] of missingRecords) issues.push(missingRecordIssue(db, id, byTable));
  return issues;
}

function referenceIssue(key: ForeignKey, value: SQLOutputValue, n: number): Issue {
  const rows = `${n} ${ROWS[key.table] ?? `${key.table} row(s)`}`;
  const base = {
    check: 'foreign-key' as const,
    problem: `${rows} refer to ${key.parent}.${key.to} = ${short(value)}, which does not exist`,
    where: `${key.table}.${key.from} = ${short(value)}`,
    table: key.table,
    keys: [text(value) ?? 'NULL'],
  };
  if (key.table === 'sites' && key.from === 'controller_host' && key.parent === 'controllers') {
    const host = text(value)!;
    return {
      ...base,
      plan: `add a controller row for ${host} (the next sync that reaches it fills in its name and URL)`,
      fix: ({ db: conn }) => {
        conn.prepare('INSERT OR IGNORE INTO controllers (host, name, url) VALUES (?, ?, ?)').run(host, host, `https://${host}`);
        return `added a controller row for ${host}`;
      },
    };
  }
  if (!key.notNull) {
    const kept = key.table === 'sync_events' ? 'the events stay in history' : 'the rows stay';
    return {
      ...base,
      plan: `set ${key.from} to NULL in those rows (${kept})`,
      fix: ({ db: conn }) => {
        const result = conn.prepare(`UPDATE ${quote(key.table)} SET ${quote(key.from)} = NULL WHERE ${quote(key.from)} = ?`).run(value);
        return `set ${key.from} to NULL in ${Number(result.changes)} row(s) (${kept})`;
      },
    };
  }
  return { ...base, plan: 'cannot be fixed here' };
}

function missingRecordIssue(db: DatabaseSync, id: string, byTable: Map<string, number>): Issue {
  const origins = byTable.get('record_origins') ?? 0;
  const replicas = byTable.get('replicas') ?? 0;
  const rows = [origins && `${origins} origin(s)`, replicas && `${replicas} replica(s)`].filter(Boolean).join(' and ');
  const evidence = evidenceFor(db, id);
  const claimed = replicas
    ? (db.prepare("SELECT count(*) AS n FROM replicas WHERE record_id = ? AND (policy_id IS NOT NULL OR pending = 'create')").get(id) as { n: number }).n
    : 0;
  const deleteNote = claimed ? `; the next sync will take the ${claimed} policy(ies) they stand for as native` : '';
  return {
    check: 'foreign-key',
    problem: `${rows} refer to record ${short(id)}, which is not in dns_records`,
    where: `record_origins/replicas record_id = ${short(id)}`,
    table: 'dns_records',
    keys: [id],
    plan: evidence
      ? `put the record back from ${evidence.from} (${describeRecord(evidence.record.type, evidence.record.domain, evidence.record.target)})`
      : `delete those rows: nothing left in the database tells the record's identity${deleteNote}`,
    fix: ({ db: conn }) => {
      const proof = evidenceFor(conn, id);
      if (proof) {
        const firstSeen = firstSeenOf(conn, id, proof.firstSeen);
        restoreRecord(conn, proof.record, firstSeen);
        return `put the record back from ${proof.from} (${describeRecord(proof.record.type, proof.record.domain, proof.record.target)})`;
      }
      const o = conn.prepare('DELETE FROM record_origins WHERE record_id = ?').run(id);
      const r = conn.prepare('DELETE FROM replicas WHERE record_id = ?').run(id);
      return `deleted ${Number(o.changes)} origin(s) and ${Number(r.changes)} replica(s): nothing tells the record's identity${deleteNote}`;
    },
  };
}

function firstSeenOf(db: DatabaseSync, id: string, fromEvents: string | null): string {
  const row = db
    .prepare(
      `SELECT min(t) AS t FROM (SELECT first_seen AS t FROM record_origins WHERE record_id = ?1
         UNION ALL SELECT created_at FROM replicas WHERE record_id = ?1)`,
    )
    .get(id) as { t: string | null };
  const candidates = [row.t, fromEvents].filter((t): t is string => t !== null).sort();
  return candidates[0] ?? new Date().toISOString();
}

// ---------------------------------------------------------------------------------------------
// unknown sites

/** Origins and replicas whose site has no sites row: no sync can ever reach them. */
export function checkUnknownSites(db: DatabaseSync): Issue[] {
  const tables = tablesOf(db);
  if (!tables.has('sites')) return [];
  const counts = new Map<number, { origins: number; replicas: number; claims: number; pendingCreates: number }>();
  const entry = (site: number) => {
    let e = counts.get(site);
    if (!e) counts.set(site, (e = { origins: 0, replicas: 0, claims: 0, pendingCreates: 0 }));
    return e;
  };
  if (tables.has('record_origins')) {
    for (const row of db.prepare('SELECT site_id, count(*) AS n FROM record_origins WHERE site_id NOT IN (SELECT id FROM sites) GROUP BY site_id').all() as Array<{
      site_id: number;
      n: number;
    }>) {
      entry(row.site_id).origins = row.n;
    }
  }
  if (tables.has('replicas')) {
    const rows = db
      .prepare(
        `SELECT site_id, count(*) AS n, sum(policy_id IS NOT NULL) AS claims, sum(policy_id IS NULL AND pending = 'create') AS creates
         FROM replicas WHERE site_id NOT IN (SELECT id FROM sites) GROUP BY site_id`,
      )
      .all() as Array<{ site_id: number; n: number; claims: number; creates: number }>;
    for (const row of rows) Object.assign(entry(row.site_id), { replicas: row.n, claims: row.claims, pendingCreates: row.creates });
  }
  return [...counts]
    .sort(([a], [b]) => a - b)
    .map(([site, e]) => {
      const rows = [e.replicas && `${e.replicas} replica(s)`, e.origins && `${e.origins} origin(s)`].filter(Boolean).join(' and ');
      const intents = e.pendingCreates ? `; ${e.pendingCreates} of them are create intents that no sync can resolve there either` : '';
      return {
        check: 'unknown-site' as const,
        problem: `${rows} belong to site ${site}, which is not in sites`,
        where: `replicas/record_origins site_id = ${site}`,
        table: 'sites',
        keys: [site],
        plan: `delete them: no sync can reach a site the database does not know${intents}`,
        fix: ({ db: conn }: Fixer) => {
          const r = conn.prepare('DELETE FROM replicas WHERE site_id = ? AND site_id NOT IN (SELECT id FROM sites)').run(site);
          const o = conn.prepare('DELETE FROM record_origins WHERE site_id = ? AND site_id NOT IN (SELECT id FROM sites)').run(site);
          return `deleted ${Number(r.changes)} replica(s) and ${Number(o.changes)} origin(s) (no sync can reach that site)`;
        },
      };
    });
}

// ---------------------------------------------------------------------------------------------
// record identities: ids, legacy targets, duplicates

interface StoredRecord extends RecordRow {
  id: string;
  canonical: Canonical;
}

function storedRecords(db: DatabaseSync): StoredRecord[] {
  if (!tablesOf(db).has('dns_records')) return [];
  return (db.prepare('SELECT id, type, domain, target, record_raw FROM dns_records ORDER BY id').all() as unknown as Array<RecordRow & { id: string }>).map(
    (row) => ({ ...row, canonical: canonicalOf(row) }),
  );
}

function identityPlan(row: StoredRecord, existing: Set<string>): { plan: string; fixable: boolean } {
  const c = row.canonical;
  if (!c.ok) return { plan: `cannot be fixed: its identity cannot be told (${c.reason})`, fixable: false };
  const source = c.from === 'record_raw' ? 'from record_raw' : 'from its columns';
  if (c.record.id === row.id) return { plan: `rewrite it in canonical form ${source}`, fixable: true };
  const into = existing.has(c.record.id) ? `merge it into ${short(c.record.id)}, which has that identity` : `re-key it to ${short(c.record.id)}`;
  return { plan: `${into} (${describeRecord(c.record.type, c.record.domain, c.record.target)}, ${source}), with its origins, replicas and events`, fixable: true };
}

function recordIssue(check: CheckName, row: StoredRecord, problem: string, existing: Set<string>): Issue {
  const { plan, fixable } = identityPlan(row, existing);
  return {
    check,
    problem,
    where: `dns_records ${short(row.id)} (${describeRecord(row.type, row.domain, row.target)})`,
    table: 'dns_records',
    keys: [row.id],
    plan,
    ...(fixable && { fix: ({ records }: Fixer) => records.canonicalise(row.id) }),
  };
}

export function checkRecords(db: DatabaseSync): Issue[] {
  const rows = storedRecords(db);
  const existing = new Set(rows.map((r) => r.id));
  const ids: Issue[] = [];
  const legacy: Issue[] = [];
  const groups = new Map<string, StoredRecord[]>();
  for (const row of rows) {
    if (idMismatch(row)) {
      ids.push(recordIssue('record-id', row, `id is not the SHA-256 of "${text(row.type)}:${text(row.domain)}:${text(row.target)}"`, existing));
    }
    const reasons = legacyReasons(row);
    if (reasons.length) legacy.push(recordIssue('legacy-target', row, reasons.join('; '), existing));
    if (row.canonical.ok) {
      const group = groups.get(row.canonical.record.id) ?? [];
      group.push(row);
      groups.set(row.canonical.record.id, group);
    }
  }
  const duplicates: Issue[] = [];
  for (const [id, group] of groups) {
    if (group.length < 2) continue;
    const record = (group[0]!.canonical as Extract<Canonical, { ok: true }>).record;
    const forms = group.map((r) => `${text(r.domain)} → ${text(r.target)}`);
    duplicates.push({
      check: 'duplicate',
      problem: `${group.length} records are one identity, differing only in form (case, trailing dot, …): ${listed(forms)}`,
      where: `dns_records ${group.map((r) => short(r.id)).join(', ')}`,
      table: 'dns_records',
      keys: group.map((r) => r.id),
      plan: `merge them into one record ${short(id)} (${describeRecord(record.type, record.domain, record.target)}): earliest first_seen, origins and replicas united, events re-pointed`,
      fix: ({ records }) => {
        const actions: string[] = [];
        const failed: string[] = [];
        for (const row of group) {
          try {
            const action = records.canonicalise(row.id);
            if (action !== 'kept: already canonical') actions.push(`${short(row.id)}: ${action}`);
          } catch (error) {
            if (!(error instanceof NotFixed)) throw error;
            failed.push(`${short(row.id)}: ${error.message}`);
          }
        }
        if (failed.length) throw new NotFixed([...failed, ...actions].join('; '));
        return actions.join('; ');
      },
    });
  }
  return [...ids, ...legacy, ...duplicates];
}

/** Why a row's target or form is not what sync would store (legacy targets above all). */
function legacyReasons(row: StoredRecord): string[] {
  const reasons: string[] = [];
  if (isLegacyTarget(row.target)) reasons.push(`target is ${row.target === null ? 'NULL' : `'${row.target}'`} (written by the legacy tool)`);
  const c = row.canonical;
  if (!c.ok) {
    if (reasons.length === 0 && !(typeof row.record_raw === 'string' && row.record_raw !== '')) reasons.push(`its identity cannot be told (${c.reason})`);
    return reasons;
  }
  const r = c.record;
  if (text(row.type) !== r.type) reasons.push(`type ${text(row.type)} is ${r.type} in record_raw`);
  if (text(row.domain) !== r.domain) reasons.push(`domain '${text(row.domain)}' is not canonical ('${r.domain}')`);
  if (!isLegacyTarget(row.target) && text(row.target) !== r.target) reasons.push(`target '${text(row.target)}' is not canonical ('${r.target}')`);
  if (!sameJson(row.record_raw, canonicalRaw(r))) {
    const reason = rawReason(row.record_raw, r.fields as Record<string, unknown>);
    // A raw body that differs only as the columns do (case, trailing dot) is said by the reasons above.
    if (reason || reasons.length === 0) reasons.push(reason ?? 'record_raw is not in canonical form');
  }
  return reasons;
}

/** What is wrong with record_raw beyond its values' form: fields that are not the identity's, or no JSON at all. */
function rawReason(raw: SQLOutputValue, fields: Record<string, unknown>): string | null {
  try {
    const parsed = JSON.parse(String(raw)) as Record<string, unknown>;
    const extra = Object.keys(parsed).filter((k) => !(k in fields));
    if (extra.length) return `record_raw holds more than the identity (${listed(extra)}), which would go into create bodies`;
    const missing = Object.keys(fields).filter((k) => !(k in parsed));
    if (missing.length) return `record_raw lacks ${listed(missing)}`;
    return null;
  } catch {
    return 'record_raw is not JSON';
  }
}

// ---------------------------------------------------------------------------------------------
// crash intents

interface PendingRow {
  record_id: string;
  site_id: number;
  policy_id: string | null;
  pending: 'create' | 'update' | 'delete';
  pending_run_id: number | null;
  gone: number;
}

type IntentRule = 'create' | 'delete' | 'update' | 'confirmed-create' | 'no-policy';

const INTENT: Record<IntentRule, { problem: string; plan: string; leftForSync: boolean }> = {
  create: {
    problem: 'create intent(s) left by a crash: the create may or may not have reached the controller',
    plan:
      'the next sync adopts the policy by identity if the create went through, or drops the intent; ' +
      'deleting the intent here could make that policy look native',
    leftForSync: true,
  },
  delete: {
    problem: 'delete intent(s) left by a crash: the delete may or may not have reached the controller',
    plan: 'the next sync sees whether the policy is gone and records the DELETED event, or deletes it again',
    leftForSync: true,
  },
  update: {
    problem: 'update intent(s) left by a crash',
    plan: 'clear the intent: the next sync finds the policy by its id, compares it and updates it again if it differs',
    leftForSync: false,
  },
  'confirmed-create': {
    problem: 'create intent(s) on replicas whose policy id is already known',
    plan: 'clear the intent: the policy id is known, so the replica is confirmed',
    leftForSync: false,
  },
  'no-policy': {
    problem: 'update or delete intent(s) on replicas without a policy id',
    plan: 'clear the intent: no write can be sent without a policy id; the replica stays unconfirmed and is adopted by identity',
    leftForSync: false,
  },
};

function ruleOf(row: PendingRow): IntentRule {
  if (row.pending === 'create') return row.policy_id === null ? 'create' : 'confirmed-create';
  if (row.policy_id === null) return 'no-policy';
  return row.pending;
}

/** replicas.pending set while no sync runs (a live holder makes repair refuse before this). */
export function checkIntents(db: DatabaseSync): Issue[] {
  const tables = tablesOf(db);
  if (!tables.has('replicas')) return [];
  const gone = tables.has('sites') ? '(SELECT s.gone_at IS NOT NULL FROM sites s WHERE s.id = r.site_id)' : '0';
  const rows = db
    // Replicas of unknown sites are the unknown-site check's: they are deleted, intents and all.
    .prepare(
      `SELECT record_id, site_id, policy_id, pending, pending_run_id, coalesce(${gone}, 0) AS gone FROM replicas r
       WHERE pending IS NOT NULL ${tables.has('sites') ? 'AND site_id IN (SELECT id FROM sites)' : ''}
       ORDER BY pending_run_id, site_id, record_id`,
    )
    .all() as unknown as PendingRow[];
  const groups = new Map<string, { rule: IntentRule; run: number | null; rows: PendingRow[] }>();
  for (const row of rows) {
    const rule = ruleOf(row);
    const key = `${rule}/${row.pending_run_id}`;
    const group = groups.get(key) ?? { rule, run: row.pending_run_id, rows: [] };
    group.rows.push(row);
    groups.set(key, group);
  }
  return [...groups.values()].map(({ rule, run, rows: group }) => {
    const spec = INTENT[rule];
    const sites = [...new Set(group.map((r) => r.site_id))];
    const goneNote = spec.leftForSync && group.some((r) => r.gone) ? ' (those at sites marked gone wait until the site is listed again)' : '';
    const recordsListed = listed(group.map((r) => short(r.record_id)));
    return {
      check: 'crash-intent' as const,
      problem: `${group.length} ${spec.problem}`,
      where: `replicas${run === null ? '' : ` of run ${run}`} at site(s) ${listed(sites.map(String))}: record(s) ${recordsListed}`,
      table: 'replicas',
      keys: group.map((r) => [r.record_id, r.site_id]),
      plan: spec.plan + goneNote,
      ...(spec.leftForSync
        ? { leftForSync: true }
        : {
            fix: ({ db: conn, records }: Fixer) => {
              const clear = conn.prepare(
                'UPDATE replicas SET pending = NULL, pending_run_id = NULL, pending_body = NULL WHERE record_id = ? AND site_id = ? AND pending = ?',
              );
              let cleared = 0;
              for (const r of group) cleared += Number(clear.run(records.currentId(r.record_id), r.site_id, r.pending).changes);
              return `cleared ${cleared} intent(s); ${spec.plan.replace(/^clear the intent: /, '')}`;
            },
          }),
    };
  });
}
