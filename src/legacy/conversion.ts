/** What a legacy conversion produces (convert.ts), and the tally of repairs and drops every step of it adds to. */
import type { SQLOutputValue } from 'node:sqlite';
import type { Attributes, DnsRecord } from '../domain/record.ts';
import type { LegacyEvidence } from '../domain/legacy-evidence.ts';
import type { EventStatus } from '../domain/run.ts';
import { legacyTime } from './time.ts';

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
  /** Why it has no site: at the shared default-site uuid, which console's is not known. */
  reason?: string;
}

/** What was repaired, each defect of the legacy README counted. */
export interface Repairs {
  /** Records whose id changed when recomputed from record_raw. */
  idsRecomputed: number;
  /** Of those, records whose legacy target was NULL (non-A records). */
  targetsRecovered: number;
  /** Legacy rows merged into another one: the same record after canonicalisation. */
  duplicatesMerged: number;
  /** Records rebuilt from the legacy columns because record_raw was unusable (the legacy tool kept only A targets there). */
  rebuiltFromColumns: number;
  /** (record, site) pairs recorded as origins that have a CREATED event: copies the legacy tool made. */
  copiesToReplicas: number;
  /** CREATED events with no sighting of the record at that site afterwards (e.g. refused with an overlap error). */
  createdNeverSeen: number;
  /** (record, site) pairs with several CREATED events: copies the tool could not see (or refused creates) made again. */
  createdAgain: number;
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
  /** Rows at the default-site uuid that every console shares, kept as evidence for the first sync. */
  sharedSite: SharedSiteSummary | null;
}

export interface SharedSiteSummary {
  uuid: string;
  /** The legacy controllers whose default site the first sync will decide at. */
  controllers: string[];
  /** Events there, kept in history without a site. */
  events: number;
  /** Records by verdict (domain/legacy-evidence.ts). */
  replica: number;
  native: number;
  /** Records the evidence cannot decide: treated as native (never deleted), and listed. */
  undecided: Array<{ type: string; domain: string; target: string }>;
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
  /** At the shared default-site uuid, per legacy controller. */
  evidence: LegacyEvidence[];
  repairs: Repairs;
  notImported: NotImported;
}

/** Shared by the steps of one conversion: its time, what was repaired, and what was not imported. */
export class Tally {
  readonly repairs: Repairs = {
    idsRecomputed: 0,
    targetsRecovered: 0,
    duplicatesMerged: 0,
    rebuiltFromColumns: 0,
    copiesToReplicas: 0,
    createdNeverSeen: 0,
    createdAgain: 0,
    keysDropped: 0,
    hostsNormalised: [],
    timestampsConverted: 0,
    statusesRenamed: 0,
    eventsWithoutSite: 0,
    eventsOfSkippedRecords: 0,
    orphaned: [],
    sharedSite: null,
  };
  readonly notImported: NotImported = { records: [], controllers: [], sites: [], origins: {}, events: {}, unreadableTimestamps: 0 };

  /** `at` (ISO) is the conversion time, used where the legacy file has no time. */
  readonly at: string;

  constructor(at: string) {
    this.at = at;
  }

  /** One more row of `bucket` dropped for `reason`. */
  count(bucket: Record<string, number>, reason: string): void {
    bucket[reason] = (bucket[reason] ?? 0) + 1;
  }

  /** A legacy time in ISO form, counted as converted when it could be read. */
  time(value: SQLOutputValue): string | null {
    const iso = legacyTime(value);
    if (iso) this.repairs.timestampsConverted++;
    return iso;
  }
}
