/** From schema-checked data to controller drafts and sync settings: defaults and cross-field rules, no I/O. */
import type { ConfigError } from '../domain/errors.ts';
import type { KeySource } from './key.ts';
import { formatPath, type KeyPath } from './path.ts';
import type { RawConfig, RawController } from './schema.ts';
import type { Source } from './source.ts';
import { DEFAULT_SYNC, type ControllerSettings, type SyncConfig } from './types.ts';
import { type SyncPolicy } from '../domain/run.ts';
import { RECORD_TYPES, type RecordType } from '../domain/policy.ts';

/** A controller before its key and CA file are read; `at` and the paths say where to point errors. */
export interface Draft extends ControllerSettings {
  at: KeyPath;
  /** The keys holding the URL and the record types, which the legacy format names differently. */
  fields: { url: string; recordTypes: string };
  /** Null when none is given (reported), so that a check can still compare it with the others. */
  key: { source: KeySource; value: string; path: KeyPath } | null;
}

const KEY_FIELDS = [
  ['apiKeyFile', 'file'],
  ['apiKeyEnv', 'env'],
  ['apiKey', 'inline'],
] as const;

/**
 * Where a rule's problem goes: thrown, so that loading stops at the first (the default), or
 * collected, so that `dnssync check` can report every problem of the file at once.
 */
export type Report = (problem: ConfigError) => void;
export const raise: Report = (problem) => {
  throw problem;
};

export function draftsFromConfig(raw: RawConfig, source: Source, report: Report = raise): { drafts: Draft[]; warnings: string[] } {
  const warnings: string[] = [];
  const drafts = raw.controllers.map((c, i) => draftFromController(c, ['controllers', i], source, warnings, report));
  return { drafts, warnings };
}

/** One controller entry. */
export function draftFromController(c: RawController, at: KeyPath, source: Source, warnings: string[], report: Report = raise): Draft {
  const given = KEY_FIELDS.filter(([field]) => c[field] != null);
  if (given.length === 0) report(source.error(at, 'no API key; give one of apiKeyFile, apiKeyEnv or apiKey'));
  if (given.length > 1) report(source.error([...at, given[1]![0]], `give only one of ${given.map(([f]) => f).join(', ')}`));
  const [field, keySource] = given[0] ?? [];
  const name = c.name ?? c.url.host;
  const verify = c.tls?.verify ?? true;
  const enabled = c.clients?.enabled ?? false;
  if (enabled && c.clients?.domainSuffix == null) {
    report(source.error([...at, 'clients', 'domainSuffix'], 'required when clients.enabled is true'));
  }
  if (keySource === 'inline') warnings.push(`${formatPath([...at, field!])}: API key inline in the config file; prefer apiKeyFile or apiKeyEnv`);
  if (!verify) warnings.push(`${formatPath([...at, 'tls', 'verify'])}: TLS certificate verification is off for controller ${name}`);
  if (c.url.url.startsWith('http:')) {
    warnings.push(`${formatPath([...at, 'url'])}: plain http: the API key crosses the network unencrypted to controller ${name}`);
  }
  return {
    at,
    fields: { url: 'url', recordTypes: 'recordTypes' },
    name,
    url: c.url.url,
    host: c.url.host,
    key: field && keySource ? { source: keySource, value: c[field]!, path: [...at, field] } : null,
    tls: { verify, ...(c.tls?.caFile != null && { caFile: c.tls.caFile }), ...(c.tls?.fingerprint != null && { fingerprint: c.tls.fingerprint }) },
    sites: c.sites ?? null,
    excludeSites: c.excludeSites ?? [],
    recordTypes: c.recordTypes ? unique(c.recordTypes) : null,
    clients: { enabled, domainSuffix: c.clients?.domainSuffix ?? '', ...(c.clients?.naming === 'legacy' && { naming: 'legacy' as const }) },
    ...(c.writesPerSecond != null && { writesPerSecond: c.writesPerSecond }),
    ...(c.originScope != null && { originScope: c.originScope }),
  };
}

/** Command-line flags win over the file, the file over the defaults (SPEC §2). */
export function syncFromConfig(raw: RawConfig['sync'], overrides: { policy?: SyncPolicy; concurrency?: number } = {}): SyncConfig {
  return {
    recordTypes: raw?.recordTypes ? unique(raw.recordTypes) : [...DEFAULT_SYNC.recordTypes],
    domains: raw?.domains ?? [],
    excludeDomains: raw?.excludeDomains ?? [],
    policy: overrides.policy ?? (raw?.policy as SyncPolicy | null | undefined) ?? DEFAULT_SYNC.policy,
    orphanGracePeriodMs: raw?.orphanGracePeriod ?? DEFAULT_SYNC.orphanGracePeriodMs,
    retryRefusedAfterMs: raw?.retryRefusedAfter ?? DEFAULT_SYNC.retryRefusedAfterMs,
    maxDeletePercent: raw?.maxDeletePercent ?? DEFAULT_SYNC.maxDeletePercent,
    concurrency: overrides.concurrency ?? raw?.concurrency ?? DEFAULT_SYNC.concurrency,
    requestTimeoutMs: raw?.requestTimeout ?? DEFAULT_SYNC.requestTimeoutMs,
    writesPerSecond: raw?.writesPerSecond ?? DEFAULT_SYNC.writesPerSecond,
    originScope: raw?.originScope ?? DEFAULT_SYNC.originScope,
  };
}

/** Names label output and hosts identify controllers in the database: both must be unique. */
export function checkUnique(drafts: readonly Draft[], source: Source, report: Report = raise): void {
  drafts.forEach((d, i) => {
    const first = drafts.findIndex((o) => o.host === d.host);
    if (first < i) report(source.error([...d.at, d.fields.url], `same host ${d.host} as ${formatPath(drafts[first]!.at)}`));
    const named = drafts.findIndex((o) => o.name === d.name);
    // A name that is the host (the default) repeats with it: one problem, not two.
    if (named < i && !(first < i && d.name === d.host)) report(source.error([...d.at, 'name'], `duplicate controller name "${d.name}" (also ${formatPath(drafts[named]!.at)})`));
  });
}

/** Controllers that sync different record types pass some records one way only; worth one warning. */
export function recordTypeWarning(drafts: readonly Draft[], sync: SyncConfig): string | undefined {
  const order = (t: RecordType) => RECORD_TYPES.indexOf(t);
  const sets = drafts.map((d) => (d.recordTypes ?? sync.recordTypes).toSorted((a, b) => order(a) - order(b)).join(', '));
  if (new Set(sets).size <= 1) return undefined;
  // Point at a controller that has its own list: that is what makes them differ.
  const odd = drafts.find((d, i) => d.recordTypes !== null && sets.some((s) => s !== sets[i]))!;
  const list = drafts.map((d, i) => `${d.name}: ${sets[i]}`).join('; ');
  return `${formatPath([...odd.at, odd.fields.recordTypes])}: controllers sync different record types (${list}); a record of a type a controller does not sync is neither read from nor written to it`;
}

function unique(types: RecordType[]): RecordType[] {
  return [...new Set(types)];
}
