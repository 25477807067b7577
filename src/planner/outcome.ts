import type { Interruption, RunOutcome } from '../domain/run.ts';

/**
 * A run's outcome (SPEC §2), from what happened. Pure, and the only place that decides it; the
 * order is the order of precedence. Its exit code comes from getExitCode (domain/exit-codes.ts).
 */
export function decideOutcome(facts: {
  interruption: Interruption | null;
  refused: boolean;
  drift: boolean;
  /** No site could be read at all (every controller failed): nothing was synced, which is no partial success. */
  nothingDiscovered: boolean;
  partial: boolean;
}): RunOutcome {
  if (facts.interruption) return 'interrupted';
  if (facts.nothingDiscovered) return 'failed';
  if (facts.refused) return 'refused';
  if (facts.partial) return 'partial';
  if (facts.drift) return 'drift';
  return 'success';
}
