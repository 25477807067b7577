import { ExitCode } from '../domain/exit-codes.ts';
import type { RunOutcome } from '../store/runs.ts';

export type Interruption = 'SIGINT' | 'SIGTERM';

export interface RunDecision {
  outcome: RunOutcome;
  exitCode: ExitCode;
}

/**
 * A run's outcome and exit code (SPEC §2), from what happened. Pure, and the only place that
 * decides them; the order is the order of precedence.
 */
export function decideOutcome(facts: { interruption: Interruption | null; refused: boolean; drift: boolean; partial: boolean }): RunDecision {
  if (facts.interruption === 'SIGINT') return { outcome: 'interrupted', exitCode: ExitCode.Interrupted };
  if (facts.interruption === 'SIGTERM') return { outcome: 'interrupted', exitCode: ExitCode.Terminated };
  if (facts.refused) return { outcome: 'refused', exitCode: ExitCode.Refused };
  if (facts.partial) return { outcome: 'partial', exitCode: ExitCode.Partial };
  if (facts.drift) return { outcome: 'drift', exitCode: ExitCode.Drift };
  return { outcome: 'success', exitCode: ExitCode.Success };
}
