import { CommanderError } from 'commander';
import { ConfigError, DatabaseError, LockHeldError, UsageError } from '../errors.ts';

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

/** The one place where an error becomes an exit code. */
export function exitCodeFor(error: unknown): ExitCode {
  if (error instanceof CommanderError) {
    return error.exitCode === 0 ? ExitCode.Success : ExitCode.Usage;
  }
  if (error instanceof UsageError || error instanceof ConfigError) return ExitCode.Usage;
  if (error instanceof LockHeldError) return ExitCode.Locked;
  if (error instanceof DatabaseError) return ExitCode.Fatal;
  return ExitCode.Fatal;
}
