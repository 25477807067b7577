/**
 * What `dnssync repair` reports (SPEC §6). Plain data: the store computes it, the CLI renders it.
 */
import type { LockOptions } from '../store/lock.ts';

/** The checks, in the order they run, are listed and are fixed. */
const CHECKS = [
  'integrity',
  'schema',
  'stale-lock',
  'foreign-key',
  'unknown-site',
  'record-id',
  'legacy-target',
  'duplicate',
  'crash-intent',
] as const;
export type CheckName = (typeof CHECKS)[number];

/**
 * found: reported by --check (nothing done); fixed: repair fixed it and the re-check no longer
 * finds it; left-for-sync: safe as it is, the next sync resolves it (a crash intent);
 * not-fixed: still there.
 */
export type Outcome = 'found' | 'fixed' | 'left-for-sync' | 'not-fixed';

export type Key = string | number | Array<string | number | null>;

export interface Finding {
  check: CheckName;
  /** What is wrong, in one line. */
  problem: string;
  /** Where, for people: table and (shortened) ids. */
  where: string;
  /** --check: what repair would do; repair: what it did, or why it could not. */
  action: string;
  outcome: Outcome;
  /** Where, for scripts: the table and the full keys of the rows concerned. */
  table: string | null;
  keys: Key[];
}

export interface SchemaState {
  version: number;
  latest: number;
  /** Migrations not applied yet (not a defect: every other command applies them on open). */
  pending: string[];
}

export interface TableRecovery {
  table: string;
  /** Rows copied into the recovered file. */
  copied: number;
  /** Rows lost, when known exactly (an intact index listed every row); null when not known. */
  lost: number | null;
  /** Upper bound of the rows lost when `lost` is not known (rowid ranges); null when unbounded or known. */
  lostAtMost: number | null;
  /** Which rows were lost: rowid ranges or keys, for people. Empty when none. */
  lostRows: string;
  /** Rows read but refused by the new file's constraints. */
  rejected: number;
  /** Nothing of the table could be read. */
  unreadable: boolean;
  note: string | null;
}

export interface Recovery {
  /** The new file; null when nothing at all could be read (no file is written then). */
  path: string | null;
  tables: TableRecovery[];
  copied: number;
  /** Exact total of rows lost, or null when some table's loss is not known exactly. */
  lost: number | null;
  /** Problems found in the recovered copy, and what was done about them there. */
  findings: Finding[];
  /** How to put the recovered file in place. */
  instructions: string[];
}

export interface RepairReport {
  database: string;
  mode: 'check' | 'repair';
  /** database: a dnssync database; empty: a 0-byte file; not-sqlite; corrupt: SQLite cannot read all of it; legacy: the Python tool's. */
  state: 'database' | 'empty' | 'not-sqlite' | 'corrupt' | 'legacy';
  schema: SchemaState | null;
  /** The VACUUM INTO copy written before the first change; null when nothing was changed. */
  backup: string | null;
  recovered: Recovery | null;
  findings: Finding[];
  /** Problems still there: --check, every problem found; repair, those not fixed nor left for the next sync. */
  remaining: number;
}

export interface RepairOptions extends LockOptions {
  now?: () => Date;
}
