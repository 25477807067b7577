import type { SQLOutputValue } from 'node:sqlite';
import { RECORD_TYPES, type RecordType } from '../domain/policy.ts';
import { recordOf, type DnsRecord } from '../domain/record.ts';
import { TARGET_FIELDS, type DnsPolicyBody } from '../domain/policy.ts';

/**
 * The canonical identity of a stored dns_records row (SPEC §4.2), worked out the way sync would:
 * from record_raw (the API body of the record's identity fields) when it is usable, else from
 * the type, domain and target columns. Legacy rows keep their real target only in record_raw.
 */

export interface RecordRow {
  id: SQLOutputValue;
  type: SQLOutputValue;
  domain: SQLOutputValue;
  target: SQLOutputValue;
  record_raw: SQLOutputValue;
}

export type Canonical = { ok: true; record: DnsRecord; from: 'record_raw' | 'columns' } | { ok: false; reason: string };

/** Targets the legacy tool wrote for every record that was not an A record. */
export function isLegacyTarget(target: SQLOutputValue): boolean {
  return target === null || target === '' || target === 'None';
}

export function canonicalOf(row: RecordRow): Canonical {
  const fromRaw = fromRecordRaw(row);
  if (fromRaw.ok) return fromRaw;
  const fromColumns = fromTheColumns(row);
  if (fromColumns.ok) return fromColumns;
  return { ok: false, reason: `${fromRaw.reason}, and ${fromColumns.reason}` };
}

function fromRecordRaw(row: RecordRow): Canonical {
  if (typeof row.record_raw !== 'string' || row.record_raw.trim() === '') return { ok: false, reason: 'record_raw is empty' };
  let raw: unknown;
  try {
    raw = JSON.parse(row.record_raw);
  } catch {
    return { ok: false, reason: 'record_raw is not JSON' };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false, reason: 'record_raw is not a JSON object' };
  const body = raw as Record<string, unknown>;
  const type = typeof body.type === 'string' ? body.type : text(row.type);
  const domain = typeof body.domain === 'string' ? body.domain : text(row.domain);
  return build(type, domain, body, 'record_raw');
}

function fromTheColumns(row: RecordRow): Canonical {
  const type = text(row.type);
  const target = text(row.target);
  if (target === null || isLegacyTarget(target)) return { ok: false, reason: `target is ${target === null ? 'NULL' : `'${target}'`}` };
  const fields: Record<string, unknown> = {};
  switch (type) {
    case 'A_RECORD':
      fields.ipv4Address = target;
      break;
    case 'AAAA_RECORD':
      fields.ipv6Address = target;
      break;
    case 'CNAME_RECORD':
      fields.targetDomain = target;
      break;
    case 'TXT_RECORD':
      fields.text = target;
      break;
    case 'MX_RECORD': {
      const m = /^(\d+)\s+(\S+)$/.exec(target);
      if (!m) return { ok: false, reason: `MX target '${target}' is not "priority server"` };
      fields.priority = Number(m[1]);
      fields.mailServerDomain = m[2];
      break;
    }
    case 'SRV_RECORD': {
      const m = /^(\S+)\s+(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\S+)$/.exec(target);
      if (!m) return { ok: false, reason: `SRV target '${target}' is not "service protocol priority weight port server"` };
      Object.assign(fields, { service: m[1], protocol: m[2], priority: Number(m[3]), weight: Number(m[4]), port: Number(m[5]), serverDomain: m[6] });
      break;
    }
    default:
      break;
  }
  return build(type, text(row.domain), fields, 'columns');
}

function build(type: string | null, domain: string | null, fields: Record<string, unknown>, from: 'record_raw' | 'columns'): Canonical {
  const where = from === 'record_raw' ? 'record_raw' : 'the row';
  if (type === null) return { ok: false, reason: `${where} has no type` };
  if (!(RECORD_TYPES as readonly string[]).includes(type)) return { ok: false, reason: `type ${type} is not a record type dnssync syncs` };
  if (domain === null || domain.trim().replace(/\.+$/, '') === '') return { ok: false, reason: `${where} has no domain` };
  const body: Record<string, unknown> = { type, domain, enabled: true };
  for (const [field, kind] of TARGET_FIELDS[type as RecordType]) {
    const value = fields[field];
    if (typeof value !== kind || value === '' || (kind === 'number' && !Number.isFinite(value))) return { ok: false, reason: `${where} has no ${field}` };
    body[field] = value;
  }
  const record = recordOf(body as unknown as DnsPolicyBody);
  if (!record) return { ok: false, reason: `type ${type} is never synced` };
  return { ok: true, record, from };
}

/** record_raw as sync writes it: exactly the record's identity fields. */
export function canonicalRaw(record: DnsRecord): string {
  return JSON.stringify(record.fields);
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

export function text(value: SQLOutputValue | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return Buffer.from(value).toString('utf8');
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
