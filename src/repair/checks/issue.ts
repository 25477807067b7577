import type { DatabaseSync } from 'node:sqlite';
import type { LockOptions } from '../../store/lock.ts';
import type { RecordFixer } from '../records.ts';
import type { CheckName, Key } from '../types.ts';

/**
 * The checks of `dnssync repair` (SPEC §6) as plain functions over a connection. Each finds
 * issues; an issue knows what repair would do about it and, when it can be fixed here, how.
 * Fixes run inside the caller's BEGIN IMMEDIATE transaction, with foreign keys off.
 * One file per family of checks (integrity and schema, a crashed sync's leftovers, references,
 * record identities); this one holds what they share.
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

const MAX_LISTED = 3;

/** A few values of a list, for a one-line problem or plan. */
export function listed(values: string[]): string {
  return values.length <= MAX_LISTED ? values.join(', ') : `${values.slice(0, MAX_LISTED).join(', ')} and ${values.length - MAX_LISTED} more`;
}
