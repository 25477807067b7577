import type { SQLOutputValue } from 'node:sqlite';
import { text, type StoredRow } from '../domain/stored-record.ts';

/**
 * What repair adds to a stored row's identity (domain/stored-record.ts, shared with the legacy
 * conversion): comparing record_raw with the form sync writes, and naming records to people.
 */

export interface RecordRow extends StoredRow {
  id: SQLOutputValue;
}

/** Whether two JSON texts hold the same object, key order aside. */
export function sameJson(a: SQLOutputValue, b: string): boolean {
  if (typeof a !== 'string') return false;
  try {
    return stable(JSON.parse(a)) === stable(JSON.parse(b));
  } catch {
    return false;
  }
}

function stable(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stable).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stable((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** A 64-digit id shortened for a table cell; other values as they are. */
export function short(id: SQLOutputValue | undefined): string {
  const value = text(id) ?? 'NULL';
  return value.length > 16 ? `${value.slice(0, 12)}…` : value;
}

/** `A_RECORD nas.home → 10.0.0.5`, for people. */
export function describeRecord(type: SQLOutputValue, domain: SQLOutputValue, target: SQLOutputValue): string {
  return `${text(type) ?? '?'} ${text(domain) ?? '?'} → ${target === null ? 'NULL' : text(target)}`;
}
