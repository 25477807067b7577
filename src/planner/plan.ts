import type { SyncPolicy } from '../domain/run.ts';
import { orphanIsDue } from '../domain/orphans.ts';
import { unwritableReason } from '../domain/writable.ts';
import { shortType, type DnsPolicyBody } from '../domain/policy.ts';
import { policyBody, sameAttributes, type Attributes, type DnsRecord } from '../domain/record.ts';
import type { KnownOrigin, KnownRefusal, SiteRef } from '../domain/state.ts';
import type { Observation, SiteObservation } from './observe.ts';
import { keptOffByController } from './scope.ts';

/**
 * What the planner decides for one record at one site (SPEC §4.4); the site is its SitePlan's. A
 * plain create (no reason) is one object for its record, shared by every site that gets it: an
 * initial sync plans 398,000 creates of 2,000 records at L (issue 13).
 */
export interface Action {
  kind: 'create' | 'update' | 'delete' | 'skip';
  record: DnsRecord;
  /** The live policy, for update and delete. */
  policyId?: string;
  /** The attributes to write, for create and update (shared per record: see bodyOf). */
  attributes?: Attributes;
  /** Why: always for skip, and for the less obvious creates, updates and deletes. */
  reason?: string;
  /** A create sent again although the controller refused it before: a new refusal is not news. */
  retried?: KnownRefusal;
  /** A delete of an identical copy the legacy tool made, not of the replica (observe.ts). */
  duplicate?: true;
}

export interface SitePlan {
  site: SiteRef;
  /** Deletes first, then updates, creates and skips: a freed name can be taken in the same run. */
  actions: Action[];
  /** Our replicas at the site before this run, with the legacy tool's duplicates of them. */
  replicas: number;
}

/**
 * A site where the run would cross sync.maxDeletePercent: delete more of our replicas there, or
 * end more of the origins the site holds (the signature of a listing that left policies out).
 */
export interface Refusal {
  site: SiteRef;
  limit: 'deletes' | 'origins';
  /** Replicas it would delete, or origins it would end. */
  count: number;
  /** Replicas, or origins, the site held before the run. */
  of: number;
}

export interface Plan {
  sites: SitePlan[];
  refusals: Refusal[];
  /** Refused creates that are no longer wanted at their site: their refusal is forgotten. */
  staleRefusals: Array<{ siteKey: number; recordId: string }>;
}

export interface PlanOptions {
  policy: SyncPolicy;
  orphanGracePeriodMs: number;
  maxDeletePercent: number;
  passes: (record: DnsRecord, types: SiteObservation['snapshot']['recordTypes']) => boolean;
  /** Every site the database knows, for the oldest-origin tie-break. */
  sites: ReadonlyMap<number, SiteRef>;
  now: Date;
  /** A refused create whose cause dnssync cannot see is sent again after this long (0: every run). */
  retryRefusedAfterMs: number;
  /** Hosts of the controllers with originScope `controller`: none of their sites gets a record that originates on them. */
  controllerScoped: ReadonlySet<string>;
}

/**
 * Why a site does not get a record that has origins, in plan tables and wherever else a user asks
 * (the delete of a replica dnssync holds there gives the reason). One wording each, kept here.
 */
export const NOT_WANTED = {
  native: 'the site has it natively now',
  filtered: 'left out by the config filters',
  sameController: 'same controller as its origin',
} as const;

/**
 * Refusals whose cause dnssync can see at the site: a duplicate of what the site serves, or
 * another record at the CNAME's name. Sent again as soon as that cause is gone. Any other cause
 * (a client's local DNS name, a value the firmware refuses) is invisible: tried again after
 * sync.retryRefusedAfter.
 */
const VISIBLE_CAUSES = new Set(['api.dns.policy.validation.record-already-exists', 'api.dns.policy.validation.cname-alias-overlap']);

/** "refused 2026-11-20: overlap-with-local-dns" — the one wording of a remembered refusal. */
export function refusedReason(refusal: KnownRefusal): string {
  return `refused ${refusal.refusedAt.slice(0, 10)}: ${refusal.code.slice(refusal.code.lastIndexOf('.') + 1)}`;
}

/** The limit applies from this many replicas at a site up (SPEC §4.6). */
export const DELETE_LIMIT_FLOOR = 10;

/**
 * The request body of a create or update, made when it is first sent: 400,000 planned creates
 * hold no bodies. A plan gives a record the same attributes at every site (`winner`), so one body
 * a record serves them all: the client serializes it once too (unifi/body.ts, issue 13).
 */
export function bodyOf(action: Action): DnsPolicyBody {
  const { record, attributes } = action;
  const made = bodies.get(record);
  if (made !== undefined && made.attributes === attributes) return made.body;
  const body = policyBody(record, attributes!);
  bodies.set(record, { attributes: attributes!, body });
  return body;
}
const bodies = new WeakMap<DnsRecord, { attributes: Attributes; body: DnsPolicyBody }>();

/** Desired versus live, site by site. Pure: the same observation and options give the same plan. */
export function plan(observation: Observation, options: PlanOptions): Plan {
  const winners = new Map<string, Attributes>();
  const winner = (recordId: string) => {
    let attributes = winners.get(recordId);
    if (!attributes) {
      attributes = oldestOrigin(observation.origins.get(recordId)!, options.sites).attributes;
      winners.set(recordId, attributes);
    }
    return attributes;
  };
  const plainCreates = new Map<string, Action>();
  const plainCreate = (record: DnsRecord) => {
    let action = plainCreates.get(record.id);
    if (!action) plainCreates.set(record.id, (action = { kind: 'create', record, attributes: winner(record.id) }));
    return action;
  };
  const disputed = disputedCnames(observation);
  const keptOff = keptOffByController(observation.origins, options.sites, options.controllerScoped);

  const sites: SitePlan[] = [];
  const refusals: Refusal[] = [];
  const staleRefusals: Plan['staleRefusals'] = [];
  for (const site of observation.sites) {
    if (!site.snapshot.writable) continue;
    const sitePlan = planSite(site, observation, options, winner, plainCreate, disputed, keptOff.get(site.snapshot.site.controller), staleRefusals);
    sites.push(sitePlan);
    const deletes = sitePlan.actions.filter((a) => a.kind === 'delete').length;
    if (overLimit(deletes, sitePlan.replicas, options)) refusals.push({ site: site.snapshot.site, limit: 'deletes', count: deletes, of: sitePlan.replicas });
  }
  return { sites, refusals: [...refusals, ...originLosses(observation, options)], staleRefusals };
}

function overLimit(count: number, of: number, options: PlanOptions): boolean {
  return of >= DELETE_LIMIT_FLOOR && count * 100 > options.maxDeletePercent * of;
}

/** Sites that would lose more of their origins than the limit at once; a site excluded by the config loses them by choice. */
function originLosses(observation: Observation, options: PlanOptions): Refusal[] {
  const lost = new Map<number, number>();
  for (const c of observation.changes) if (c.op === 'origin.remove' && c.status !== 'excluded') lost.set(c.siteKey, (lost.get(c.siteKey) ?? 0) + 1);
  if (lost.size === 0) return [];
  const kept = new Map<number, number>();
  for (const bySite of observation.origins.values()) for (const siteKey of bySite.keys()) if (lost.has(siteKey)) kept.set(siteKey, (kept.get(siteKey) ?? 0) + 1);
  const refusals: Refusal[] = [];
  for (const [siteKey, count] of lost) {
    const of = count + (kept.get(siteKey) ?? 0);
    const site = options.sites.get(siteKey);
    if (site && overLimit(count, of, options)) refusals.push({ site, limit: 'origins', count, of });
  }
  return refusals;
}

function planSite(
  site: SiteObservation,
  observation: Observation,
  options: PlanOptions,
  winner: (recordId: string) => Attributes,
  plainCreate: (record: DnsRecord) => Action,
  disputed: Map<string, string[]>,
  keptOff: ReadonlySet<string> | undefined,
  staleRefusals: Plan['staleRefusals'],
): SitePlan {
  const { snapshot } = site;
  const siteKey = snapshot.site.key;
  const notWanted = (recordId: string, origins: Map<number, KnownOrigin>, record: DnsRecord) =>
    notWantedReason(recordId, origins, record, site, options, keptOff);
  const desired = new Map<string, DnsRecord>();
  // A native policy of a type the site is not read for (legacy allowed_record_types) is no origin, but present all the same.
  const unread = snapshot.readTypes ? new Set(site.natives.map((n) => n.record.id)) : null;
  for (const [recordId, origins] of observation.origins) {
    if (origins.size === 0 || unread?.has(recordId)) continue;
    const { record } = observation.records.get(recordId)!;
    if (notWanted(recordId, origins, record) === null) desired.set(recordId, record);
  }

  const deletes: Action[] = [];
  const updates: Action[] = [];
  const deleting = new Set<string>();
  for (const [recordId, live] of site.replicas) {
    const record = observation.records.get(recordId)!.record;
    if (desired.has(recordId)) {
      const attributes = winner(recordId);
      if (options.policy === 'create-only') continue;
      if (live.record.id !== recordId || !sameAttributes(live.attributes, attributes)) {
        const reason = live.record.id !== recordId ? 'edited at the site; restored' : undefined;
        updates.push({ kind: 'update', record, policyId: live.policyId, attributes, ...(reason && { reason }) });
      }
      continue;
    }
    const origins = observation.origins.get(recordId);
    const reason = origins && origins.size > 0 ? notWanted(recordId, origins, record) : orphanReason(recordId, observation, options);
    if (reason === null || options.policy !== 'sync') continue;
    deletes.push({ kind: 'delete', record, policyId: live.policyId, reason });
    deleting.add(recordId);
  }
  if (options.policy === 'sync') {
    for (const live of site.duplicates) {
      deletes.push({ kind: 'delete', record: live.record, policyId: live.policyId, reason: 'a duplicate the legacy tool made', duplicate: true });
    }
  }

  // Built on the first create only: a site already in step (the usual case) needs none.
  let conflicts: ((record: DnsRecord) => string | null) | undefined;
  const creates: Action[] = [];
  const skips: Action[] = [];
  for (const [recordId, record] of desired) {
    if (site.replicas.has(recordId)) continue;
    conflicts ??= conflictFinder(site, desired, deleting, disputed);
    const servedAs = snapshot.served.get(recordId);
    const conflict = servedAs ? `served at ${snapshot.site.name} as ${servedAs}` : (unwritableReason(record) ?? conflicts(record));
    const refusal = site.refusals.get(recordId);
    if (refusal) {
      const lasts = VISIBLE_CAUSES.has(refusal.code) ? conflict !== null : options.now.getTime() < Date.parse(refusal.triedAt) + options.retryRefusedAfterMs;
      if (lasts) skips.push({ kind: 'skip', record, reason: refusedReason(refusal) });
      else creates.push({ kind: 'create', record, attributes: winner(recordId), reason: `${refusedReason(refusal)}; trying again`, retried: refusal });
      continue;
    }
    if (conflict) {
      skips.push({ kind: 'skip', record, reason: conflict });
      continue;
    }
    creates.push(site.vanished.has(recordId) ? { kind: 'create', record, attributes: winner(recordId), reason: 'deleted at the site; recreated' } : plainCreate(record));
  }
  for (const recordId of site.refusals.keys()) {
    if (!desired.has(recordId) || site.replicas.has(recordId)) staleRefusals.push({ siteKey, recordId });
  }
  const actions = [deletes, updates, creates, skips].flatMap((list) => list.sort(byRecord));
  return { site: snapshot.site, actions, replicas: site.replicas.size + site.duplicates.length };
}

/** Why a site does not get a record that has origins, or null when it does; the scope is named only when nothing else applies. */
function notWantedReason(
  recordId: string,
  origins: Map<number, KnownOrigin>,
  record: DnsRecord,
  site: SiteObservation,
  options: PlanOptions,
  keptOff: ReadonlySet<string> | undefined,
): string | null {
  if (origins.has(site.snapshot.site.key)) return NOT_WANTED.native;
  if (!options.passes(record, site.snapshot.recordTypes)) return NOT_WANTED.filtered;
  if (keptOff?.has(recordId)) return NOT_WANTED.sameController;
  return null;
}

/** Why our replica of an orphan goes, or null while its grace period runs. */
function orphanReason(recordId: string, observation: Observation, options: PlanOptions): string | null {
  const orphanedAt = observation.records.get(recordId)!.orphanedAt!;
  return orphanIsDue(orphanedAt, options.orphanGracePeriodMs, options.now.getTime()) ? `orphaned since ${orphanedAt}` : null;
}

/**
 * CNAME rules (SPEC §4.4), checked against what the site will hold once this run's deletes are
 * done: a CNAME cannot share its name with anything, so the controller would refuse the create.
 */
function conflictFinder(
  site: SiteObservation,
  desired: Map<string, DnsRecord>,
  deleting: Set<string>,
  disputed: Map<string, string[]>,
): (record: DnsRecord) => string | null {
  const atDomain = new Map<string, Array<{ type: string; native: boolean }>>();
  const note = (domain: string, type: string, native: boolean) => {
    const list = atDomain.get(domain) ?? [];
    list.push({ type, native });
    atDomain.set(domain, list);
  };
  for (const live of site.natives) note(live.record.domain, live.record.type, true);
  for (const domain of site.snapshot.otherDomains) note(domain, 'OTHER', true);
  for (const [recordId, live] of site.replicas) if (!deleting.has(recordId)) note(live.record.domain, live.record.type, false);
  const wantedNonCname = new Map<string, string>();
  for (const record of desired.values()) if (record.type !== 'CNAME_RECORD') wantedNonCname.set(record.domain, record.type);
  const where = site.snapshot.site.name;
  const kind = (type: string) => (type === 'OTHER' ? 'policy' : `${shortType(type)} record`);

  // One wording, naming the other party: "CNAME at Lab conflicts with the native A record there".
  return (record) => {
    const present = atDomain.get(record.domain) ?? [];
    const mine = `${shortType(record.type)} at ${where} conflicts with`;
    if (record.type === 'CNAME_RECORD') {
      const targets = disputed.get(record.domain);
      if (targets) return `${mine} the other targets its origins want (${targets.join(', ')})`;
      const native = present.find((p) => p.native);
      if (native) return `${mine} the native ${kind(native.type)} there`;
      // Before our own replicas: the reason stays the same once those replicas exist.
      const wanted = wantedNonCname.get(record.domain);
      if (wanted) return `${mine} the ${kind(wanted)} wanted there`;
      if (present.length > 0) return `${mine} the ${kind(present[0]!.type)} there`;
      return null;
    }
    const cname = present.find((p) => p.type === 'CNAME_RECORD');
    if (cname) return `${mine} the ${cname.native ? 'native ' : ''}CNAME there`;
    return null;
  };
}

/** Domains whose origins want different CNAME targets, with those targets. */
function disputedCnames(observation: Observation): Map<string, string[]> {
  const targets = new Map<string, Set<string>>();
  for (const [recordId, origins] of observation.origins) {
    if (origins.size === 0) continue;
    const { record } = observation.records.get(recordId)!;
    if (record.type !== 'CNAME_RECORD') continue;
    const set = targets.get(record.domain) ?? new Set<string>();
    set.add(record.target);
    targets.set(record.domain, set);
  }
  const disputed = new Map<string, string[]>();
  for (const [domain, set] of targets) if (set.size > 1) disputed.set(domain, [...set].sort());
  return disputed;
}

/** The oldest origin (first seen, then site uuid, then controller) decides a record's attributes. */
export function oldestOrigin(origins: Map<number, KnownOrigin>, sites: ReadonlyMap<number, SiteRef>): KnownOrigin {
  let best: { origin: KnownOrigin; site: SiteRef | undefined } | undefined;
  for (const [siteKey, origin] of origins) {
    const site = sites.get(siteKey);
    if (!best || compareOrigins(origin, site, best.origin, best.site) < 0) best = { origin, site };
  }
  return best!.origin;
}

function compareOrigins(a: KnownOrigin, aSite: SiteRef | undefined, b: KnownOrigin, bSite: SiteRef | undefined): number {
  return (
    compareText(a.firstSeen, b.firstSeen) ||
    compareText(aSite?.uuid ?? '', bSite?.uuid ?? '') ||
    compareText(aSite?.controller ?? '', bSite?.controller ?? '')
  );
}

function byRecord(a: Action, b: Action): number {
  return compareText(a.record.domain, b.record.domain) || compareText(a.record.type, b.record.type) || compareText(a.record.target, b.record.target);
}

// Code-point order: stable across machines and locales, and cheap.
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
