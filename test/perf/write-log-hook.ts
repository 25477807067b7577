// Preloaded into a dnssync child by the perf tests (NODE_OPTIONS=--import=<this file>, with
// DNSSYNC_WRITE_LOG=<file>): logs every row its SQLite connections insert, update or delete, by
// table and primary key, with whether an update really changed the row. It works with TEMP
// triggers, which live in the connection only: the database file is not touched by them.
// Loaded by Node's own type stripping (before dnssync registers tsx), so erasable syntax only.
import { appendFileSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';

export interface WriteLogEntry {
  table: string;
  op: 'insert' | 'update' | 'delete';
  /** Primary key values joined with '|'. */
  key: string;
  /** For an update: whether any column's value differs afterwards. */
  changed: boolean;
}

const TABLES = ['controllers', 'sites', 'dns_records', 'record_origins', 'replicas', 'runs', 'sync_events', 'sync_lock'];
const out = process.env.DNSSYNC_WRITE_LOG;

if (out) {
  const original = { prepare: DatabaseSync.prototype.prepare, exec: DatabaseSync.prototype.exec, close: DatabaseSync.prototype.close };
  const installed = new WeakSet<DatabaseSync>();
  const rows = (db: DatabaseSync, sql: string) => original.prepare.call(db, sql).all() as Array<Record<string, unknown>>;

  const install = (db: DatabaseSync) => {
    // Not inside a transaction (a rollback would drop the triggers), and only once the schema exists.
    if (installed.has(db) || !db.isOpen || db.isTransaction) return;
    try {
      const tables = new Set(rows(db, "SELECT name FROM sqlite_master WHERE type = 'table'").map((r) => r.name as string));
      if (!tables.has('replicas')) return;
      installed.add(db);
      const sql = ['CREATE TEMP TABLE IF NOT EXISTS write_log (tbl TEXT NOT NULL, op TEXT NOT NULL, key TEXT NOT NULL, changed INTEGER NOT NULL)'];
      for (const table of TABLES.filter((t) => tables.has(t))) {
        const columns = rows(db, `SELECT name, pk FROM pragma_table_info('${table}')`) as Array<{ name: string; pk: number }>;
        const pk = columns.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk);
        const key = (row: 'NEW' | 'OLD') => pk.map((c) => `${row}.${c.name}`).join(" || '|' || ");
        const changed = columns.map((c) => `OLD.${c.name} IS NOT NEW.${c.name}`).join(' OR ');
        const log = (op: string, row: 'NEW' | 'OLD', flag: string) =>
          `CREATE TEMP TRIGGER write_log_${table}_${op} AFTER ${op.toUpperCase()} ON main.${table} BEGIN ` +
          `INSERT INTO write_log VALUES ('${table}', '${op}', ${key(row)}, ${flag}); END`;
        sql.push(log('insert', 'NEW', '1'), log('update', 'NEW', `(${changed})`), log('delete', 'OLD', '1'));
      }
      original.exec.call(db, sql.join(';\n'));
    } catch {
      // A read-only connection or an unusual file: nothing is logged for it.
    }
  };

  DatabaseSync.prototype.prepare = function (this: DatabaseSync, ...args: Parameters<DatabaseSync['prepare']>) {
    install(this);
    return original.prepare.apply(this, args);
  } as DatabaseSync['prepare'];
  DatabaseSync.prototype.exec = function (this: DatabaseSync, ...args: Parameters<DatabaseSync['exec']>) {
    install(this);
    const result = original.exec.apply(this, args);
    // Setting temp_store (at open, before any write) drops every TEMP object: the triggers come again.
    if (/temp_store/i.test(args[0])) {
      installed.delete(this);
      install(this);
    }
    return result;
  };
  DatabaseSync.prototype.close = function (this: DatabaseSync) {
    if (installed.has(this) && this.isOpen) {
      const entries: WriteLogEntry[] = rows(this, 'SELECT tbl, op, key, changed FROM temp.write_log ORDER BY rowid').map((r) => ({
        table: r.tbl as string,
        op: r.op as WriteLogEntry['op'],
        key: String(r.key),
        changed: r.changed === 1,
      }));
      appendFileSync(out, `${JSON.stringify(entries)}\n`);
    }
    return original.close.call(this);
  };
}
