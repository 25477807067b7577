/**
 * The one error hierarchy of dnssync. Every failure a user can cause or meet is one of these;
 * `getExitCode` in ./exit-codes.ts is the only place that turns them into exit codes.
 * Messages are one line, name what is wrong and where, and never carry a secret.
 */
export class DnssyncError extends Error {
  override name = 'DnssyncError';
}

/** Bad command-line usage (unknown option, bad value): exit 2. */
export class UsageError extends DnssyncError {
  override name = 'UsageError';
}

/** Invalid config: exit 2. `file` and `keyPath` (e.g. `controllers[0].tls.verify`) say where. */
export class ConfigError extends DnssyncError {
  override name = 'ConfigError';
  readonly problem: string;
  readonly file?: string;
  readonly keyPath?: string;

  constructor(
    problem: string,
    file?: string,
    keyPath?: string,
  ) {
    super([file, keyPath, problem].filter(Boolean).join(': '));
    this.problem = problem;
    this.file = file;
    this.keyPath = keyPath;
  }
}

/** The database cannot be used (corrupt, not SQLite, newer schema, I/O): exit 1. */
export class DatabaseError extends DnssyncError {
  override name = 'DatabaseError';
  readonly file: string;

  constructor(
    message: string,
    file: string,
  ) {
    super(message);
    this.file = file;
  }
}

/** Another sync holds the database lock: exit 5. */
export class LockHeldError extends DnssyncError {
  override name = 'LockHeldError';
}
