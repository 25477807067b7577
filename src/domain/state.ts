import type { RecordType } from './policy.ts';
import type { Attributes, DnsRecord } from './record.ts';

/**
 * The plain data the planner works on. Discovery and the store produce it; the planner
 * (pure functions) turns it into a Plan; apply and the store carry the Plan out.
 */

/** A site as the database knows it. `key` is its row id (site uuids repeat across controllers). */
export interface SiteRef {
  key: number;
  controller: string; // controller host
  controllerName: string;
  uuid: string;
  name: string;
  internalReference: string;
}

/** A policy found at a site that dnssync considers (USER_DEFINED or no origin; not FORWARD_DOMAIN). */
export interface LivePolicy {
  policyId: string;
  record: DnsRecord;
  attributes: Attributes;
}

/**
 * Our settled replicas that a site's listing holds as the database recorded them: the same policy
 * id, under their own record. Once a site is in step that is nearly every policy it has (2,000 at
 * each site of L), so they are kept with no object or id string each, and made into LivePolicy
 * objects only when asked (planner/replicas-in-place.ts; issue 13).
 */
export interface ReplicasInPlace extends Iterable<LivePolicy> {
  readonly size: number;
  has(recordId: string): boolean;
  get(recordId: string): LivePolicy | undefined;
}

/** Every policy a site's snapshot considers: its `policies`, then its replicas in place. */
export function* livePolicies(snapshot: SiteSnapshot): Iterable<LivePolicy> {
  yield* snapshot.policies;
  if (snapshot.inPlace) yield* snapshot.inPlace;
}

/**
 * How a site took part in this run:
 * - discovered: its policies were listed completely;
 * - failed: discovery failed: it keeps all its origins and gets no writes;
 * - excluded: the config leaves it out: its origins end, it gets no writes;
 * - gone: its controller no longer lists it: its origins end.
 */
export type SiteStatus = 'discovered' | 'failed' | 'excluded' | 'gone';

/** What discovery saw at one site this run. */
export interface SiteSnapshot {
  site: SiteRef;
  status: SiteStatus;
  /** Changes may be applied here: discovered, and chosen by --site if given. */
  writable: boolean;
  /** Record types synced to and from this site (the controller's, or sync.recordTypes). */
  recordTypes: readonly RecordType[];
  /** Types whose native policies here are origins, when fewer than recordTypes (the legacy allowed_record_types). */
  readTypes?: readonly RecordType[];
  /** Considered policies, when discovered, but for those in `inPlace`. */
  policies: LivePolicy[];
  /** Our settled replicas the listing holds as recorded, when the site is known (livePolicies gives both). */
  inPlace?: ReplicasInPlace;
  /** Domains of every other policy at the site (other origins, FORWARD_DOMAIN): CNAMEs may not go there. */
  otherDomains: ReadonlySet<string>;
  /** Records the site serves through a policy that is not USER_DEFINED, with that origin (SYSTEM_DEFINED …): never created there. */
  served: ReadonlyMap<string, string>;
  /** Client-derived A records: this site is their origin, though no policy holds them. */
  derived: Array<{ record: DnsRecord; attributes: Attributes }>;
}

export interface KnownOrigin {
  firstSeen: string;
  policyId: string | null;
  attributes: Attributes;
}

export interface KnownReplica {
  policyId: string | null;
  pending: 'create' | 'update' | 'delete' | null;
  pendingRunId: number | null;
  pendingBody: string | null;
}

/**
 * A replica as a run loads it: a settled one with its policy id is that id alone, so that
 * 400,000 replicas hold no object each (issue 13); any other (an intent pending, or no policy id
 * yet) is the whole row.
 */
export type StoredReplica = string | KnownReplica;

/** The whole row of a stored replica. */
export function replicaOf(stored: StoredReplica): KnownReplica {
  return typeof stored === 'string' ? { policyId: stored, pending: null, pendingRunId: null, pendingBody: null } : stored;
}

/** A stored replica's policy id (undefined for no replica). */
export function policyIdOf(stored: StoredReplica | undefined): string | null | undefined {
  return typeof stored === 'string' ? stored : stored?.policyId;
}

export interface KnownRecord {
  record: DnsRecord;
  firstSeen: string;
  orphanedAt: string | null;
}

/** A create the controller refused at a site: not sent again while its cause lasts. */
export interface KnownRefusal {
  /** The Error Message `code`, e.g. `api.dns.policy.validation.overlap-with-local-dns`. */
  code: string;
  message: string;
  /** The first refusal. */
  refusedAt: string;
  /** The last create sent. */
  triedAt: string;
}

/** A site as the last sync that found every site in step left it (store/in-step.ts). */
export interface InStepSite {
  /** Of what the site listed then: engine/unchanged.ts siteFingerprint. */
  fingerprint: string;
  /** Our replicas there then. */
  replicas: number;
}

/** What the database remembers from earlier runs. */
export interface KnownState {
  records: Map<string, KnownRecord>;
  /** recordId → siteKey → origin. */
  origins: Map<string, Map<number, KnownOrigin>>;
  /** siteKey → recordId → replica. */
  replicas: Map<number, Map<string, StoredReplica>>;
  /** Sites the database knows, by key, including ones not seen this run. */
  sites: Map<number, SiteRef>;
  /** siteKey → recordId → refused create. */
  refusals: Map<number, Map<string, KnownRefusal>>;
  /** siteKey → policyId → identical copy the legacy tool made of a record whose replica is there. */
  duplicates?: Map<number, Map<string, KnownDuplicate>>;
}

/** An identical copy of a replica that the legacy tool made (it read only 25 policies a site): deleted, never native. */
export interface KnownDuplicate {
  recordId: string;
  /** The run whose delete of it was sent but not yet recorded. */
  deletingRunId: number | null;
}

/** A bookkeeping change to the database, with the event it implies (SPEC §4.8). */
export type Change =
  | { op: 'record.add'; record: DnsRecord; at: string }
  | { op: 'origin.add'; record: DnsRecord; siteKey: number; origin: KnownOrigin }
  | { op: 'origin.update'; record: DnsRecord; siteKey: number; origin: KnownOrigin }
  /** `status`: how the site took part — an origin ends because the policy is gone (discovered), or the site is gone or excluded. */
  | { op: 'origin.remove'; record: DnsRecord; siteKey: number; status: SiteStatus }
  | { op: 'record.orphan'; record: DnsRecord; at: string; lastOriginSite: number | null }
  | { op: 'record.restore'; record: DnsRecord }
  /** A replica's policy id learnt by identity: after a crash mid-create (event CREATED), or from a legacy import. */
  | { op: 'replica.adopt'; record: DnsRecord; siteKey: number; policyId: string; recovered: boolean; runId: number | null }
  /** A replica whose policy is gone: deleted by us before a crash (event DELETED), or by someone at the site. */
  | { op: 'replica.forget'; record: DnsRecord; siteKey: number; recovered: boolean; runId: number | null }
  /** An update that went through before a crash (event UPDATED when `recovered`), or an intent to drop. */
  | { op: 'replica.settle'; record: DnsRecord; siteKey: number; recovered: boolean; runId: number | null };
