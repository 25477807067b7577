import { DatabaseSync } from 'node:sqlite';
import { quote } from '../../store/catalog.ts';
import { appliedMigrations, knownMigrations } from '../../store/migrations.ts';
import { listed, type Fixer, type Issue } from './issue.ts';

/**
 * The file's own soundness: what SQLite's integrity check finds, and whether the tables and
 * indexes are still what the applied migrations build.
 */

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
