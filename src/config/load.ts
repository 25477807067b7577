/** Reads, checks and completes a config file: the only entry point the rest of dnssync needs. */
import { readFileSync } from '../system/fs.ts';
import { dirname, extname, resolve } from 'node:path';
import { ConfigError, UsageError } from '../domain/errors.ts';
import { checkUnique, draftsFromConfig, raise, recordTypeWarning, syncFromConfig, type Draft, type Report } from './build.ts';
import { keyFingerprint, readApiKey, reason } from './key.ts';
import { draftsFromLegacy, legacySchema, legacyWriteTypes, readTypesWarning } from './legacy.ts';
import { configSchema, validate } from './schema.ts';
import { parseSource, type Source } from './source.ts';
import { type Config, type ControllerConfig, type ControllerSettings, type Settings, type SyncConfig } from './types.ts';
import { SYNC_POLICIES, type SyncPolicy } from '../domain/run.ts';

export { resolveConfigPath } from './resolve.ts';

export interface LoadOptions {
  path: string;
  env: NodeJS.ProcessEnv;
  /** The command-line flags, which win over the file. */
  overrides?: { policy?: SyncPolicy; concurrency?: number };
}

/**
 * The config file checked whole, with every controller's key and CA file read: for the commands
 * that talk to controllers. Throws ConfigError (exit 2) for any problem in the file, UsageError
 * for a bad override.
 */
export function loadConfig(options: LoadOptions): Config {
  return load(options, (drafts, source, baseDir, secrets) => drafts.flatMap((d) => complete(d, source, options.env, baseDir, secrets) ?? []));
}

/**
 * The config file checked whole as loadConfig checks it, but no key or CA file read: for the
 * read-only commands, which use only its settings and so need no secret (an admin runs them
 * where the CronJob's key is not at hand). Throws as loadConfig does.
 */
export function loadSettings(options: { path: string }): Settings {
  return load(options, (drafts, _source, baseDir) => drafts.map((d) => settingsOf(d, baseDir)));
}

function load<C extends ControllerSettings>(
  options: Omit<LoadOptions, 'env'>,
  controllersOf: (drafts: Draft[], source: Source, baseDir: string, secrets: string[]) => C[],
): Settings & { controllers: C[] } {
  const { path: file, overrides = {} } = options;
  checkOverrides(overrides);
  const { data, source, syntax } = readConfigSource(file);
  // Problems are worded never to quote a value; this catches what slips through (e.g. an inline key repeated as a key name).
  const secrets = inlineKeys(data);
  try {
    const { drafts, ...settings } = build(data, source, syntax, overrides);
    const controllers = controllersOf(drafts, source, dirname(settings.file), secrets);
    return { ...settings, controllers, warnings: settings.warnings.map((w) => hide(w, secrets)) };
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    throw hideIn(e, secrets);
  }
}

/** The file parsed, with the line of every key; a ConfigError when it cannot be read or parsed at all. */
export function readConfigSource(file: string): { data: unknown; source: Source; syntax: 'yaml' | 'json' } {
  const ext = extname(file).toLowerCase();
  const syntax = ext === '.yaml' || ext === '.yml' ? 'yaml' : ext === '.json' ? 'json' : undefined;
  if (!syntax) throw new ConfigError(`unsupported file type "${ext || '(none)'}"; use .yaml, .yml or .json`, file);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const why = reason(e);
    throw new ConfigError(why === 'not found' ? 'file not found' : `cannot read the file: ${why}`, file);
  }
  const { data, source } = parseSource(file, text, syntax);
  return { data, source, syntax };
}

/** A legacy controllers array (JSON only), or null when the top level is neither that nor a mapping (reported). */
export function configFormat(data: unknown, source: Source, syntax: 'yaml' | 'json', report: Report = raise): 'config' | 'legacy' | null {
  if (syntax === 'json' && Array.isArray(data)) return 'legacy';
  if (data !== null && typeof data === 'object' && !Array.isArray(data)) return 'config';
  const hint = Array.isArray(data) ? ' (a legacy controllers array must be a .json file)' : '';
  report(source.error([], `the top level must be a mapping with controllers:${hint}`));
  return null;
}

/** Everything but the controllers' keys and CA files, which need I/O and only some commands. */
function build(data: unknown, source: Source, syntax: 'yaml' | 'json', overrides: NonNullable<LoadOptions['overrides']>): Omit<Settings, 'controllers'> & { drafts: Draft[] } {
  const legacy = configFormat(data, source, syntax) === 'legacy';
  let drafts: Draft[], warnings: string[], sync: SyncConfig;
  if (legacy) {
    ({ drafts, warnings } = draftsFromLegacy(validate(legacySchema, data, source), source));
    sync = { ...syncFromConfig(undefined, overrides), recordTypes: legacyWriteTypes(drafts) };
  } else {
    const raw = validate(configSchema, data, source);
    ({ drafts, warnings } = draftsFromConfig(raw, source));
    sync = syncFromConfig(raw.sync, overrides);
  }
  checkUnique(drafts, source);
  const typesWarning = legacy ? readTypesWarning(drafts, sync.recordTypes) : recordTypeWarning(drafts, sync);
  return {
    file: resolve(source.file),
    format: legacy ? 'legacy-json' : syntax,
    drafts,
    sync,
    warnings: typesWarning ? [...warnings, typesWarning] : warnings,
  };
}

/**
 * The I/O part of a controller: its key and its CA file; relative paths are taken from the config's
 * folder. Null when there is no key or it cannot be read (reported); the key read is added to `secrets`.
 */
export function complete(d: Draft, source: Source, env: NodeJS.ProcessEnv, baseDir: string, secrets: string[], report: Report = raise): ControllerConfig | null {
  let apiKey: string | undefined;
  if (d.key) {
    try {
      apiKey = readApiKey(d.key.source, d.key.value, env, baseDir);
      secrets.push(apiKey);
    } catch (e) {
      report(source.error(d.key.path, (e as Error).message));
    }
  }
  const settings = settingsOf(d, baseDir);
  const { caFile } = settings.tls;
  if (caFile !== undefined) {
    let pem: string | undefined;
    try {
      pem = readFileSync(caFile, 'utf8');
    } catch (e) {
      report(source.error([...d.at, 'tls', 'caFile'], `cannot read CA file ${caFile}: ${reason(e)}`));
    }
    if (pem !== undefined && !pem.includes('-----BEGIN CERTIFICATE-----')) {
      report(source.error([...d.at, 'tls', 'caFile'], `CA file ${caFile} holds no PEM certificate`));
    }
  }
  if (apiKey === undefined || d.key === null) return null;
  return { ...settings, apiKey, keyFingerprint: keyFingerprint(apiKey), keySource: d.key.source };
}

/** A draft as the settings keep it: its CA file's path made absolute, without where it was in the file or its key. */
function settingsOf(d: Draft, baseDir: string): ControllerSettings {
  const { at: _at, fields: _fields, key: _key, ...settings } = d;
  return settings.tls.caFile === undefined ? settings : { ...settings, tls: { ...settings.tls, caFile: resolve(baseDir, settings.tls.caFile) } };
}

function checkOverrides(o: NonNullable<LoadOptions['overrides']>): void {
  if (o.policy !== undefined && !SYNC_POLICIES.includes(o.policy)) {
    throw new UsageError(`--policy: must be one of ${SYNC_POLICIES.join(', ')}`);
  }
  if (o.concurrency !== undefined && !(Number.isInteger(o.concurrency) && o.concurrency >= 1 && o.concurrency <= 64)) {
    throw new UsageError('--concurrency: must be an integer from 1 to 64');
  }
}

/** Inline keys as written, before validation, so that even an error about their own entry can hide them. */
export function inlineKeys(data: unknown): string[] {
  const entries = Array.isArray(data) ? data : (data as { controllers?: unknown } | null)?.controllers;
  if (!Array.isArray(entries)) return [];
  return entries
    .flatMap((c: unknown) => (c && typeof c === 'object' ? [(c as Record<string, unknown>).apiKey, (c as Record<string, unknown>).api_key] : []))
    .filter((k): k is string => typeof k === 'string')
    .map((k) => k.trim());
}

function hide(text: string, secrets: readonly string[]): string {
  // Very short "keys" would blank out ordinary words; real API keys are long.
  return secrets.filter((s) => s.length >= 8).reduce((t, s) => t.replaceAll(s, '[redacted]'), text);
}

/** The error itself when it holds no secret, else the same error with every secret hidden. */
export function hideIn(e: ConfigError, secrets: readonly string[]): ConfigError {
  const clean = (t: string | undefined) => t && hide(t, secrets);
  return e.message === hide(e.message, secrets) ? e : new ConfigError(clean(e.problem)!, clean(e.file), clean(e.keyPath));
}
