/** The conversion's records (convert.ts): one per identity recomputed from record_raw, or why a row is not imported. */
import type { SQLOutputValue } from 'node:sqlite';
import type { RecordType } from '../domain/policy.ts';
import { TTL_TYPES } from '../domain/policy.ts';
import { canonicalDomain, type Attributes, type DnsRecord } from '../domain/record.ts';
import { parseRecordRaw, recordOfRow, text } from '../domain/stored-record.ts';
import type { ConvertedRecord, Tally } from './conversion.ts';
import type { LegacyData } from './read.ts';

export interface Mapped {
  id: string;
  attributes: Attributes;
}

export interface LegacyRecords {
  /** By recomputed id; the earliest time known of the record is filled in by the later steps. */
  records: Map<string, ConvertedRecord & { firstSeenKnown: string | null }>;
  /** Legacy id → the record it became. */
  byLegacyId: Map<string, Mapped>;
  /** Identity for the history of records that were not imported. */
  skipped: Map<string, { type: string; domain: string; target: string } | null>;
}

export function convertRecords(data: LegacyData, tally: Tally): LegacyRecords {
  const { repairs, notImported } = tally;
  const records: LegacyRecords['records'] = new Map();
  const byLegacyId: LegacyRecords['byLegacyId'] = new Map();
  const skipped: LegacyRecords['skipped'] = new Map();
  for (const row of data.records) {
    const legacyId = text(row.id);
    if (legacyId === null) {
      notImported.records.push({ legacyId: '(NULL)', type: text(row.type), domain: text(row.domain), reason: 'no id' });
      continue;
    }
    const found = identify(row);
    if ('reason' in found) {
      notImported.records.push({ legacyId, type: found.type, domain: found.domain, reason: found.reason });
      skipped.set(legacyId, found.type && found.domain ? { type: found.type, domain: found.domain, target: found.target } : null);
      continue;
    }
    const { record, attributes } = found;
    if (found.fromColumns) repairs.rebuiltFromColumns++;
    if (record.id !== legacyId) {
      repairs.idsRecomputed++;
      if (row.target === null) repairs.targetsRecovered++;
    }
    if (records.has(record.id)) repairs.duplicatesMerged++;
    else records.set(record.id, { record, firstSeen: '', hasOrigin: false, firstSeenKnown: null });
    byLegacyId.set(legacyId, { id: record.id, attributes });
  }
  return { records, byLegacyId, skipped };
}

type Identified =
  | { record: DnsRecord; attributes: Attributes; fromColumns: boolean }
  | { reason: string; type: string | null; domain: string | null; target: string };

/** A legacy row's record, told as repair tells a stored row's (domain/stored-record.ts), with record_raw's attributes. */
function identify(row: LegacyData['records'][number]): Identified {
  const raw = parseRecordRaw(row.record_raw);
  const body = 'body' in raw ? raw.body : null;
  const found = recordOfRow(row, raw);
  if (found.ok) {
    const fromColumns = found.from === 'columns';
    return { record: found.record, attributes: fromColumns ? { enabled: true } : rawAttributes(body!, found.record.type), fromColumns };
  }
  // For the history of a record that is not imported: what the row says, as best it can.
  const type = (typeof body?.type === 'string' ? body.type : text(row.type))?.trim() ?? null;
  const domain = typeof body?.domain === 'string' ? body.domain : text(row.domain);
  return { reason: found.reason, type, domain: domain === null ? null : canonicalDomain(domain), target: bestTarget(body, row.target) };
}

function rawAttributes(body: Record<string, unknown>, type: RecordType): Attributes {
  const enabled = typeof body.enabled === 'boolean' ? body.enabled : true;
  const ttl = body.ttlSeconds;
  return TTL_TYPES.includes(type) && typeof ttl === 'number' && Number.isInteger(ttl) && ttl >= 0 ? { enabled, ttlSeconds: ttl } : { enabled };
}

function bestTarget(raw: Record<string, unknown> | null, legacyTarget: SQLOutputValue): string {
  for (const field of ['ipv4Address', 'ipv6Address', 'targetDomain', 'mailServerDomain', 'serverDomain', 'text', 'ipAddress']) {
    const value = raw?.[field];
    if (typeof value === 'string' && value !== '') return value;
  }
  return text(legacyTarget) ?? '';
}
