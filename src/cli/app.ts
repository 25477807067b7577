import { existsSync } from '../system/fs.ts';
import { resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { resolveConfigPath } from '../config/resolve.ts';
import type { Config, Settings } from '../config/types.ts';
import type { SyncPolicy } from '../domain/run.ts';
import { ConfigError, UsageError } from '../domain/errors.ts';
import type { CommandResult } from '../domain/exit-codes.ts';
import { createLogger, LOG_LEVELS, type LogFormat, type Logger, type LogLevel } from '../log/logger.ts';
import type { LegacySummary } from '../legacy/index.ts';
import { LegacyDatabaseMet, openStore, type OpenOptions, type Store } from '../store/database.ts';
import { createOutput, type Output } from './output.ts';

/** What a command may touch of the outside world; tests pass their own. */
export interface Io {
  /** `columns`: a terminal's width, which tables fit. */
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** The global options of SPEC §2, as commander parsed them. */
export interface GlobalOptions {
  config?: string;
  db?: string;
  logFormat?: string;
  logLevel?: string;
  color?: boolean;
  quiet?: boolean;
}

/** Everything a command needs besides its own options. */
export interface App {
  readonly io: Io;
  readonly logger: Logger;
  readonly output: Output;
  /** --quiet: no progress, only warnings and errors. */
  readonly quiet: boolean;
  /** See resolveDbPath. */
  readonly dbPath: string;
  /** The config file that loadConfig would read; a ConfigError when none is found. */
  configPath(): string;
  /** Finds and validates the config file; only commands that talk to controllers call it. */
  loadConfig(overrides?: { policy?: SyncPolicy; concurrency?: number }): Promise<Config>;
  /** The config when a file is found, else null: for a command that may talk to controllers if it can. */
  loadConfigIfPresent(): Promise<Config | null>;
  /** The config's settings when a file is found, else null: for read-only commands, which read no key. */
  loadSettingsIfPresent(): Promise<Settings | null>;
  /**
   * Opens the database at dbPath. A legacy database met on the way is converted (a writing open)
   * or refused (a read-only one); the conversion's summary is logged unless the command prints it.
   */
  openStore(options: OpenOptions & { printsLegacy?: boolean }): Promise<OpenedStore>;
  /** Stops the process at once with this code: a signal asked twice (nothing else may exit). */
  exitNow(code: number): never;
}

export interface OpenedStore extends Store {
  /** What converting a legacy database did, when this open converted one. */
  legacy: LegacySummary | null;
}

export function createApp(io: Io, options: GlobalOptions, exitNow: (code: number) => never): App {
  const logger = createLogger({
    stream: io.stderr,
    format: logFormat(io, options),
    level: options.quiet ? 'warn' : logLevel(io.env, options.logLevel),
    color: colorAllowed(io.stderr, io.env, options.color),
  });
  const output = createOutput(io.stdout, colorAllowed(io.stdout, io.env, options.color));
  const dbPath = resolveDbPath(options.db, io.env, io.cwd, existsSync);

  const load = async (path: string, overrides?: { policy?: SyncPolicy; concurrency?: number }) => {
    // Loaded on demand: the YAML and schema libraries are most of a read-only command's start-up.
    const { loadConfig } = await import('../config/load.ts');
    const config = loadConfig({ path, env: io.env, overrides });
    for (const controller of config.controllers) logger.redact(controller.apiKey);
    return loaded(config);
  };
  const loadSettings = async (path: string) => loaded((await import('../config/load.ts')).loadSettings({ path }));
  const loaded = <T extends Settings>(config: T): T => {
    for (const warning of config.warnings) logger.warn(warning);
    logger.debug('config loaded', { file: config.file, controllers: config.controllers.length });
    return config;
  };
  const find = () => resolveConfigPath({ flag: options.config, env: io.env, cwd: io.cwd });
  const configPath = () => {
    const found = find();
    if (!found) {
      throw new ConfigError(
        'no config file found (looked for ./dnssync.yaml, ./dnssync.yml, ./dnssync.json, $CONFIG_PATH and /config/controllers.json); pass --config PATH',
      );
    }
    return found.path;
  };

  return {
    io,
    logger,
    output,
    quiet: options.quiet === true,
    dbPath,
    configPath,
    async loadConfig(overrides) {
      return load(configPath(), overrides);
    },
    async loadConfigIfPresent() {
      const found = find();
      return found ? load(found.path) : null;
    },
    async loadSettingsIfPresent() {
      const found = find();
      return found ? loadSettings(found.path) : null;
    },
    async openStore(openOptions) {
      try {
        return { ...openStore(dbPath, openOptions), legacy: null };
      } catch (error) {
        if (!(error instanceof LegacyDatabaseMet)) throw error;
      }
      // Loaded only now: most databases are never legacy ones.
      const { convertOrRefuse, logLegacySummary } = await import('../legacy/index.ts');
      const converted = convertOrRefuse(dbPath, openOptions.readOnly === true);
      const store = openStore(dbPath, openOptions);
      if (converted && !openOptions.printsLegacy) logLegacySummary(logger, converted.summary);
      return { ...store, applied: [...(converted?.migrations ?? []), ...store.applied], legacy: converted?.summary ?? null };
    },
    exitNow,
  };
}

/** A command's work: it gets the app and its own parsed options; getExitCode turns its result into the exit code. */
export type CommandAction<Options> = (app: App, options: Options) => Promise<CommandResult> | CommandResult;
export type Runner = <Options>(action: CommandAction<Options>) => (options: Options) => Promise<void>;

/** Where the Python tool kept its database when DB_PATH was not set. */
export const LEGACY_DB_PATH = '/data/dns_sync.db';

/**
 * --db, DNSSYNC_DB, the legacy DB_PATH, then ./dnssync.db — or, when that does not exist but
 * the legacy tool's default file does, that file: a user who swaps the image and keeps the
 * volume carries on without setting anything (the file is converted in place on first use).
 */
export function resolveDbPath(flag: string | undefined, env: NodeJS.ProcessEnv, cwd: string, exists: (path: string) => boolean): string {
  const named = flag ?? (nonEmpty(env.DNSSYNC_DB) || nonEmpty(env.DB_PATH));
  if (named !== undefined) return resolve(cwd, named);
  const local = resolve(cwd, 'dnssync.db');
  return !exists(local) && exists(LEGACY_DB_PATH) ? LEGACY_DB_PATH : local;
}

/** The log format before commander has parsed anything, for errors in parsing itself. */
export function earlyLogger(io: Io, argv: string[]): Logger {
  const flag = argv.find((_, i) => argv[i - 1] === '--log-format') ?? argv.find((a) => a.startsWith('--log-format='))?.slice(13);
  const format: LogFormat = flag === 'json' || flag === 'text' ? flag : defaultFormat(io);
  return createLogger({ stream: io.stderr, format, level: 'error', color: colorAllowed(io.stderr, io.env, !argv.includes('--no-color')) });
}

function logFormat(io: Io, options: GlobalOptions): LogFormat {
  const value = options.logFormat ?? nonEmpty(io.env.DNSSYNC_LOG_FORMAT);
  if (value === undefined) return defaultFormat(io);
  if (value !== 'text' && value !== 'json') {
    const where = options.logFormat !== undefined ? '--log-format' : 'DNSSYNC_LOG_FORMAT';
    throw new UsageError(`${where}: expected text or json, got '${value}'`);
  }
  return value;
}

// The legacy tool's LOG_LEVEL used Python's names; accept them so old deployments keep working.
const LEGACY_LEVELS: Record<string, LogLevel> = { warning: 'warn', critical: 'error' };

function logLevel(env: NodeJS.ProcessEnv, flag: string | undefined): LogLevel {
  const [where, raw] =
    flag !== undefined
      ? ['--log-level', flag]
      : nonEmpty(env.DNSSYNC_LOG_LEVEL)
        ? ['DNSSYNC_LOG_LEVEL', env.DNSSYNC_LOG_LEVEL!]
        : nonEmpty(env.LOG_LEVEL)
          ? ['LOG_LEVEL', env.LOG_LEVEL!]
          : ['default', 'info'];
  const value = raw.toLowerCase();
  const level = LEGACY_LEVELS[value] ?? value;
  if (!(LOG_LEVELS as string[]).includes(level)) {
    throw new UsageError(`${where}: expected one of ${LOG_LEVELS.join(', ')}, got '${raw}'`);
  }
  return level as LogLevel;
}

function defaultFormat(io: Io): LogFormat {
  return io.stderr.isTTY ? 'text' : 'json';
}

/** Colour only on a terminal, and never with NO_COLOR (non-empty) or --no-color. */
function colorAllowed(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv, flag: boolean | undefined): boolean {
  return stream.isTTY === true && !nonEmpty(env.NO_COLOR) && flag !== false;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
