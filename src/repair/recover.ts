import type { DatabaseSync, SQLInputValue, SQLOutputValue } from 'node:sqlite';
import { quote, tablesOf } from '../store/catalog.ts';
import { copyKeyedTable, copyRowidTable, tryRead, type RowKey, type TableShape } from './table-scan.ts';
import type { TableRecovery } from './types.ts';

/**
 * Copies every row SQLite can still read from a damaged database into a new one, table by table,
 * in the order of the new file's schema. A table is read along its own b-tree (never through an
 * index; table-scan.ts); when a page cannot be read, the copy skips to the next readable key by probing the
 * b-tree, so one bad page loses only its own rows. An intact index of the table then tells
 * exactly which rows are missing, and each of them is tried once more by a point lookup.
 */

/** Tables the copy does not take from the damaged file, and why. */
const NOT_COPIED: Record<string, string> = {
  schema_migrations: 'not copied: the recovered file has every migration of this dnssync applied',
  sync_lock: 'not copied: a lock belongs to the damaged file',
  in_step: 'not copied: the next sync reads every site whole',
  sqlite_sequence: 'carried over as AUTOINCREMENT counters',
};

interface Column {
  name: string;
  type: string;
  pk: number;
}

function columnsOf(db: DatabaseSync, table: string): Column[] {
  return db.prepare('SELECT name, type, pk FROM pragma_table_info(?) ORDER BY cid').all(table) as unknown as Column[];
}

export interface Copy {
  tables: TableRecovery[];
  /** Per table with a loss: the keys of the rows lost when an index told them exactly, else null. */
  missing: Map<string, RowKey[] | null>;
}

/** Copies every readable row of `source` into `dest` (a new database with dnssync's schema, foreign keys off). */
export function copyReadableRows(source: DatabaseSync, dest: DatabaseSync): Copy {
  const missing = new Map<string, RowKey[] | null>();
  const sourceTables = tablesOf(source);
  const destTables = (dest.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY rowid").all() as Array<{ name: string }>).map((t) => t.name);
  const results: TableRecovery[] = [];
  for (const table of destTables) {
    if (table === 'sqlite_sequence') continue;
    if (NOT_COPIED[table]) {
      results.push(empty(table, NOT_COPIED[table]!));
      continue;
    }
    if (!sourceTables.has(table)) {
      results.push(empty(table, 'not in the damaged file'));
      continue;
    }
    const { result, missingKeys } = copyTable(source, dest, table);
    results.push(result);
    if (result.lost !== 0) missing.set(table, missingKeys);
  }
  for (const table of sourceTables) {
    if (!destTables.includes(table) && !table.startsWith('sqlite_')) results.push(empty(table, "not copied: not part of dnssync's schema"));
  }
  carrySequences(source, dest);
  return { tables: results, missing };
}

function empty(table: string, note: string): TableRecovery {
  return { table, copied: 0, lost: 0, lostAtMost: null, lostRows: '', rejected: 0, unreadable: false, note };
}

function shapeOf(source: DatabaseSync, dest: DatabaseSync, table: string): TableShape {
  const sourceCols = columnsOf(source, table);
  const available = new Set(sourceCols.map((c) => c.name));
  const cols = columnsOf(dest, table)
    .map((c) => c.name)
    .filter((c) => available.has(c));
  const info = source.prepare('SELECT wr FROM pragma_table_list WHERE schema = ? AND name = ?').get('main', table) as { wr: number } | undefined;
  const pkCols = sourceCols.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk);
  if (info?.wr === 1) return { table, cols, pk: pkCols.map((c) => c.name), alias: null };
  const alias = pkCols.length === 1 && pkCols[0]!.type.toUpperCase() === 'INTEGER' ? pkCols[0]!.name : null;
  return { table, cols, pk: null, alias };
}

function copyTable(source: DatabaseSync, dest: DatabaseSync, table: string): { result: TableRecovery; missingKeys: RowKey[] | null } {
  const shape = shapeOf(source, dest, table);
  const names = shape.cols.map(quote).join(', ');
  const insertCols = shape.pk === null && shape.alias === null ? `rowid, ${names}` : names;
  const placeholders = (shape.pk === null && shape.alias === null ? ['?'] : []).concat(shape.cols.map(() => '?')).join(', ');
  const insert = dest.prepare(`INSERT INTO ${quote(table)} (${insertCols}) VALUES (${placeholders})`);
  const rejected = { count: 0, first: null as string | null };
  const write = (row: Record<string, SQLOutputValue>): boolean => {
    const values = shape.cols.map((c) => row[c] as SQLInputValue);
    try {
      if (shape.pk === null && shape.alias === null) insert.run(row.__k as SQLInputValue, ...values);
      else insert.run(...values);
      return true;
    } catch (error) {
      rejected.count++;
      rejected.first ??= (error as Error).message;
      return false;
    }
  };
  const { missingKeys, ...copy } = shape.pk === null ? copyRowidTable(source, shape, write) : copyKeyedTable(source, shape, write);
  const note = rejected.count ? `${rejected.count} row(s) read but refused by the new file (${rejected.first})` : null;
  return { result: { table, ...copy, rejected: rejected.count, note }, missingKeys };
}

/** AUTOINCREMENT counters never go back, so ids of lost rows are not handed out again. */
function carrySequences(source: DatabaseSync, dest: DatabaseSync): void {
  const sequences = tryRead(() => source.prepare('SELECT name, seq FROM sqlite_sequence').all() as Array<{ name: string; seq: number }>);
  if (!sequences.ok) return;
  const hasTable = dest.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'sqlite_sequence'").get();
  if (!hasTable) return;
  for (const { name, seq } of sequences.value) {
    if (!dest.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?").get(name)) continue;
    const updated = dest.prepare('UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = ?').run(seq, name);
    if (Number(updated.changes) === 0) dest.prepare('INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)').run(name, seq);
  }
}

/**
 * Replica rows are what tells dnssync's own policies from native ones: one lost would make the
 * next sync take its policy for a native one. A lost replica whose CREATED event survived (and
 * no later DELETED) is put back unconfirmed, without a policy id, as the legacy import does: the
 * next sync learns its policy id by identity. Returns how many were rebuilt and how many could not be.
 */
export function rebuildReplicas(dest: DatabaseSync, lost: RowKey[] | null): { rebuilt: number; gone: number } {
  const last = dest.prepare(
    `SELECT status, timestamp FROM sync_events WHERE record_id = ? AND site_id = ? AND status IN ('CREATED', 'DELETED')
     ORDER BY id DESC LIMIT 1`,
  );
  const insert = dest.prepare('INSERT OR IGNORE INTO replicas (record_id, site_id, policy_id, created_at) VALUES (?, ?, NULL, ?)');
  // Keys in the primary key's order, (site_id, record_id). Without the exact keys: every
  // (site, record) whose last write event is a CREATED and that has no replica row.
  const candidates: RowKey[] =
    lost ??
    (dest
      .prepare(
        `SELECT DISTINCT e.record_id, e.site_id FROM sync_events e
         WHERE e.status = 'CREATED' AND e.site_id IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM replicas r WHERE r.record_id = e.record_id AND r.site_id = e.site_id)`,
      )
      .all() as Array<{ record_id: string; site_id: number }>).map((r) => [r.site_id, r.record_id]);
  let rebuilt = 0;
  let gone = 0;
  for (const [siteId, recordId] of candidates) {
    const event = last.get(recordId as string, siteId as number) as { status: string; timestamp: string } | undefined;
    if (event?.status === 'CREATED') rebuilt += Number(insert.run(recordId as string, siteId as number, event.timestamp).changes);
    else if (lost) gone++;
  }
  return { rebuilt, gone };
}
