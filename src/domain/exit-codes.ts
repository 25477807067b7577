import { ConfigError, LockHeldError, UsageError } from './errors.ts';
import type { Interruption, RunOutcome } from './run.ts';

/** The exit codes of SPEC §2; scripts and alerts depend on them. */
export const ExitCode = {
  Success: 0,
  Fatal: 1,
  Usage: 2,
  Partial: 3,
  Refused: 4,
  Locked: 5,
  Drift: 6,
  Interrupted: 130,
  Terminated: 143,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** What a command ended with, as far as its exit code is concerned. */
export type CommandResult =
  /** Did what it was asked (help and --version included). */
  | { kind: 'done' }
  /** A sync run, finished or stopped. */
  | { kind: 'run'; outcome: RunOutcome; interruption: Interruption | null }
  /** repair: problems that are still there after it ran (or that --check found). */
  | { kind: 'repair'; remaining: number }
  /**
   * check: the config's problems (any is exit 2), and with --online how many controllers answered
   * and how many did not: some failing is partial (3), all failing is fatal (1), as for a sync.
   */
  | { kind: 'check'; problems: number; online: { ok: number; failed: number } | null }
  /** A signal arrived a second time: the process stops at once. */
  | { kind: 'signal'; signal: Interruption }
  | { kind: 'error'; error: unknown };

/** The one place where a result becomes an exit code (like @arethetypeswrong/cli's getExitCode). */
export function getExitCode(result: CommandResult): ExitCode {
  switch (result.kind) {
    case 'done':
      return ExitCode.Success;
    case 'repair':
      return result.remaining > 0 ? ExitCode.Fatal : ExitCode.Success;
    case 'check':
      if (result.problems > 0) return ExitCode.Usage;
      if (!result.online || result.online.failed === 0) return ExitCode.Success;
      return result.online.ok === 0 ? ExitCode.Fatal : ExitCode.Partial;
    case 'signal':
      return signalCode(result.signal);
    case 'error':
      if (result.error instanceof UsageError || result.error instanceof ConfigError) return ExitCode.Usage;
      if (result.error instanceof LockHeldError) return ExitCode.Locked;
      return ExitCode.Fatal;
    case 'run':
      return RUN_CODES[result.outcome] ?? signalCode(result.interruption ?? 'SIGTERM');
  }
}

const RUN_CODES: Partial<Record<RunOutcome, ExitCode>> = {
  success: ExitCode.Success,
  partial: ExitCode.Partial,
  refused: ExitCode.Refused,
  drift: ExitCode.Drift,
  failed: ExitCode.Fatal,
};

function signalCode(signal: Interruption): ExitCode {
  return signal === 'SIGINT' ? ExitCode.Interrupted : ExitCode.Terminated;
}
