/** The conversion's records (convert.ts): one per identity recomputed from record_raw, or why a row is not imported. */
import type { SQLOutputValue } from 'node:sqlite';
import { RECORD_TYPES, type RecordType } from '../domain/policy.ts';
import { canonicalDomain, recordOf, type Attributes, type DnsRecord } from '../domain/record.ts';
import { TARGET_FIELDS, TTL_TYPES, type DnsPolicyBody } from '../domain/policy.ts';
import type { ConvertedRecord, Tally } from './conversion.ts';
import { text, type LegacyData } from './read.ts';

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

/** A legacy row's record, from record_raw (the policy as the API returned it), or why not. */
function identify(row: LegacyData['records'][number]): Identified {
  const legacyType = text(row.type);
  const legacyDomain = text(row.domain);
  let raw: Record<string, unknown> | null = null;
  let problem: string;
  const rawText = text(row.record_raw);
  if (rawText === null || rawText.trim() === '') problem = 'record_raw is empty';
  else {
    try {
      const parsed: unknown = JSON.parse(rawText);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) raw = parsed as Record<string, unknown>;
      problem = raw ? '' : 'record_raw is not a JSON object';
    } catch {
      problem = 'record_raw is not valid JSON';
    }
  }
  const type = (raw && typeof raw.type === 'string' ? raw.type : legacyType)?.trim() ?? null;
  const domain = raw && typeof raw.domain === 'string' ? raw.domain : legacyDomain;
  const target = bestTarget(raw, row.target);
  const history = { type, domain: domain === null ? null : canonicalDomain(domain), target };

  if (type === 'FORWARD_DOMAIN') return { reason: 'FORWARD_DOMAIN is never synced', ...history };
  if (raw) {
    if (type === null) problem = 'record_raw has no type';
    else if (!(RECORD_TYPES as readonly string[]).includes(type)) problem = `type ${type} is not a DNS record type dnssync syncs`;
    else if (typeof domain !== 'string' || canonicalDomain(domain) === '') problem = 'record_raw has no domain';
    else {
      const absent = TARGET_FIELDS[type as RecordType].find(([field, kind]) => typeof raw![field] !== kind || raw![field] === '');
      if (absent) problem = `record_raw has no ${absent[0]}`;
      else {
        const body = { ...raw, type, domain } as unknown as DnsPolicyBody;
        const record = recordOf(body)!;
        const enabled = typeof raw.enabled === 'boolean' ? raw.enabled : true;
        const ttl = raw.ttlSeconds;
        const attributes: Attributes =
          TTL_TYPES.includes(type as RecordType) && typeof ttl === 'number' && Number.isInteger(ttl) && ttl >= 0 ? { enabled, ttlSeconds: ttl } : { enabled };
        return { record, attributes, fromColumns: false };
      }
    }
  }
  // The legacy columns are right for A records (their target was the IPv4 address).
  const legacyTarget = text(row.target);
  if (legacyType === 'A_RECORD' && legacyDomain && canonicalDomain(legacyDomain) !== '' && legacyTarget && legacyTarget.trim() !== '') {
    const record = recordOf({ type: 'A_RECORD', domain: legacyDomain, ipv4Address: legacyTarget, enabled: true });
    return { record: record!, attributes: { enabled: true }, fromColumns: true };
  }
  return { reason: problem, ...history };
}

function bestTarget(raw: Record<string, unknown> | null, legacyTarget: SQLOutputValue): string {
  for (const field of ['ipv4Address', 'ipv6Address', 'targetDomain', 'mailServerDomain', 'serverDomain', 'text', 'ipAddress']) {
    const value = raw?.[field];
    if (typeof value === 'string' && value !== '') return value;
  }
  return text(legacyTarget) ?? '';
}
