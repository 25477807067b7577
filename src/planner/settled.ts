import type { Observation } from './observe.ts';
import type { Plan } from './plan.ts';

/**
 * Whether a run leaves every site in step: its plan does nothing anywhere (not even a skip), it
 * observed no change, and no site holds a replica of an orphan. The next run that reads the same
 * listings would then make the same empty plan at any time: an orphan's grace period and a
 * refusal's retry are the only clocks a plan reads (a refusal of a wanted record is a skip or a
 * create, of an unwanted one a stale refusal). Pure.
 */
export function leavesInStep(plan: Plan, observation: Observation): boolean {
  if (plan.refusals.length > 0 || plan.staleRefusals.length > 0 || observation.changes.length > 0) return false;
  if (plan.sites.some((site) => site.actions.length > 0)) return false;
  for (const [id, { orphanedAt }] of observation.records) {
    if (orphanedAt !== null && observation.sites.some((site) => site.replicas.has(id))) return false;
  }
  return true;
}
