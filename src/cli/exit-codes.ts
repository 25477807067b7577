import { CommanderError } from 'commander';
import { ConfigError, DatabaseError, LockHeldError, UsageError } from '../domain/errors.ts';
import { ExitCode } from '../domain/exit-codes.ts';

export { ExitCode };

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
