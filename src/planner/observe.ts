import type { Attributes, DnsRecord } from '../domain/record.ts';
import { sameAttributes } from '../domain/record.ts';
import { policyIdOf, replicaOf, type Change, type KnownDuplicate, type KnownOrigin, type KnownRefusal, type KnownState, type LivePolicy, type ReplicasInPlace, type SiteSnapshot, type StoredReplica } from '../domain/state.ts';
import type { RecordType } from '../domain/policy.ts';

/**
 * What this run observed, before deciding any write: which live policies are ours, which sites
 * are origins of which records, which records became orphans. Pure; the store records the
 * `changes`, the planner works on the rest.
 */

export interface SiteObservation {
  snapshot: SiteSnapshot;
  /** recordId → the live policy of our replica. */
  replicas: LiveReplicas;
  /** Live policies that are not ours (every type, filtered or not). */
  natives: LivePolicy[];
  /** Records whose replica someone deleted at the site: recreating them says so. */
  vanished: Set<string>;
  /** recordId → a create the controller refused here before. */
  refusals: ReadonlyMap<string, KnownRefusal>;
  /** Identical copies the legacy tool made of a record whose replica is here: deleted, never native. */
  duplicates: LivePolicy[];
}

export interface Observation {
  changes: Change[];
  sites: SiteObservation[];
  /** recordId → siteKey → origin, after this run's discovery. */
  origins: Map<string, Map<number, KnownOrigin>>;
  records: Map<string, { record: DnsRecord; orphanedAt: string | null }>;
}

export interface ObserveInput {
  snapshots: SiteSnapshot[];
  known: KnownState;
  /** Whether a record passes the config filters for a site syncing `types`. */
  passes: (record: DnsRecord, types: readonly RecordType[]) => boolean;
  now: string;
}

export function observe({ snapshots, known, passes, now }: ObserveInput): Observation {
  const changes: Change[] = [];
  const records = new Map<string, { record: DnsRecord; orphanedAt: string | null }>();
  for (const [id, known_] of known.records) records.set(id, { record: known_.record, orphanedAt: known_.orphanedAt });
  const origins = new Map<string, Map<number, KnownOrigin>>();
  for (const [id, bySite] of known.origins) origins.set(id, new Map(bySite));
  const originsBySite = indexBySite(known.origins);

  const sites: SiteObservation[] = [];
  for (const snapshot of snapshots) {
    const siteKey = snapshot.site.key;
    if (snapshot.status === 'failed') continue; // keeps every origin, learns nothing
    if (snapshot.status !== 'discovered') {
      for (const recordId of originsBySite.get(siteKey) ?? []) {
        origins.get(recordId)!.delete(siteKey);
        changes.push({ op: 'origin.remove', record: records.get(recordId)!.record, siteKey, status: snapshot.status });
      }
      continue;
    }
    const observed = matchReplicas(snapshot, known.replicas.get(siteKey) ?? new Map(), known.records, changes, known.refusals.get(siteKey), known.duplicates?.get(siteKey));
    sites.push(observed);

    const current = currentOrigins(snapshot, observed.natives, passes);
    for (const [recordId, found] of current) {
      if (!records.has(recordId)) {
        records.set(recordId, { record: found.record, orphanedAt: null });
        changes.push({ op: 'record.add', record: found.record, at: now });
      }
      const bySite = origins.get(recordId) ?? new Map<number, KnownOrigin>();
      origins.set(recordId, bySite);
      const before = bySite.get(siteKey);
      const origin = { firstSeen: before?.firstSeen ?? now, policyId: found.policyId, attributes: found.attributes };
      if (!before) changes.push({ op: 'origin.add', record: found.record, siteKey, origin });
      else if (before.policyId !== found.policyId || !sameAttributes(before.attributes, found.attributes)) {
        changes.push({ op: 'origin.update', record: found.record, siteKey, origin });
      }
      bySite.set(siteKey, origin);
    }
    for (const recordId of originsBySite.get(siteKey) ?? []) {
      if (current.has(recordId)) continue;
      origins.get(recordId)!.delete(siteKey);
      changes.push({ op: 'origin.remove', record: records.get(recordId)!.record, siteKey, status: 'discovered' });
    }
  }

  for (const [recordId, state] of records) {
    const hasOrigin = (origins.get(recordId)?.size ?? 0) > 0;
    if (hasOrigin && state.orphanedAt !== null) {
      state.orphanedAt = null;
      changes.push({ op: 'record.restore', record: state.record });
    } else if (!hasOrigin && state.orphanedAt === null) {
      state.orphanedAt = now;
      const before = known.origins.get(recordId);
      const lastOriginSite = before && before.size > 0 ? oldestSite(before) : null;
      changes.push({ op: 'record.orphan', record: state.record, at: now, lastOriginSite });
    }
  }
  return { changes, sites, origins, records };
}

/**
 * Tells our replicas from native policies. A policy is ours when its id is a replica's; a replica
 * without an id (a create interrupted by a crash, or imported from the legacy tool) is matched
 * by identity, so a crash never turns our own policy into a native one.
 */
function matchReplicas(
  snapshot: SiteSnapshot,
  known: Map<string, StoredReplica>,
  catalogue: KnownState['records'],
  changes: Change[],
  refusals: ReadonlyMap<string, KnownRefusal> = new Map(),
  duplicatesKnown: ReadonlyMap<string, KnownDuplicate> = new Map(),
): SiteObservation {
  const siteKey = snapshot.site.key;
  const replicas = new LiveReplicas(snapshot.inPlace);
  // Replicas without a policy id that this run adopts: their intent is settled by the adoption.
  const adopted = new Set<string>();
  // Nearly every live policy is the replica of its own record, and the settled ones are in place
  // already: the rest are matched by record id first, so that only what remains needs the index
  // of the remaining replicas by policy id (policy ids are unique).
  const rest: LivePolicy[] = [];
  for (const live of snapshot.policies) {
    if (policyIdOf(known.get(live.record.id)) === live.policyId && !replicas.has(live.record.id)) replicas.set(live.record.id, live);
    else rest.push(live);
  }
  const byPolicyId = new Map<string, string>();
  for (const [recordId, stored] of known) {
    const policyId = policyIdOf(stored);
    if (policyId && !replicas.has(recordId)) byPolicyId.set(policyId, recordId);
  }

  const natives: LivePolicy[] = [];
  const duplicates: LivePolicy[] = [];
  for (const live of rest) {
    const recordId = byPolicyId.get(live.policyId);
    if (recordId !== undefined) {
      replicas.set(recordId, live);
      continue;
    }
    if (duplicatesKnown.has(live.policyId)) {
      duplicates.push(live);
      continue;
    }
    const stored = known.get(live.record.id);
    const unconfirmed = stored === undefined ? undefined : replicaOf(stored);
    if (unconfirmed && unconfirmed.policyId === null && !replicas.has(live.record.id)) {
      const recovered = unconfirmed.pending === 'create';
      changes.push({ op: 'replica.adopt', record: live.record, siteKey, policyId: live.policyId, recovered, runId: unconfirmed.pendingRunId });
      replicas.set(live.record.id, live);
      adopted.add(live.record.id);
      continue;
    }
    // The legacy tool read 25 policies a site and created again what it could not see: where it
    // created the record (a legacy replica, no intent of ours), every identical copy is its own.
    if (unconfirmed && unconfirmed.policyId === null && unconfirmed.pending === null) {
      duplicates.push(live);
      continue;
    }
    natives.push(live);
  }

  const vanished = new Set<string>();
  for (const [recordId, stored] of known) {
    const found = replicas.get(recordId);
    // Settled, confirmed and found: nothing to record (the usual case).
    if (typeof stored === 'string' && found) continue;
    const replica = replicaOf(stored);
    if (!found) {
      const recovered = replica.pending === 'delete';
      // Only a replica we had confirmed can have been deleted by someone else.
      if (!recovered && replica.policyId !== null) vanished.add(recordId);
      changes.push({ op: 'replica.forget', record: catalogue.get(recordId)!.record, siteKey, recovered, runId: replica.pendingRunId });
    } else if (replica.pending !== null && !adopted.has(recordId)) {
      const recovered = replica.pending === 'update' && sameBody(found, replica.pendingBody);
      changes.push({ op: 'replica.settle', record: found.record, siteKey, recovered, runId: replica.pendingRunId });
    }
  }
  return { snapshot, replicas, natives, vanished, refusals, duplicates };
}

function sameBody(live: LivePolicy, pendingBody: string | null): boolean {
  if (pendingBody === null) return false;
  const body = JSON.parse(pendingBody) as { enabled: boolean; ttlSeconds?: number; domain: string };
  return sameAttributes(live.attributes, { enabled: body.enabled, ttlSeconds: body.ttlSeconds }) && live.record.domain === body.domain;
}

interface FoundOrigin {
  record: DnsRecord;
  policyId: string | null;
  attributes: Attributes;
}

/** The records this site is an origin of now: its native policies and client-derived records that pass the filters. */
function currentOrigins(snapshot: SiteSnapshot, natives: LivePolicy[], passes: ObserveInput['passes']): Map<string, FoundOrigin> {
  const current = new Map<string, FoundOrigin>();
  const types = snapshot.readTypes ?? snapshot.recordTypes;
  for (const live of natives) {
    if (!current.has(live.record.id) && passes(live.record, types)) {
      current.set(live.record.id, { record: live.record, policyId: live.policyId, attributes: live.attributes });
    }
  }
  for (const derived of snapshot.derived) {
    if (!current.has(derived.record.id) && passes(derived.record, types)) {
      current.set(derived.record.id, { record: derived.record, policyId: null, attributes: derived.attributes });
    }
  }
  return current;
}

function indexBySite(origins: Map<string, Map<number, KnownOrigin>>): Map<number, string[]> {
  const bySite = new Map<number, string[]>();
  for (const [recordId, sites] of origins) {
    for (const siteKey of sites.keys()) {
      const list = bySite.get(siteKey) ?? [];
      list.push(recordId);
      bySite.set(siteKey, list);
    }
  }
  return bySite;
}

/** The site of the oldest origin: the one whose attributes the replicas followed. */
function oldestSite(origins: Map<number, KnownOrigin>): number {
  let best: [number, KnownOrigin] | undefined;
  for (const entry of origins) if (!best || entry[1].firstSeen < best[1].firstSeen) best = entry;
  return best![0];
}

/** A site's replicas found live: those in place (replicas-in-place.ts), then the ones observe matched. */
export class LiveReplicas implements Iterable<[string, LivePolicy]> {
  readonly #inPlace: ReplicasInPlace | undefined;
  readonly #matched = new Map<string, LivePolicy>();

  constructor(inPlace?: ReplicasInPlace) {
    this.#inPlace = inPlace;
  }

  get size(): number {
    return (this.#inPlace?.size ?? 0) + this.#matched.size;
  }

  has(recordId: string): boolean {
    return this.#matched.has(recordId) || this.#inPlace?.has(recordId) === true;
  }

  get(recordId: string): LivePolicy | undefined {
    return this.#matched.get(recordId) ?? this.#inPlace?.get(recordId);
  }

  set(recordId: string, live: LivePolicy): this {
    this.#matched.set(recordId, live);
    return this;
  }

  *[Symbol.iterator](): Iterator<[string, LivePolicy]> {
    if (this.#inPlace) for (const live of this.#inPlace) yield [live.record.id, live];
    yield* this.#matched;
  }
}
