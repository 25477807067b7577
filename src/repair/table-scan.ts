import type { DatabaseSync, SQLInputValue, SQLOutputValue, StatementSync } from 'node:sqlite';
import { quote } from '../store/catalog.ts';
import { isCorruption } from '../store/sqlite-errors.ts';
import { short } from './identity.ts';
import type { TableRecovery } from './types.ts';

/**
 * One table of a damaged database read along its own b-tree (never through an index), for
 * recover.ts: when a page cannot be read, the scan skips to the next readable key by probing the
 * b-tree, so one bad page loses only its own rows. An intact index of the table then tells
 * exactly which rows are missing, and each of them is tried once more by a point lookup.
 */

export type RowKey = Array<string | number | null>;

export interface TableShape {
  table: string;
  cols: string[];
  /** null for a rowid table; the primary key columns of a WITHOUT ROWID table. */
  pk: string[] | null;
  /** The INTEGER PRIMARY KEY column that is the rowid, if any. */
  alias: string | null;
}

type Writer = (row: Record<string, SQLOutputValue>) => boolean;
type CopyResult = Omit<TableRecovery, 'table' | 'rejected' | 'note'> & { missingKeys: RowKey[] | null };

export function tryRead<T>(read: () => T): { ok: true; value: T } | { ok: false } {
  try {
    return { ok: true, value: read() };
  } catch (error) {
    if (isCorruption(error)) return { ok: false };
    throw error;
  }
}

/**
 * The smallest probe value above `from` at which a seek into the b-tree succeeds (finding a row
 * or the end), by doubling then halving; null when none does.
 */
function searchReadable<T>(from: T, add: (from: T, step: bigint) => T | null, ok: (at: T) => boolean, between: (lo: T, hi: T) => T | null): T | null {
  let step = 1n;
  let hi = add(from, step);
  while (hi !== null && !ok(hi)) {
    step *= 2n;
    hi = add(from, step);
  }
  if (hi === null) return null;
  let lo = from;
  for (let mid = between(lo, hi); mid !== null; mid = between(lo, hi)) {
    if (ok(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** The next integer key (a rowid, or the first column of a WITHOUT ROWID key) past `from` where a seek succeeds. */
function nextReadableNumber(from: number, probe: StatementSync): number | null {
  return searchReadable<number>(
    from,
    (f, step) => (BigInt(f) + step > BigInt(Number.MAX_SAFE_INTEGER) ? null : f + Number(step)),
    (at) => tryRead(() => probe.get(at)).ok,
    (lo, hi) => (hi - lo > 1 ? lo + Math.floor((hi - lo) / 2) : null),
  );
}

// --- rowid tables ------------------------------------------------------------------------------

const MIN_ROWID = Number.MIN_SAFE_INTEGER;

export function copyRowidTable(source: DatabaseSync, shape: TableShape, write: Writer): CopyResult {
  const t = quote(shape.table);
  const cols = shape.cols.map(quote).join(', ');
  const scan = source.prepare(`SELECT rowid AS __k, ${cols} FROM ${t} NOT INDEXED WHERE rowid >= ? ORDER BY rowid`);
  const probe = source.prepare(`SELECT rowid AS __k FROM ${t} NOT INDEXED WHERE rowid >= ? ORDER BY rowid LIMIT 1`);
  const copied = new Set<number>();
  const gaps: Array<{ from: number; to: number }> = [];
  let unbounded = false;
  let cursor = MIN_ROWID;
  for (;;) {
    let last: number | null = null;
    const pass = tryRead(() => {
      for (const row of scan.iterate(cursor) as Iterable<Record<string, SQLOutputValue>>) {
        last = Number(row.__k);
        if (write(row)) copied.add(last);
      }
    });
    if (pass.ok) break;
    const from: number = last === null ? cursor : last + 1;
    const next = nextReadableNumber(from, probe);
    const previous = gaps.at(-1);
    if (next === null) {
      unbounded = true;
      if (previous && previous.to + 1 === from) previous.to = Number.MAX_SAFE_INTEGER;
      else gaps.push({ from, to: Number.MAX_SAFE_INTEGER });
      break;
    }
    // A seek can land just past a bad page and the scan then fail at once: one gap, not two.
    if (previous && previous.to + 1 === from) previous.to = next - 1;
    else gaps.push({ from, to: next - 1 });
    cursor = next;
  }
  if (gaps.length === 0) return { copied: copied.size, lost: 0, lostAtMost: null, lostRows: '', unreadable: false, missingKeys: [] };

  // Which rows exist, from an index that can still be read whole: then the loss is exact.
  const listed = indexKeys(source, shape.table, 'rowid AS k', (r) => Number(r.k));
  if (listed) {
    const lookup = source.prepare(`SELECT rowid AS __k, ${cols} FROM ${t} NOT INDEXED WHERE rowid = ?`);
    const missing: number[] = [];
    for (const key of listed) {
      if (copied.has(key)) continue;
      const again = tryRead(() => lookup.get(key) as Record<string, SQLOutputValue> | undefined);
      if (again.ok && again.value && write(again.value)) copied.add(key);
      else missing.push(key);
    }
    missing.sort((a, b) => a - b);
    return {
      copied: copied.size,
      lost: missing.length,
      lostAtMost: null,
      lostRows: missing.length ? `rowid ${ranges(missing)}` : '',
      unreadable: copied.size === 0 && missing.length > 0,
      missingKeys: missing.map((k) => [k]),
    };
  }
  const text = gaps.map((g) => (g.to === Number.MAX_SAFE_INTEGER ? `${rowidText(g.from)} to the end` : `${rowidText(g.from)}–${g.to}`)).join(', ');
  const atMost = unbounded || gaps.some((g) => g.from === MIN_ROWID) ? null : gaps.reduce((n, g) => n + (g.to - g.from + 1), 0);
  return { copied: copied.size, lost: null, lostAtMost: atMost, lostRows: `rowid ${text}`, unreadable: copied.size === 0, missingKeys: null };
}

function rowidText(rowid: number): string {
  return rowid === MIN_ROWID ? 'start' : String(rowid);
}

/** 1-3, 7, 9-10. */
function ranges(sorted: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}–${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

/** Every key of the table as one of its complete (non-partial) indexes lists them, or null when none can be read whole. */
function indexKeys<K>(source: DatabaseSync, table: string, select: string, key: (row: Record<string, SQLOutputValue>) => K): K[] | null {
  const indexes = tryRead(() => source.prepare('SELECT name FROM pragma_index_list(?) WHERE partial = 0').all(table) as Array<{ name: string }>);
  if (!indexes.ok) return null;
  for (const { name } of indexes.value) {
    const keys = tryRead(() => (source.prepare(`SELECT ${select} FROM ${quote(table)} INDEXED BY ${quote(name)}`).all() as Array<Record<string, SQLOutputValue>>).map(key));
    if (keys.ok) return keys.value;
  }
  return null;
}

// --- WITHOUT ROWID tables -----------------------------------------------------------------------

const KEY_BYTES = 32;
const KEY_SPACE = 1n << BigInt(KEY_BYTES * 8);

function bytesOf(value: string): bigint {
  const bytes = Buffer.alloc(KEY_BYTES);
  Buffer.from(value, 'utf8').copy(bytes, 0, 0, KEY_BYTES);
  return BigInt(`0x${bytes.toString('hex')}`);
}

function keyText(value: bigint): Buffer {
  const bytes = Buffer.from(value.toString(16).padStart(KEY_BYTES * 2, '0'), 'hex');
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  return bytes.subarray(0, end);
}

export function copyKeyedTable(source: DatabaseSync, shape: TableShape, write: Writer): CopyResult {
  const pk = shape.pk!;
  const t = quote(shape.table);
  const cols = shape.cols.map(quote).join(', ');
  const order = pk.map(quote).join(', ');
  const first = quote(pk[0]!);
  const all = source.prepare(`SELECT ${cols} FROM ${t} ORDER BY ${order}`);
  const fromText = source.prepare(`SELECT ${cols} FROM ${t} WHERE ${first} >= CAST(? AS TEXT) ORDER BY ${order}`);
  const fromNumber = source.prepare(`SELECT ${cols} FROM ${t} WHERE ${first} >= ? ORDER BY ${order}`);
  const probeText = source.prepare(`SELECT ${order} FROM ${t} WHERE ${first} >= CAST(? AS TEXT) ORDER BY ${order} LIMIT 1`);
  const probeNumber = source.prepare(`SELECT ${order} FROM ${t} WHERE ${first} >= ? ORDER BY ${order} LIMIT 1`);
  const firstType = source.prepare('SELECT type FROM pragma_table_info(?) WHERE name = ?').get(shape.table, pk[0]!) as { type: string } | undefined;
  const integerKey = /INT/i.test(firstType?.type ?? '');
  const serial = (row: Record<string, SQLOutputValue>) => JSON.stringify(pk.map((c) => normal(row[c])));

  const copied = new Set<string>();
  const gaps: string[] = [];
  let statement: StatementSync = all;
  let args: SQLInputValue[] = [];
  /** Where the current pass started: a failure before any row skips from there. */
  let start: number | bigint | null = null;
  for (;;) {
    let last: Record<string, SQLOutputValue> | null = null;
    const pass = tryRead(() => {
      for (const row of statement.iterate(...args) as Iterable<Record<string, SQLOutputValue>>) {
        last = row;
        if (write(row)) copied.add(serial(row));
      }
    });
    if (pass.ok) break;
    const lastRow = last as Record<string, SQLOutputValue> | null;
    const lastFirst = lastRow?.[pk[0]!];
    const describeAfter = lastRow
      ? `after (${pk.map((c) => short(lastRow[c])).join(', ')})`
      : start === null
        ? 'from the start'
        : `from ${pk[0]} ${typeof start === 'bigint' ? `'${short(keyText(start).toString('latin1'))}'` : start}`;
    const numeric = lastRow ? typeof lastFirst === 'number' || typeof lastFirst === 'bigint' : start === null ? integerKey : typeof start === 'number';
    if (numeric) {
      const from: number = lastRow ? Number(lastFirst) : ((start as number | null) ?? MIN_ROWID);
      const next: number | null = nextReadableNumber(from, probeNumber);
      if (next === null) {
        gaps.push(`${describeAfter} to the end`);
        break;
      }
      gaps.push(`${describeAfter}, before ${pk[0]} ${next}`);
      [statement, args, start] = [fromNumber, [next], next];
    } else {
      const from: bigint = typeof lastFirst === 'string' ? bytesOf(lastFirst) : typeof start === 'bigint' ? start : -1n;
      const next: bigint | null = searchReadable<bigint>(
        from,
        (f, step) => (f + step >= KEY_SPACE ? null : f + step),
        (at) => tryRead(() => probeText.get(keyText(at))).ok,
        (lo, hi) => (hi - lo > 1n ? lo + (hi - lo) / 2n : null),
      );
      if (next === null) {
        gaps.push(`${describeAfter} to the end`);
        break;
      }
      gaps.push(`${describeAfter}, before ${pk[0]} '${short(keyText(next).toString('latin1'))}'`);
      [statement, args, start] = [fromText, [keyText(next)], next];
    }
  }
  if (gaps.length === 0) return { copied: copied.size, lost: 0, lostAtMost: null, lostRows: '', unreadable: false, missingKeys: [] };

  const listed = indexKeys(source, shape.table, order, (r) => pk.map((c) => normal(r[c])));
  if (listed) {
    const lookup = source.prepare(`SELECT ${cols} FROM ${t} WHERE ${pk.map((c) => `${quote(c)} = ?`).join(' AND ')}`);
    const missing: Array<Array<string | number | null>> = [];
    for (const key of listed) {
      if (copied.has(JSON.stringify(key))) continue;
      const again = tryRead(() => lookup.get(...(key as SQLInputValue[])) as Record<string, SQLOutputValue> | undefined);
      if (again.ok && again.value && write(again.value)) copied.add(JSON.stringify(key));
      else missing.push(key);
    }
    const shown = missing.slice(0, 5).map((k) => `(${k.map((v) => short(v)).join(', ')})`);
    const more = missing.length > 5 ? ` and ${missing.length - 5} more` : '';
    return {
      copied: copied.size,
      lost: missing.length,
      lostAtMost: null,
      lostRows: missing.length ? `(${pk.join(', ')}) ${shown.join(', ')}${more}` : '',
      unreadable: copied.size === 0 && missing.length > 0,
      missingKeys: missing,
    };
  }
  return { copied: copied.size, lost: null, lostAtMost: null, lostRows: `keys ${gaps.join('; ')}`, unreadable: copied.size === 0, missingKeys: null };
}

function normal(value: SQLOutputValue | undefined): string | number | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' || typeof value === 'number') return value;
  return Buffer.from(value).toString('hex');
}
