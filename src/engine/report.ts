import type { ExitCode } from '../domain/exit-codes.ts';
import type { PlanCounts, RunCounts, RunOutcome } from '../domain/run.ts';
import type { SiteRef, SiteSnapshot } from '../domain/state.ts';
import type { OrphanNotice, WaitingOrphans } from '../planner/orphan-notice.ts';
import type { Action, Plan } from '../planner/plan.ts';
import type { LockHolder } from '../store/lock.ts';
import { resultOf, type Applied } from './apply.ts';

/** What a sync run returns: plain data, for the CLI alone to print, log and turn into metrics. */
export interface SyncReport {
  outcome: RunOutcome;
  exitCode: ExitCode;
  runId: number | null;
  /** The holder of a stale lock this run took over. */
  lockTakenOver: LockHolder | null;
  dryRun: boolean;
  startedAt: string;
  finishedAt: string;
  controllers: Array<{ name: string; url: string; version: string | null; status: 'ok' | 'failed'; error?: string }>;
  sites: Array<{ site: SiteRef; status: SiteSnapshot['status']; error?: string }>;
  plan: Plan;
  /** Every site listed what it did when the last sync left them all in step: nothing was observed or planned. */
  inStep: boolean;
  /** Null when nothing was applied (dry run, refused, drift). */
  applied: Applied | null;
  /** What the plan said, applied or not. */
  planned: PlanCounts;
  /** What was done: all 0 when nothing was applied. */
  done: RunCounts;
  /** Skips already recorded by an earlier run (a conflict or refusal that lasts): not news. */
  knownSkips: ReadonlySet<Action>;
  /** sync.maxDeletePercent, which the refusals crossed. */
  maxDeletePercent: number;
  /** Records this run made orphans (or, for a dry run, would make). */
  orphaned: OrphanNotice[];
  /** Orphans whose replicas wait out the grace period, and when the first of them go. */
  orphansWaiting: WaitingOrphans | null;
}

export function plannedCounts(plan: Plan): PlanCounts {
  const counts: PlanCounts = { create: 0, update: 0, delete: 0, skip: 0 };
  for (const site of plan.sites) for (const action of site.actions) counts[action.kind]++;
  return counts;
}

export function doneCounts(plan: Plan, applied: Applied | null): RunCounts {
  const counts: RunCounts = { created: 0, updated: 0, deleted: 0, skipped: 0, failed: 0 };
  if (!applied) return counts;
  for (const site of plan.sites) {
    for (const action of site.actions) {
      const { outcome } = resultOf(site.site, action, applied);
      if (outcome !== 'not-sent') counts[outcome]++;
    }
  }
  return counts;
}
