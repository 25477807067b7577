import { Command, CommanderError } from 'commander';
import { DnssyncError, UsageError } from '../domain/errors.ts';
import { getExitCode, type CommandResult } from '../domain/exit-codes.ts';
import { VERSION } from '../engine/version.ts';
import { toDatabaseError } from '../store/database.ts';
import { createApp, earlyLogger, type App, type Io, type Runner } from './app.ts';

/**
 * Each command's module, in the order help lists them. Only the one that runs is loaded (with what
 * it imports): every command's modules took `history --record` 7–11 ms more to start (issue 13).
 * Help, completion and a command name that is wrong load them all.
 */
const COMMANDS: Record<string, () => Promise<(run: Runner) => Command>> = {
  sync: async () => (await import('./commands/sync.ts')).syncCommand,
  migrate: async () => (await import('./commands/migrate.ts')).migrateCommand,
  history: async () => (await import('./commands/history.ts')).historyCommand,
  orphans: async () => (await import('./commands/orphans.ts')).orphansCommand,
  repair: async () => (await import('./commands/repair.ts')).repairCommand,
  completion: async () => (await import('./commands/completion.ts')).completionCommand,
  status: async () => (await import('./commands/status.ts')).statusCommand,
  records: async () => (await import('./commands/records.ts')).recordsCommand,
  check: async () => (await import('./commands/check.ts')).checkCommand,
};

/**
 * Runs the CLI and returns its exit code. Nothing below this calls process.exit but `exit`, which
 * a command calls (through app.exitNow) only for a signal asked twice.
 */
export async function main(argv: string[], io: Io = processIo(), exit: (code: number) => never = process.exit): Promise<number> {
  let app: App | undefined;
  let result: CommandResult = { kind: 'done' };
  const program = buildProgram(io);
  const run: Runner = (action) => async (options) => {
    app = createApp(io, program.opts(), exit);
    result = await action(app, options);
  };
  const commands = await Promise.all(commandsFor(argv).map((name) => COMMANDS[name]!()));
  for (const command of commands) program.addCommand(command(run).copyInheritedSettings(program));

  if (argv.length === 0) {
    program.outputHelp({ error: true });
    return getExitCode({ kind: 'error', error: new UsageError('no command') });
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return getExitCode(result);
  } catch (error) {
    // A SQLite failure deep inside a command (disk full, corruption met mid-run) names the file too.
    const described = (app && toDatabaseError(error, app.dbPath)) ?? error;
    const usage = usageError(described);
    if (usage) {
      // Said to a person who typed the command, so plain text whatever the log format: a JSON log
      // line is for a collector, and a cron job's collector has no use for a typo.
      const command = commandOf(argv);
      io.stderr.write(`dnssync: ${usage.message.replace(/\s*\n\s*/g, ' ')} (see dnssync ${command ? `${command} ` : ''}--help)\n`);
      return getExitCode({ kind: 'error', error: usage });
    }
    return getExitCode(report(described, app?.logger ?? earlyLogger(io, argv)));
  }
}

function buildProgram(io: Io): Command {
  return new Command('dnssync')
    .description('Keep the local DNS records of every site on many UniFi Network controllers in step.')
    .version(VERSION, '--version', 'print the version and exit')
    .helpOption('-h, --help', 'show help')
    .option('--config <path>', 'config file (env DNSSYNC_CONFIG; default ./dnssync.yaml, ./dnssync.json, /config/controllers.json)')
    .option('--db <path>', 'SQLite database (env DNSSYNC_DB or DB_PATH; default ./dnssync.db)')
    .option('--log-format <format>', 'text or json (env DNSSYNC_LOG_FORMAT; default text on a terminal, json otherwise)')
    .option('--log-level <level>', 'error, warn, info or debug (env DNSSYNC_LOG_LEVEL; default info)')
    .option('--no-color', 'no colour, even on a terminal (also env NO_COLOR)')
    .option('--quiet', 'log only warnings and errors, and no progress')
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      // Usage errors are reported once, by main(), as one plain line.
      outputError: () => {},
    })
    .exitOverride()
    .showSuggestionAfterError(true);
}

/** The usage error an error is, if it is one: commander's own (unknown option, bad value) or ours. */
function usageError(error: unknown): UsageError | null {
  if (error instanceof UsageError) return error;
  // --help and --version end this way too, with exit code 0.
  if (error instanceof CommanderError && error.exitCode !== 0) return new UsageError(error.message.replace(/^error: /, ''));
  return null;
}

/** The commands a command line needs: its own; none to print the version; all to list them (help, completion, a wrong name). */
function commandsFor(argv: string[]): string[] {
  const named = commandOf(argv);
  if (named && named !== 'completion') return [named];
  if (!named && argv.includes('--version') && !argv.includes('--help') && !argv.includes('-h')) return [];
  return Object.keys(COMMANDS);
}

/** The command argv names, for the help hint; the values of the global options are skipped. */
function commandOf(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (GLOBAL_VALUE_OPTIONS.has(arg)) i++;
    else if (!arg.startsWith('-')) return Object.hasOwn(COMMANDS, arg) ? arg : undefined;
  }
  return undefined;
}

const GLOBAL_VALUE_OPTIONS = new Set(['--config', '--db', '--log-format', '--log-level']);

/** Logs an error once, and says what it ends the command with. */
function report(error: unknown, logger: App['logger']): CommandResult {
  if (error instanceof CommanderError) return { kind: 'done' };
  if (error instanceof DnssyncError) {
    logger.error(error.message);
  } else {
    logger.error(`internal error: ${(error as Error)?.message ?? String(error)}`);
    logger.debug((error as Error)?.stack ?? '');
  }
  return { kind: 'error', error };
}

function processIo(): Io {
  // `dnssync history | head` closes the pipe early; that is not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}
