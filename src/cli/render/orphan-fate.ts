import { orphanDeadline, orphanIsDue } from '../../domain/orphans.ts';
import type { SyncConfig } from '../../config/types.ts';
import { tableTime } from './time.ts';

/**
 * When an orphan's replicas go, in the words of `dnssync orphans`: the end of its grace period (ISO
 * UTC), `now` (the next sync), `held by policy (upsert-only)`, or `-` when none is left. The same
 * rule the planner applies (domain/orphans.ts), under the config's settings or the defaults.
 */
export function replicasGo(orphanedAt: string, replicas: number, sync: Pick<SyncConfig, 'orphanGracePeriodMs' | 'policy'>, now: number): string {
  if (replicas === 0) return '-';
  if (sync.policy !== 'sync') return `held by policy (${sync.policy})`;
  if (orphanIsDue(orphanedAt, sync.orphanGracePeriodMs, now)) return 'now';
  return new Date(orphanDeadline(orphanedAt, sync.orphanGracePeriodMs)).toISOString();
}

/** replicasGo for a table: its time in local time, its words as they are. */
export function showReplicasGo(value: string): string {
  return /^\d{4}-\d\d-\d\dT/.test(value) ? tableTime(value) : value;
}
