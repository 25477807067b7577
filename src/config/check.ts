/**
 * `dnssync check`: every problem of a config file at once. loadConfig stops at the first, which
 * makes fixing a file a loop of one edit per run; this runs the same rules (the schema, the rules
 * between fields, the key and CA files) and collects what each finds.
 */
import { dirname, resolve } from 'node:path';
import { ConfigError } from '../domain/errors.ts';
import { checkUnique, draftFromController, type Draft, type Report } from './build.ts';
import { draftFromLegacy, legacyEntrySchema, legacySchema } from './legacy.ts';
import { complete, configFormat, hideIn, inlineKeys, readConfigSource } from './load.ts';
import type { KeyPath } from './path.ts';
import { configSchema, controllerSchema } from './schema.ts';
import type { Schema } from './shape.ts';
import type { Source } from './source.ts';

export interface ConfigProblem {
  /** Null for a problem of the file as a whole (not found, not parsable). */
  line: number | null;
  /** The key path, `controllers[0].tls.verify`; '' when the problem has none. */
  path: string;
  problem: string;
  /** `file:line: key.path: problem`, as loadConfig's errors read. */
  message: string;
}

/** Every problem of the file, top to bottom; none when loadConfig would accept it. */
export function configProblems(file: string, env: NodeJS.ProcessEnv): ConfigProblem[] {
  let read: ReturnType<typeof readConfigSource>;
  try {
    read = readConfigSource(file);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return [problemOf(e, file)];
  }
  const { data, source, syntax } = read;
  const found: ConfigError[] = [];
  const report: Report = (problem) => found.push(problem);
  const secrets = inlineKeys(data);
  const format = configFormat(data, source, syntax, report);
  if (format !== null) {
    const drafts = format === 'legacy' ? legacyDrafts(data, source, report) : controllerDrafts(data, source, report);
    checkUnique(drafts, source, report);
    const baseDir = dirname(resolve(source.file));
    for (const draft of drafts) complete(draft, source, env, baseDir, secrets, report);
  }
  // Secrets last: reading the keys adds them to the list.
  const problems = found.map((e) => problemOf(hideIn(e, secrets), file));
  return problems.map((p, i) => ({ p, i })).sort((a, b) => (a.p.line ?? 0) - (b.p.line ?? 0) || a.i - b.i).map(({ p }) => p);
}

/**
 * The schema's problems, then the drafts of the controllers that pass it on their own: one
 * controller's typo does not hide another's missing key.
 */
function controllerDrafts(data: unknown, source: Source, report: Report): Draft[] {
  const known = schemaProblems(configSchema, data, source, report);
  const entries = (known as { controllers?: unknown }).controllers;
  if (!Array.isArray(entries)) return [];
  // Warnings are left to loadConfig, which logs them once the file is sound.
  const warnings: string[] = [];
  return entries.flatMap((entry, i) => {
    const parsed = controllerSchema.safeParse(entry);
    return parsed.success ? [draftFromController(parsed.data, ['controllers', i], source, warnings, report)] : [];
  });
}

function legacyDrafts(data: unknown, source: Source, report: Report): Draft[] {
  const known = schemaProblems(legacySchema, data, source, report) as unknown[];
  const warnings: string[] = [];
  return known.flatMap((entry, i) => {
    const parsed = legacyEntrySchema.safeParse(entry);
    return parsed.success ? [draftFromLegacy(parsed.data, i, source, warnings, report)] : [];
  });
}

/**
 * Reports one problem per issue, and per unknown key (an issue lists a mapping's unknown keys
 * together). Returns the data without its unknown keys: a controller whose only fault is a typo can
 * still have its key and CA files checked.
 */
function schemaProblems(schema: Schema<unknown>, data: unknown, source: Source, report: Report): unknown {
  const parsed = schema.safeParse(data);
  if (parsed.success) return data;
  const cleaned = structuredClone(data);
  for (const issue of parsed.issues) {
    if ('problem' in issue) {
      report(source.error(issue.path, issue.problem));
      continue;
    }
    const allowed = keysAt(schema, issue.path);
    for (const key of issue.unknownKeys) {
      const near = closest(key, allowed);
      report(source.error([...issue.path, key], near === null ? 'unknown key' : `unknown key; did you mean ${near}?`));
      delete (valueAt(cleaned, issue.path) as Record<string, unknown>)[key];
    }
  }
  return cleaned;
}

function valueAt(data: unknown, path: KeyPath): unknown {
  return path.reduce<unknown>((v, part) => (v as Record<string | number, unknown>)[part], data);
}

/** The keys the schema allows in the mapping at `path`. */
export function keysAt(schema: Schema<unknown>, path: KeyPath): string[] {
  let node: Schema<unknown> | undefined = schema;
  for (const part of path) node = node?.child(part);
  return node?.keys() ?? [];
}

/**
 * The known key a misspelt one most likely means: at most 2 edits (a swap of neighbours is one),
 * ignoring case, and no more than a third of its length, so that short keys are not "corrected"
 * into unrelated ones.
 */
export function closest(key: string, known: readonly string[]): string | null {
  const limit = Math.min(2, Math.max(1, Math.floor(key.length / 3)));
  let best: { key: string; distance: number } | null = null;
  for (const candidate of known) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (distance <= limit && (best === null || distance < best.distance)) best = { key: candidate, distance };
  }
  return best?.key ?? null;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/** A ConfigError's parts back out of it: its `file` is `file:line` when the line is known. */
function problemOf(e: ConfigError, file: string): ConfigProblem {
  const line = e.file?.startsWith(`${file}:`) ? Number(e.file.slice(file.length + 1)) : NaN;
  return { line: Number.isInteger(line) ? line : null, path: e.keyPath ?? '', problem: e.problem, message: e.message };
}
