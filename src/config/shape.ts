/**
 * The few checks of plain data that the config files need: types, mappings with known keys, lists,
 * choices, bounds, and checked strings that become values. Written here rather than taken from a
 * schema library: zod's 80 modules took 50 ms of every start-up that reads a config (issue 13).
 * Each problem is worded for a person editing the file and never quotes the offending value.
 */
import type { KeyPath } from './path.ts';

/** A problem at a key, or the unknown keys of one mapping (`dnssync check` suggests the known one meant). */
export type Issue = { path: KeyPath; problem: string } | { path: KeyPath; unknownKeys: string[] };

export type ParseResult<T> = { success: true; data: T } | { success: false; issues: Issue[] };

const INVALID: unique symbol = Symbol('invalid');
type Checked<T> = T | typeof INVALID;

export abstract class Schema<T> {
  /** Only a type: what the data becomes once checked. */
  declare readonly output: T;

  /** The value checked (and made what it means), or INVALID once its issues are pushed. */
  abstract check(value: unknown, path: KeyPath, issues: Issue[]): Checked<T>;

  /** The schema a child of this one's value must fit (a mapping's key, a list's item), for `dnssync check`. */
  child(_part: string | number): Schema<unknown> | undefined {
    return undefined;
  }

  /** The keys a mapping of this schema may have. */
  keys(): string[] {
    return [];
  }

  safeParse(data: unknown): ParseResult<T> {
    const issues: Issue[] = [];
    const value = this.check(data, [], issues);
    return value === INVALID ? { success: false, issues } : { success: true, data: value };
  }

  /** Also null (an empty YAML value: "not given") and left out. */
  nullish(): Schema<T | null | undefined> {
    return new Nullish(this);
  }

  /** The value when `ok`, else `problem` at its key. */
  refine(ok: (value: T) => boolean, problem: string): Schema<T> {
    return new Then(this, (value, fail) => (ok(value) ? value : fail(problem)));
  }

  /** What `make` turns the value into; an Error it throws is the problem at the key. */
  transform<U>(make: (value: T) => U): Schema<U> {
    return new Then(this, (value, fail) => {
      try {
        return make(value);
      } catch (e) {
        return fail((e as Error).message);
      }
    });
  }
}

export type Output<S> = S extends Schema<infer T> ? T : never;

/** A problem pushed at the value's key. */
function problemAt(issues: Issue[], path: KeyPath, problem: string): typeof INVALID {
  issues.push({ path, problem });
  return INVALID;
}

/** "required" for a key left out, else what was expected against what was found. */
function wrongType(issues: Issue[], path: KeyPath, value: unknown, expected: string): typeof INVALID {
  return problemAt(issues, path, typeProblem(value, expected));
}

function typeProblem(value: unknown, expected: string): string {
  return value === undefined ? 'required' : `expected ${expected}, got ${kind(value)}`;
}

function kind(v: unknown): string {
  if (v === null) return 'an empty value';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  return { object: 'a mapping', boolean: 'true/false', number: 'a number', string: 'a string' }[typeof v as string] ?? typeof v;
}

class Leaf<T> extends Schema<T> {
  private readonly fits: (value: unknown) => value is T;
  private readonly problem: (value: unknown) => string;

  constructor(fits: (value: unknown) => value is T, problem: (value: unknown) => string) {
    super();
    this.fits = fits;
    this.problem = problem;
  }

  check(value: unknown, path: KeyPath, issues: Issue[]): Checked<T> {
    return this.fits(value) ? value : problemAt(issues, path, this.problem(value));
  }
}

class Nullish<T> extends Schema<T | null | undefined> {
  private readonly inner: Schema<T>;

  constructor(inner: Schema<T>) {
    super();
    this.inner = inner;
  }

  check(value: unknown, path: KeyPath, issues: Issue[]): Checked<T | null | undefined> {
    return value === null || value === undefined ? value : this.inner.check(value, path, issues);
  }

  override child(part: string | number) {
    return this.inner.child(part);
  }

  override keys() {
    return this.inner.keys();
  }
}

/** A second step after a schema, run only on a value that passed it. */
class Then<T, U> extends Schema<U> {
  private readonly first: Schema<T>;
  private readonly step: (value: T, fail: (problem: string) => typeof INVALID) => Checked<U>;

  constructor(first: Schema<T>, step: Then<T, U>['step']) {
    super();
    this.first = first;
    this.step = step;
  }

  check(value: unknown, path: KeyPath, issues: Issue[]): Checked<U> {
    const checked = this.first.check(value, path, issues);
    return checked === INVALID ? INVALID : this.step(checked, (problem) => problemAt(issues, path, problem));
  }

  override child(part: string | number) {
    return this.first.child(part);
  }

  override keys() {
    return this.first.keys();
  }
}

class ListSchema<T> extends Schema<T[]> {
  private readonly item: Schema<T>;

  constructor(item: Schema<T>) {
    super();
    this.item = item;
  }

  check(value: unknown, path: KeyPath, issues: Issue[]): Checked<T[]> {
    if (!Array.isArray(value)) return wrongType(issues, path, value, 'a list');
    const out: T[] = [];
    let valid = true;
    value.forEach((item, i) => {
      const checked = this.item.check(item, [...path, i], issues);
      if (checked === INVALID) valid = false;
      else out.push(checked);
    });
    return valid ? out : INVALID;
  }

  /** At least `n` items, else `problem`. */
  min(n: number, problem: string): Schema<T[]> {
    return this.refine((items) => items.length >= n, problem);
  }

  override child(part: string | number) {
    return typeof part === 'number' ? this.item : undefined;
  }
}

type Shape = Record<string, Schema<unknown>>;
type Optional<S extends Shape> = { [K in keyof S]: undefined extends Output<S[K]> ? K : never }[keyof S];
/** A key whose schema allows it to be left out is optional in the type too. */
export type MappingOf<S extends Shape> = { [K in Exclude<keyof S, Optional<S>>]: Output<S[K]> } & { [K in Optional<S>]?: Output<S[K]> };

class MappingSchema<S extends Shape> extends Schema<MappingOf<S>> {
  private readonly shape: S;
  /** Strict: another key is a problem. Loose: it is kept as it is. */
  private readonly strict: boolean;

  constructor(shape: S, strict: boolean) {
    super();
    this.shape = shape;
    this.strict = strict;
  }

  check(value: unknown, path: KeyPath, issues: Issue[]): Checked<MappingOf<S>> {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return wrongType(issues, path, value, 'a mapping');
    const input = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    let valid = true;
    for (const [key, schema] of Object.entries(this.shape)) {
      const given = Object.hasOwn(input, key);
      const checked = schema.check(given ? input[key] : undefined, [...path, key], issues);
      if (checked === INVALID) valid = false;
      else if (given) out[key] = checked;
    }
    const others = Object.keys(input).filter((key) => !Object.hasOwn(this.shape, key));
    if (this.strict && others.length > 0) {
      issues.push({ path, unknownKeys: others });
      valid = false;
    }
    // Defined, not assigned: a key named __proto__ in the file stays a key and never becomes a prototype.
    if (!this.strict) for (const key of others) Object.defineProperty(out, key, { value: input[key], enumerable: true, writable: true, configurable: true });
    return valid ? (out as MappingOf<S>) : INVALID;
  }

  override child(part: string | number) {
    return typeof part === 'string' && Object.hasOwn(this.shape, part) ? this.shape[part] : undefined;
  }

  override keys() {
    return Object.keys(this.shape);
  }
}

const typed = <T>(fits: (value: unknown) => value is T, expected: string): Schema<T> => new Leaf(fits, (value) => typeProblem(value, expected));

export const string = (): Schema<string> => typed((v): v is string => typeof v === 'string', 'a string');
/** A finite number: YAML's .nan and .inf are not numbers a setting can have. */
export const number = (): Schema<number> => typed((v): v is number => typeof v === 'number' && Number.isFinite(v), 'a number');
export const boolean = (): Schema<boolean> => typed((v): v is boolean => typeof v === 'boolean', 'true or false');
/** A string or a finite number, else `problem` (a duration: "15m" or seconds). */
export const stringOrNumber = (problem: string): Schema<string | number> =>
  new Leaf((v): v is string | number => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)), () => problem);
export const list = <T>(item: Schema<T>): ListSchema<T> => new ListSchema(item);
/** A mapping of these keys and no other. */
export const mapping = <S extends Shape>(shape: S): Schema<MappingOf<S>> => new MappingSchema(shape, true);
/** A mapping of at least these keys; the others are kept. */
export const looseMapping = <S extends Shape>(shape: S): Schema<MappingOf<S>> => new MappingSchema(shape, false);

/** One of these strings; anything else, of any type, is told the choices. */
export function oneOf<const V extends readonly string[]>(values: V): Schema<V[number]> {
  const problem = `must be one of ${values.join(', ')}`;
  return new Leaf((v): v is V[number] => values.includes(v as string), () => problem);
}
