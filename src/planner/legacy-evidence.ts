/**
 * The first sync after a legacy conversion decides, at each console's site at the shared
 * default-site uuid, what the legacy evidence there says of the policies it finds (issue 17):
 * the tool's copies become replicas (adopted by identity in observe), the rest origins since the
 * tool first saw them. Pure; the store records the decisions with the run's observations.
 */
import type { EvidenceDecision, LegacyEvidence } from '../domain/legacy-evidence.ts';
import type { Attributes, DnsRecord } from '../domain/record.ts';
import type { RecordType } from '../domain/policy.ts';
import { livePolicies, type KnownOrigin, type KnownReplica, type KnownState, type SiteSnapshot } from '../domain/state.ts';
import type { Observation } from './observe.ts';

export interface EvidenceResolution {
  /** The known state with the decided replicas and origins added (the original is not changed). */
  known: KnownState;
  decisions: EvidenceDecision[];
  /** Records that may have their origin at a console not read this run: not orphaned yet. */
  held: Set<string>;
}

const UNCONFIRMED: KnownReplica = { policyId: null, pending: null, pendingRunId: null, pendingBody: null };

export function resolveEvidence(
  evidence: readonly LegacyEvidence[],
  snapshots: readonly SiteSnapshot[],
  known: KnownState,
  passes: (record: DnsRecord, types: readonly RecordType[]) => boolean,
  now: string,
): EvidenceResolution {
  const bySite = new Map<string, LegacyEvidence[]>();
  for (const e of evidence) bySite.set(place(e.controllerHost, e.uuid), [...(bySite.get(place(e.controllerHost, e.uuid)) ?? []), e]);
  const replicas = new Map(known.replicas);
  const origins = new Map(known.origins);
  const decisions: EvidenceDecision[] = [];
  const read = new Set<string>();

  for (const snapshot of snapshots) {
    const rows = bySite.get(place(snapshot.site.controller, snapshot.site.uuid));
    // A failed site keeps its evidence for a later run; an excluded or gone one has no origin left to find.
    if (!rows || snapshot.status === 'failed') continue;
    read.add(place(snapshot.site.controller, snapshot.site.uuid));
    const siteKey = snapshot.site.key;
    if (snapshot.status !== 'discovered') {
      for (const e of rows) decisions.push({ evidence: e, siteKey, found: 0, replica: null, origin: null });
      continue;
    }
    const live = new Map<string, { count: number; attributes: Attributes }>();
    for (const p of livePolicies(snapshot)) {
      const seen = live.get(p.record.id);
      live.set(p.record.id, { count: (seen?.count ?? 0) + 1, attributes: seen?.attributes ?? p.attributes });
    }
    const derived = new Map(snapshot.derived.map((d) => [d.record.id, d.attributes]));
    const siteReplicas = new Map(replicas.get(siteKey) ?? []);
    replicas.set(siteKey, siteReplicas);
    for (const e of rows) {
      const known_ = known.records.get(e.recordId);
      if (!known_) continue;
      const found = live.get(e.recordId)?.count ?? 0;
      const decision: EvidenceDecision = { evidence: e, siteKey, found, replica: null, origin: null };
      decisions.push(decision);
      // What dnssync itself recorded at this site stands.
      if (siteReplicas.has(e.recordId) || snapshot.inPlace?.has(e.recordId) || origins.get(e.recordId)?.has(siteKey)) continue;
      if (e.verdict === 'replica') {
        if (found === 0) continue; // refused, or deleted since: nothing of ours there
        siteReplicas.set(e.recordId, UNCONFIRMED);
        decision.replica = { createdAt: e.created.at(-1) ?? now };
        continue;
      }
      // Native (or undecided, which is never deleted): an origin, if the site still has it.
      const attributes = live.get(e.recordId)?.attributes ?? derived.get(e.recordId);
      if (!attributes || !passes(known_.record, snapshot.readTypes ?? snapshot.recordTypes)) continue;
      const origin: KnownOrigin = { firstSeen: e.firstDiscovered ?? now, policyId: null, attributes };
      origins.set(e.recordId, new Map(origins.get(e.recordId) ?? []).set(siteKey, origin));
      decision.origin = { firstSeen: origin.firstSeen, attributes };
    }
  }

  const held = new Set<string>();
  for (const e of evidence) if (e.verdict !== 'replica' && !read.has(place(e.controllerHost, e.uuid))) held.add(e.recordId);
  return { known: { ...known, replicas, origins }, decisions, held };
}

/**
 * A record whose origin may be at a console not read this run (unreachable at the first sync) is
 * not orphaned for it: a failure never causes a deletion anywhere.
 */
export function holdOrphans(observation: Observation, held: ReadonlySet<string>): void {
  if (held.size === 0) return;
  observation.changes = observation.changes.filter((c) => {
    if (c.op !== 'record.orphan' || !held.has(c.record.id)) return true;
    observation.records.get(c.record.id)!.orphanedAt = null;
    return false;
  });
}

function place(controllerHost: string, uuid: string): string {
  return `${controllerHost}\n${uuid}`;
}
