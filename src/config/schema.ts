/** Shape of the config files. Defaults are applied later, so `null` (an empty YAML value) means "not given". */
import { z } from 'zod';
import { parseDuration } from './duration.ts';
import type { KeyPath } from './path.ts';
import type { Source } from './source.ts';
import { SYNC_POLICIES } from '../domain/run.ts';
import { ORIGIN_SCOPES } from './types.ts';
import { normalizeDomainPattern, normalizeDomainSuffix, normalizeFingerprint, normalizeUrl, parseRecordType } from './values.ts';

/** A string checked by a plain function that throws Error: its message becomes the problem at this key. */
export const checkedString = <T>(check: (v: string) => T) =>
  z.string().transform((v, ctx) => {
    try {
      return check(v);
    } catch (e) {
      ctx.issues.push({ code: 'custom', message: (e as Error).message, input: v });
      return z.NEVER;
    }
  });

const duration = z.union([z.string(), z.number()], { error: 'expected a duration such as 30s, 15m or 1h30m' }).transform((v, ctx) => {
  try {
    return parseDuration(v);
  } catch (e) {
    ctx.issues.push({ code: 'custom', message: (e as Error).message, input: v });
    return z.NEVER;
  }
});

/** SPEC §3: 0 is "no limit", as when it is left out. */
const writesPerSecond = z.number().refine((n) => Number.isFinite(n) && n >= 0, 'must be a positive number (writes a second), or 0 for no limit');

const text = (what: string) => z.string().trim().min(1, `empty ${what}`);
const sites = z.array(text('site name'));
const recordTypes = z.array(checkedString(parseRecordType)).min(1, 'empty list; give at least one record type');
const domains = z.array(checkedString(normalizeDomainPattern));

const controller = z.strictObject({
  name: text('name').nullish(),
  url: checkedString(normalizeUrl),
  apiKeyFile: text('file name').nullish(),
  apiKeyEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'not an environment variable name').nullish(),
  apiKey: z.string().nullish(),
  tls: z
    .strictObject({
      verify: z.boolean().nullish(),
      caFile: text('file name').nullish(),
      fingerprint: checkedString(normalizeFingerprint).nullish(),
    })
    .nullish(),
  sites: sites.min(1, 'empty list; leave sites out to sync every site').nullish(),
  excludeSites: sites.nullish(),
  recordTypes: recordTypes.nullish(),
  clients: z
    .strictObject({
      enabled: z.boolean().nullish(),
      domainSuffix: checkedString(normalizeDomainSuffix).nullish(),
      naming: z.enum(['dnssync', 'legacy']).nullish(),
    })
    .nullish(),
  writesPerSecond: writesPerSecond.nullish(),
  originScope: z.enum(ORIGIN_SCOPES).nullish(),
});

/** One controller entry: `dnssync check` validates each on its own too, to go on past another's problem. */
export const controllerSchema = controller;

export const configSchema = z.strictObject({
  controllers: z.array(controller).min(1, 'empty list; at least one controller is needed'),
  sync: z
    .strictObject({
      recordTypes: recordTypes.nullish(),
      domains: domains.nullish(),
      excludeDomains: domains.nullish(),
      policy: z.enum(SYNC_POLICIES as [string, ...string[]]).nullish(),
      orphanGracePeriod: duration.nullish(),
      retryRefusedAfter: duration.nullish(),
      maxDeletePercent: z.number().min(0, 'must be from 0 to 100').max(100, 'must be from 0 to 100').nullish(),
      concurrency: z.number().refine((n) => Number.isInteger(n) && n >= 1 && n <= 64, 'must be an integer from 1 to 64').nullish(),
      writesPerSecond: writesPerSecond.nullish(),
      originScope: z.enum(ORIGIN_SCOPES).nullish(),
      requestTimeout: duration.refine((ms) => ms > 0 && ms <= 3_600_000, 'must be more than 0 and at most 1h').nullish(),
    })
    .nullish(),
});
export type RawConfig = z.output<typeof configSchema>;
export type RawController = RawConfig['controllers'][number];

/** The data if it fits the schema; else a ConfigError for the problem nearest the top of the file, where a reader starts fixing. */
export function validate<T>(schema: z.ZodType<T>, data: unknown, source: Source): T {
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  const problems = describeIssues(parsed.error.issues, data);
  const line = (p: (typeof problems)[number]) => source.lineOf(p.path) ?? Infinity;
  const first = problems.reduce((a, b) => (line(b) < line(a) ? b : a));
  throw source.error(first.path, first.problem);
}

/** One problem per zod issue, worded for a user editing the file; the offending value is never quoted. */
export function describeIssues(issues: readonly z.core.$ZodIssue[], data: unknown): { path: KeyPath; problem: string }[] {
  return issues.map((issue) => {
    const path = issue.path as KeyPath;
    switch (issue.code) {
      case 'unrecognized_keys':
        return { path: [...path, issue.keys[0] ?? '?'], problem: 'unknown key' };
      case 'invalid_type': {
        const actual = valueAt(data, path);
        if (actual === undefined) return { path, problem: 'required' };
        return { path, problem: `expected ${article(issue.expected)}, got ${kind(actual)}` };
      }
      case 'invalid_value':
        return { path, problem: `must be one of ${issue.values.map(String).join(', ')}` };
      default:
        return { path, problem: issue.message };
    }
  });
}

function valueAt(data: unknown, path: KeyPath): unknown {
  let v = data;
  for (const part of path) v = v !== null && typeof v === 'object' ? (v as Record<string | number, unknown>)[part] : undefined;
  return v;
}

function article(expected: string): string {
  return { object: 'a mapping', array: 'a list', boolean: 'true or false', int: 'an integer', number: 'a number', string: 'a string' }[expected] ?? expected;
}

function kind(v: unknown): string {
  if (v === null) return 'an empty value';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  return { object: 'a mapping', boolean: 'true/false', number: 'a number', string: 'a string' }[typeof v as string] ?? typeof v;
}
