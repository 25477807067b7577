/**
 * SPEC §4.5: a record with no origin left is an orphan; its replicas go once the grace period
 * since it was orphaned has passed. The planner and `dnssync orphans` both ask this.
 */
export function orphanDeadline(orphanedAt: string, gracePeriodMs: number): number {
  return Date.parse(orphanedAt) + gracePeriodMs;
}

export function orphanIsDue(orphanedAt: string, gracePeriodMs: number, now: number): boolean {
  return now >= orphanDeadline(orphanedAt, gracePeriodMs);
}
