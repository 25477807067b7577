/** Shape of the config files. Defaults are applied later, so `null` (an empty YAML value) means "not given". */
import { parseDuration } from './duration.ts';
import type { KeyPath } from './path.ts';
import { boolean, list, mapping, number, oneOf, string, stringOrNumber, type Issue, type Output, type Schema } from './shape.ts';
import type { Source } from './source.ts';
import { SYNC_POLICIES } from '../domain/run.ts';
import { ORIGIN_SCOPES } from './types.ts';
import { normalizeDomainPattern, normalizeDomainSuffix, normalizeFingerprint, normalizeUrl, parseRecordType } from './values.ts';

/** A string checked by a plain function that throws Error: its message becomes the problem at this key. */
export const checkedString = <T>(check: (v: string) => T) => string().transform(check);

const duration = stringOrNumber('expected a duration such as 30s, 15m or 1h30m').transform(parseDuration);

/** SPEC §3: 0 is "no limit", as when it is left out. */
const writesPerSecond = number().refine((n) => n >= 0, 'must be a positive number (writes a second), or 0 for no limit');

const text = (what: string) => string().transform((v) => v.trim()).refine((v) => v.length > 0, `empty ${what}`);
const sites = list(text('site name'));
const recordTypes = list(checkedString(parseRecordType)).min(1, 'empty list; give at least one record type');
const domains = list(checkedString(normalizeDomainPattern));

const controller = mapping({
  name: text('name').nullish(),
  url: checkedString(normalizeUrl),
  apiKeyFile: text('file name').nullish(),
  apiKeyEnv: string().refine((v) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(v), 'not an environment variable name').nullish(),
  apiKey: string().nullish(),
  tls: mapping({
      verify: boolean().nullish(),
      caFile: text('file name').nullish(),
      fingerprint: checkedString(normalizeFingerprint).nullish(),
    })
    .nullish(),
  sites: sites.min(1, 'empty list; leave sites out to sync every site').nullish(),
  excludeSites: sites.nullish(),
  recordTypes: recordTypes.nullish(),
  clients: mapping({
      enabled: boolean().nullish(),
      domainSuffix: checkedString(normalizeDomainSuffix).nullish(),
      naming: oneOf(['dnssync', 'legacy']).nullish(),
    })
    .nullish(),
  writesPerSecond: writesPerSecond.nullish(),
  originScope: oneOf(ORIGIN_SCOPES).nullish(),
});

/** One controller entry: `dnssync check` validates each on its own too, to go on past another's problem. */
export const controllerSchema = controller;

export const configSchema = mapping({
  controllers: list(controller).min(1, 'empty list; at least one controller is needed'),
  sync: mapping({
      recordTypes: recordTypes.nullish(),
      domains: domains.nullish(),
      excludeDomains: domains.nullish(),
      policy: oneOf(SYNC_POLICIES).nullish(),
      orphanGracePeriod: duration.nullish(),
      retryRefusedAfter: duration.nullish(),
      maxDeletePercent: number().refine((n) => n >= 0 && n <= 100, 'must be from 0 to 100').nullish(),
      concurrency: number().refine((n) => Number.isInteger(n) && n >= 1 && n <= 64, 'must be an integer from 1 to 64').nullish(),
      writesPerSecond: writesPerSecond.nullish(),
      originScope: oneOf(ORIGIN_SCOPES).nullish(),
      requestTimeout: duration.refine((ms) => ms > 0 && ms <= 3_600_000, 'must be more than 0 and at most 1h').nullish(),
    })
    .nullish(),
});
export type RawConfig = Output<typeof configSchema>;
export type RawController = RawConfig['controllers'][number];

/** The data if it fits the schema; else a ConfigError for the problem nearest the top of the file, where a reader starts fixing. */
export function validate<T>(schema: Schema<T>, data: unknown, source: Source): T {
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  const problems = parsed.issues.map(problemOf);
  const line = (p: (typeof problems)[number]) => source.lineOf(p.path) ?? Infinity;
  const first = problems.reduce((a, b) => (line(b) < line(a) ? b : a));
  throw source.error(first.path, first.problem);
}

/** One problem per issue: of a mapping's unknown keys, the first is named. */
export function problemOf(issue: Issue): { path: KeyPath; problem: string } {
  return 'problem' in issue ? issue : { path: [...issue.path, issue.unknownKeys[0]!], problem: 'unknown key' };
}
