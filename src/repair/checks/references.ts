import type { DatabaseSync, SQLOutputValue } from 'node:sqlite';
import { text } from '../../domain/stored-record.ts';
import { quote, tablesOf } from '../../store/catalog.ts';
import { describeRecord, short } from '../identity.ts';
import { evidenceFor, restoreRecord } from '../records.ts';
import type { Fixer, Issue } from './issue.ts';

/** Rows that point at rows that are not there: broken foreign keys, and sites the database does not know. */

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
