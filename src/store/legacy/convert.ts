/**
 * The legacy rows turned into dnssync's model, repairing the legacy defects
 * (../shared/legacy/README.md). Pure: no database here; write.ts stores the result.
 *
 * - Records: identity recomputed from `record_raw` with the same `recordOf` as discovery, so the
 *   NULL targets of non-A records (whose ids were computed over "None") are recovered, and rows
 *   that become one record after canonicalisation (case, trailing dot) are merged.
 * - Origins vs replicas: a (record, site) with a CREATED event is a copy the legacy tool made, so a
 *   replica with no policy id yet (the next discovery adopts it by identity, or forgets it when no
 *   such policy exists, e.g. a create the controller refused with an overlap error); every other
 *   (record, site) of `record_origins` stays an origin.
 * - Controllers: host normalised as the legacy controllers.json host is; the plain-text API key is
 *   replaced by its fingerprint.
 * - Events: kept with their original time (UTC), run id NULL, DISCOVERY renamed DISCOVERED.
 */
import type { SQLOutputValue } from 'node:sqlite';
import { legacyHostUrl } from '../../config/legacy.ts';
import { keyFingerprint } from '../../config/key.ts';
import { RECORD_TYPES, type RecordType } from '../../config/types.ts';
import { canonicalDomain, recordOf, type Attributes, type DnsRecord } from '../../sync/identity.ts';
import { TARGET_FIELDS, TTL_TYPES, type DnsPolicyBody } from '../../unifi/types.ts';
import type { EventStatus } from '../events.ts';
import type { LegacyData } from './read.ts';
import { earliest, latest, legacyTime } from './time.ts';

export interface ConvertedController {
  host: string;
  name: string;
  url: string;
  keyFingerprint: string | null;
  lastContact: string | null;
}

export interface ConvertedSite {
  /** `${controllerHost}\n${uuid}`: sites are only unique per controller. */
  key: string;
  controllerHost: string;
  uuid: string;
  name: string | null;
  firstSeen: string;
  lastSynced: string | null;
}

export interface ConvertedRecord {
  record: DnsRecord;
  firstSeen: string;
  /** False when every site of the record was a copy: it is an orphan from the conversion on. */
  hasOrigin: boolean;
}

export interface ConvertedOrigin {
  recordId: string;
  siteKey: string;
  firstSeen: string;
  attributes: Attributes;
}

export interface ConvertedReplica {
  recordId: string;
  siteKey: string;
  createdAt: string;
}

export interface ConvertedEvent {
  recordId: string;
  type: string;
  domain: string;
  target: string;
  siteKey: string | null;
  status: EventStatus;
  timestamp: string;
}

/** What was repaired, each defect of the legacy README counted. */
export interface Repairs {
  /** Records whose id changed when recomputed from record_raw. */
  idsRecomputed: number;
  /** Of those, records whose legacy target was NULL (non-A records). */
  targetsRecovered: number;
  /** Legacy rows merged into another one: the same record after canonicalisation. */
  duplicatesMerged: number;
  /** Records rebuilt from the legacy columns because record_raw was unusable (A records only). */
  rebuiltFromColumns: number;
  /** (record, site) pairs recorded as origins that have a CREATED event: copies the legacy tool made. */
  copiesToReplicas: number;
  /** CREATED events with no sighting of the record at that site afterwards (e.g. refused with an overlap error). */
  createdNeverSeen: number;
  /** Plain-text API keys dropped (their fingerprints kept). */
  keysDropped: number;
  /** Controller hosts that changed when normalised. */
  hostsNormalised: Array<{ from: string; to: string }>;
  /** Legacy timestamps (Python text, UTC) converted to ISO 8601. */
  timestampsConverted: number;
  /** DISCOVERY events renamed DISCOVERED. */
  statusesRenamed: number;
  /** Events of a site the legacy database does not know: kept without a site. */
  eventsWithoutSite: number;
  /** Events of records that were not imported, kept as history under the legacy record id. */
  eventsOfSkippedRecords: number;
  /** Records left with no origin (every site held a copy): orphans from the conversion on. */
  orphaned: Array<{ type: string; domain: string; target: string }>;
}

export interface NotImported {
  records: Array<{ legacyId: string; type: string | null; domain: string | null; reason: string }>;
  controllers: Array<{ host: string; reason: string }>;
  sites: Array<{ uuid: string; reason: string }>;
  /** Origin rows dropped, by reason. */
  origins: Record<string, number>;
  /** Event rows dropped, by reason. */
  events: Record<string, number>;
  /** Events whose timestamp could not be read: kept, dated at the conversion. */
  unreadableTimestamps: number;
}

export interface Conversion {
  at: string;
  controllers: ConvertedController[];
  sites: ConvertedSite[];
  records: ConvertedRecord[];
  origins: ConvertedOrigin[];
  replicas: ConvertedReplica[];
  /** Oldest first. */
  events: ConvertedEvent[];
  repairs: Repairs;
  notImported: NotImported;
}

const EVENT_STATUSES: readonly EventStatus[] = ['CREATED', 'UPDATED', 'DELETED', 'SKIPPED', 'FAILED', 'DISCOVERED', 'ORPHANED', 'RESTORED'];

/** Converts the legacy rows; `at` (ISO) is the conversion time, used where the legacy file has no time. */
export function convertLegacy(data: LegacyData, at: string): Conversion {
  const repairs: Repairs = {
    idsRecomputed: 0,
    targetsRecovered: 0,
    duplicatesMerged: 0,
    rebuiltFromColumns: 0,
    copiesToReplicas: 0,
    createdNeverSeen: 0,
    keysDropped: 0,
    hostsNormalised: [],
    timestampsConverted: 0,
    statusesRenamed: 0,
    eventsWithoutSite: 0,
    eventsOfSkippedRecords: 0,
    orphaned: [],
  };
  const notImported: NotImported = { records: [], controllers: [], sites: [], origins: {}, events: {}, unreadableTimestamps: 0 };
  const count = (bucket: Record<string, number>, reason: string) => (bucket[reason] = (bucket[reason] ?? 0) + 1);
  const time = (value: SQLOutputValue) => {
    const iso = legacyTime(value);
    if (iso) repairs.timestampsConverted++;
    return iso;
  };

  // Controllers, by normalised host.
  const controllers = new Map<string, ConvertedController>();
  const hostOf = new Map<string, string | null>(); // legacy host text → normalised host
  const normalise = (legacy: string): string | null => {
    if (hostOf.has(legacy)) return hostOf.get(legacy)!;
    let host: string | null = null;
    try {
      host = legacyHostUrl(legacy).host;
    } catch {
      host = null;
    }
    hostOf.set(legacy, host);
    if (host !== null && host !== legacy) repairs.hostsNormalised.push({ from: legacy, to: host });
    return host;
  };
  const controllerFor = (host: string): ConvertedController => {
    let c = controllers.get(host);
    if (!c) controllers.set(host, (c = { host, name: host, url: legacyHostUrl(host).url, keyFingerprint: null, lastContact: null }));
    return c;
  };
  for (const row of data.controllers) {
    const legacy = text(row.host);
    const key = text(row.api_key)?.trim();
    if (key) repairs.keysDropped++;
    const host = legacy === null ? null : normalise(legacy);
    if (host === null) {
      notImported.controllers.push({ host: legacy ?? '(NULL)', reason: 'not a host name or IP address' });
      continue;
    }
    const c = controllerFor(host);
    if (key && c.keyFingerprint === null) c.keyFingerprint = keyFingerprint(key);
    c.lastContact = latest(c.lastContact, time(row.last_contact));
  }

  // Sites, keyed per controller. The first legacy schema keyed them by uuid alone.
  const sites = new Map<string, ConvertedSite>();
  const siteKeysByUuid = new Map<string, string[]>();
  const siteKey = (host: string, uuid: string) => `${host}\n${uuid}`;
  for (const row of data.sites) {
    const uuid = text(row.uuid);
    const legacyHost = text(row.controller_host);
    if (uuid === null || uuid === '') {
      notImported.sites.push({ uuid: '(NULL)', reason: 'no uuid' });
      continue;
    }
    const host = legacyHost === null ? null : normalise(legacyHost);
    if (host === null) {
      notImported.sites.push({ uuid, reason: legacyHost === null ? 'no controller' : `controller host '${legacyHost}' is not a host name or IP address` });
      continue;
    }
    controllerFor(host);
    const key = siteKey(host, uuid);
    const lastSynced = time(row.last_synced);
    const known = sites.get(key);
    if (known) {
      known.lastSynced = latest(known.lastSynced, lastSynced);
      continue;
    }
    // first_seen: the earliest legacy time of the site, filled in below; last_synced meanwhile.
    sites.set(key, { key, controllerHost: host, uuid, name: text(row.name), firstSeen: lastSynced ?? '', lastSynced });
    siteKeysByUuid.set(uuid, [...(siteKeysByUuid.get(uuid) ?? []), key]);
  }
  const findSite = (uuidValue: SQLOutputValue, hostValue: SQLOutputValue): ConvertedSite | 'none' | 'unknown' => {
    const uuid = text(uuidValue);
    if (uuid === null || uuid === '') return 'none';
    const legacyHost = text(hostValue);
    if (legacyHost !== null) {
      const host = normalise(legacyHost);
      return (host !== null && sites.get(siteKey(host, uuid))) || 'unknown';
    }
    const keys = siteKeysByUuid.get(uuid) ?? [];
    return keys.length === 1 ? sites.get(keys[0]!)! : 'unknown';
  };
  const seenAt = (site: ConvertedSite, iso: string | null) => {
    if (iso) site.firstSeen = earliest(site.firstSeen || null, iso)!;
  };

  // Records, by recomputed id.
  interface Mapped {
    id: string;
    attributes: Attributes;
  }
  const records = new Map<string, ConvertedRecord & { firstSeenKnown: string | null }>();
  const byLegacyId = new Map<string, Mapped>();
  /** Identity for the history of records that were not imported. */
  const skipped = new Map<string, { type: string; domain: string; target: string } | null>();
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

  // Events first: their CREATED rows tell copies from origins.
  interface Pending {
    legacyOrder: number;
    event: ConvertedEvent;
    timeKnown: boolean;
  }
  const events: Pending[] = [];
  const created = new Map<string, ConvertedReplica>(); // by `${recordId}\n${siteKey}`: the latest CREATED
  data.events.forEach((row, index) => {
    const legacyId = text(row.record_id);
    const status = text(row.status)?.trim().toUpperCase() ?? '';
    const mappedStatus = status === 'DISCOVERY' ? 'DISCOVERED' : (EVENT_STATUSES as readonly string[]).includes(status) ? (status as EventStatus) : null;
    if (mappedStatus === null) {
      count(notImported.events, `unknown status '${text(row.status) ?? 'NULL'}'`);
      return;
    }
    const mapped = legacyId === null ? undefined : byLegacyId.get(legacyId);
    const lost = legacyId === null ? undefined : skipped.get(legacyId);
    let identity: { id: string; type: string; domain: string; target: string };
    if (mapped) {
      const r = records.get(mapped.id)!.record;
      identity = { id: r.id, type: r.type, domain: r.domain, target: r.target };
    } else if (lost) {
      identity = { id: legacyId!, ...lost };
      repairs.eventsOfSkippedRecords++;
    } else {
      const why = legacyId !== null && skipped.has(legacyId) ? 'of a record not imported, with no type or domain to show' : 'of a record the legacy database does not hold';
      count(notImported.events, why);
      return;
    }
    if (status === 'DISCOVERY') repairs.statusesRenamed++;
    const site = findSite(row.site_uuid, row.controller_host);
    if (site === 'unknown') repairs.eventsWithoutSite++;
    const at_ = time(row.timestamp);
    if (at_ === null) notImported.unreadableTimestamps++;
    const siteRef = typeof site === 'object' ? site : null;
    if (siteRef) seenAt(siteRef, at_);
    if (mapped && at_) {
      const rec = records.get(mapped.id)!;
      rec.firstSeenKnown = earliest(rec.firstSeenKnown, at_);
    }
    if (mapped && siteRef && mappedStatus === 'CREATED') {
      const pair = `${mapped.id}\n${siteRef.key}`;
      const createdAt = latest(created.get(pair)?.createdAt, at_ ?? at)!;
      created.set(pair, { recordId: mapped.id, siteKey: siteRef.key, createdAt });
    }
    events.push({
      legacyOrder: index,
      timeKnown: at_ !== null,
      event: { recordId: identity.id, type: identity.type, domain: identity.domain, target: identity.target, siteKey: siteRef?.key ?? null, status: mappedStatus, timestamp: at_ ?? at },
    });
  });

  // Origins and replicas.
  const origins = new Map<string, ConvertedOrigin>();
  const replicas = new Map<string, ConvertedReplica>();
  for (const row of data.origins) {
    const legacyId = text(row.record_id);
    const mapped = legacyId === null ? undefined : byLegacyId.get(legacyId);
    if (!mapped) {
      count(notImported.origins, legacyId !== null && skipped.has(legacyId) ? 'of a record not imported' : 'of a record the legacy database does not hold');
      continue;
    }
    const site = findSite(row.site_uuid, row.controller_host);
    if (typeof site !== 'object') {
      count(notImported.origins, 'at a site the legacy database does not hold');
      continue;
    }
    const firstSeen = time(row.first_seen);
    seenAt(site, firstSeen);
    const rec = records.get(mapped.id)!;
    rec.firstSeenKnown = earliest(rec.firstSeenKnown, firstSeen);
    const pair = `${mapped.id}\n${site.key}`;
    const copy = created.get(pair);
    if (copy !== undefined) {
      if (!replicas.has(pair)) {
        replicas.set(pair, copy);
        repairs.copiesToReplicas++;
      }
      continue;
    }
    const before = origins.get(pair);
    if (before) before.firstSeen = earliest(before.firstSeen, firstSeen ?? at)!;
    else origins.set(pair, { recordId: mapped.id, siteKey: site.key, firstSeen: firstSeen ?? at, attributes: mapped.attributes });
  }
  // CREATED with no sighting afterwards: the create may have been refused. A replica without a
  // policy id is what the next discovery checks: adopted if the policy exists, forgotten if not.
  for (const [pair, copy] of created) {
    if (replicas.has(pair)) continue;
    replicas.set(pair, copy);
    repairs.createdNeverSeen++;
  }

  for (const origin of origins.values()) records.get(origin.recordId)!.hasOrigin = true;
  const recordList = [...records.values()].map(({ firstSeenKnown, ...r }) => {
    if (!r.hasOrigin) repairs.orphaned.push({ type: r.record.type, domain: r.record.domain, target: r.record.target });
    return { ...r, firstSeen: firstSeenKnown ?? at };
  });
  for (const site of sites.values()) if (!site.firstSeen) site.firstSeen = at;
  // Oldest first; the legacy order breaks ties (and places events of unreadable time last).
  events.sort((a, b) => Number(b.timeKnown) - Number(a.timeKnown) || compare(a.event.timestamp, b.event.timestamp) || a.legacyOrder - b.legacyOrder);

  return {
    at,
    controllers: [...controllers.values()],
    sites: [...sites.values()],
    records: recordList,
    origins: [...origins.values()],
    replicas: [...replicas.values()],
    events: events.map((e) => e.event),
    repairs,
    notImported,
  };
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

function text(value: SQLOutputValue | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return Buffer.from(value).toString('utf8');
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
