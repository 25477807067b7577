/**
 * The record a stored dns_records row holds (SPEC §4.2), for rows sync did not just compute: the
 * legacy tool's, and any a bug, a crash or a hand edit left. The legacy conversion and the repair
 * checks both read rows through this, so that they agree with each other and, through recordOf,
 * with sync.
 */
import type { SQLOutputValue } from 'node:sqlite';
import { RECORD_TYPES, TARGET_FIELDS, type DnsPolicyBody, type RecordType } from './policy.ts';
import { canonicalDomain, recordOf, type DnsRecord } from './record.ts';

export interface StoredRow {
  type: SQLOutputValue;
  domain: SQLOutputValue;
  target: SQLOutputValue;
  record_raw: SQLOutputValue;
}

export type RowIdentity = { ok: true; record: DnsRecord; from: 'record_raw' | 'columns' } | { ok: false; reason: string };

/** record_raw read as the JSON object it should be, or why it is not one. */
export type RawBody = { body: Record<string, unknown> } | { reason: string };

/** A stored value as text (numbers as written, blobs as UTF-8), or null. */
export function text(value: SQLOutputValue | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return Buffer.from(value).toString('utf8');
}

/** record_raw as sync writes it: exactly the record's identity fields, which its replicas' create bodies are made of. */
export function recordRaw(record: DnsRecord): string {
  return JSON.stringify(record.fields);
}

/** Targets the legacy tool wrote for every record that was not an A record. */
export function isLegacyTarget(target: SQLOutputValue): boolean {
  return target === null || target === '' || target === 'None';
}

export function parseRecordRaw(value: SQLOutputValue): RawBody {
  const raw = text(value);
  if (raw === null || raw.trim() === '') return { reason: 'record_raw is empty' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { reason: 'record_raw is not valid JSON' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { reason: 'record_raw is not a JSON object' };
  return { body: parsed as Record<string, unknown> };
}

/**
 * The row's record: from record_raw (the policy's API body, which alone keeps the legacy tool's
 * non-A targets) when it is usable, else from the type, domain and target columns. `raw` is for
 * callers that have parsed record_raw already.
 */
export function recordOfRow(row: StoredRow, raw: RawBody = parseRecordRaw(row.record_raw)): RowIdentity {
  const claimed = 'body' in raw && typeof raw.body.type === 'string' ? raw.body.type : text(row.type);
  // What record_raw says it is comes first: a forward domain is never a record, whatever the columns say.
  if (claimed === 'FORWARD_DOMAIN') return { ok: false, reason: 'FORWARD_DOMAIN is never synced' };
  const fromRaw = 'body' in raw ? fromBody(raw.body, row) : { ok: false as const, reason: raw.reason };
  if (fromRaw.ok) return fromRaw;
  const fromColumns = fromTheColumns(row);
  if (fromColumns.ok) return fromColumns;
  // A NULL target offers nothing to fall back on, so record_raw's reason is the whole story.
  return { ok: false, reason: row.target === null ? fromRaw.reason : `${fromRaw.reason}, and ${fromColumns.reason}` };
}

function fromBody(body: Record<string, unknown>, row: StoredRow): RowIdentity {
  const type = typeof body.type === 'string' ? body.type : text(row.type);
  const domain = typeof body.domain === 'string' ? body.domain : text(row.domain);
  return build(type, domain, body, 'record_raw');
}

/** The target column as sync writes it (SPEC §4.2), split back into the type's fields. */
function fromTheColumns(row: StoredRow): RowIdentity {
  const type = text(row.type);
  const target = text(row.target);
  if (target === null || isLegacyTarget(target) || target.trim() === '') {
    return { ok: false, reason: `target is ${target === null ? 'NULL' : `'${target}'`}` };
  }
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

/** Each target field there, of its API type (as unifi/validate.ts checks a policy's) and not empty; then recordOf, sync's identity. */
function build(type: string | null, domain: string | null, fields: Record<string, unknown>, from: 'record_raw' | 'columns'): RowIdentity {
  const where = from === 'record_raw' ? 'record_raw' : 'the row';
  if (type === null) return { ok: false, reason: `${where} has no type` };
  if (!(RECORD_TYPES as readonly string[]).includes(type)) return { ok: false, reason: `type ${type} is not a DNS record type dnssync syncs` };
  if (domain === null || canonicalDomain(domain) === '') return { ok: false, reason: `${where} has no domain` };
  const body: Record<string, unknown> = { type, domain, enabled: true };
  for (const [field, kind] of TARGET_FIELDS[type as RecordType]) {
    const value = fields[field];
    if (typeof value !== kind || value === '' || (kind === 'number' && !Number.isFinite(value))) return { ok: false, reason: `${where} has no ${field}` };
    body[field] = value;
  }
  return { ok: true, record: recordOf(body as unknown as DnsPolicyBody)!, from };
}
