import type { RecordType } from '../../src/domain/policy.ts';
import { attributesOf, recordOf, type DnsRecord } from '../../src/domain/record.ts';
import assert from 'node:assert/strict';
import type { KnownOrigin, KnownReplica, KnownState, LivePolicy, SiteRef, SiteSnapshot, SiteStatus, StoredReplica } from '../../src/domain/state.ts';
import { RecordCatalogue } from '../../src/planner/content.ts';
import { placeReplicas } from '../../src/planner/replicas-in-place.ts';
import { observe, type Observation } from '../../src/planner/observe.ts';
import { plan, type Plan, type PlanOptions } from '../../src/planner/plan.ts';
import { recordFilter } from '../../src/planner/filters.ts';
import type { DnsPolicyBody } from '../../src/domain/policy.ts';

/** Small builders so that each planner case reads as data. */

export const NOW = new Date('2026-11-22T12:00:00.000Z');
export const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000).toISOString();

export const A = (domain: string, ipv4Address: string, extra: Partial<DnsPolicyBody> = {}): DnsPolicyBody => ({
  type: 'A_RECORD', enabled: true, domain, ipv4Address, ttlSeconds: 0, ...extra,
});
export const AAAA = (domain: string, ipv6Address: string): DnsPolicyBody => ({ type: 'AAAA_RECORD', enabled: true, domain, ipv6Address, ttlSeconds: 0 });
export const CNAME = (domain: string, targetDomain: string): DnsPolicyBody => ({ type: 'CNAME_RECORD', enabled: true, domain, targetDomain, ttlSeconds: 0 });

export const rec = (body: DnsPolicyBody): DnsRecord => recordOf(body)!;

export function site(key: number, name = `site-${key}`, controller = 'c1:443'): SiteRef {
  return { key, controller, controllerName: controller, uuid: `00000000-0000-0000-0000-${String(key).padStart(12, '0')}`, name, internalReference: name };
}

const DEFAULT_TYPES: RecordType[] = ['A_RECORD', 'AAAA_RECORD', 'CNAME_RECORD'];

export function snap(
  ref: SiteRef,
  policies: Array<[policyId: string, body: DnsPolicyBody]>,
  options: { status?: SiteStatus; writable?: boolean; types?: RecordType[]; otherDomains?: string[]; served?: Array<[body: DnsPolicyBody, origin: string]>; derived?: DnsPolicyBody[] } = {},
): SiteSnapshot {
  const status = options.status ?? 'discovered';
  return {
    site: ref,
    status,
    writable: options.writable ?? status === 'discovered',
    recordTypes: options.types ?? DEFAULT_TYPES,
    policies: policies.map(([policyId, body]): LivePolicy => ({ policyId, record: rec(body), attributes: attributesOf(body) })),
    otherDomains: new Set([...(options.otherDomains ?? []), ...(options.served ?? []).map(([body]) => rec(body).domain)]),
    served: new Map((options.served ?? []).map(([body, origin]) => [rec(body).id, origin])),
    derived: (options.derived ?? []).map((body) => ({ record: rec(body), attributes: attributesOf(body) })),
  };
}

export interface KnownSpec {
  sites: SiteRef[];
  /** [body, siteKey, firstSeen] */
  origins?: Array<[DnsPolicyBody, number, string?]>;
  /** [body, siteKey, policyId, pending?] */
  replicas?: Array<[DnsPolicyBody, number, string | null, KnownReplica['pending']?]>;
  orphans?: Array<[DnsPolicyBody, string]>;
  /** [body, siteKey, code, triedAt] */
  refusals?: Array<[DnsPolicyBody, number, string, string]>;
}

export function known(spec: KnownSpec): KnownState {
  const state: KnownState = { records: new Map(), origins: new Map(), replicas: new Map(), sites: new Map(spec.sites.map((s) => [s.key, s])), refusals: new Map() };
  const addRecord = (body: DnsPolicyBody) => {
    const record = rec(body);
    if (!state.records.has(record.id)) state.records.set(record.id, { record, firstSeen: minutesAgo(600), orphanedAt: null });
    return record;
  };
  for (const [body, siteKey, firstSeen] of spec.origins ?? []) {
    const record = addRecord(body);
    const origin: KnownOrigin = { firstSeen: firstSeen ?? minutesAgo(600), policyId: `native-${siteKey}-${record.domain}`, attributes: attributesOf(body) };
    const bySite = state.origins.get(record.id) ?? new Map();
    bySite.set(siteKey, origin);
    state.origins.set(record.id, bySite);
  }
  for (const [body, siteKey, policyId, pending] of spec.replicas ?? []) {
    const record = addRecord(body);
    const bySite = state.replicas.get(siteKey) ?? new Map();
    bySite.set(record.id, { policyId, pending: pending ?? null, pendingRunId: pending ? 7 : null, pendingBody: pending === 'update' ? JSON.stringify(body) : null });
    state.replicas.set(siteKey, bySite);
  }
  for (const [body, at] of spec.orphans ?? []) state.records.get(addRecord(body).id)!.orphanedAt = at;
  for (const [body, siteKey, code, triedAt] of spec.refusals ?? []) {
    const bySite = state.refusals.get(siteKey) ?? new Map();
    bySite.set(rec(body).id, { code, message: 'refused', refusedAt: minutesAgo(60 * 48), triedAt });
    state.refusals.set(siteKey, bySite);
  }
  return state;
}

export interface RunResult {
  observation: Observation;
  plan: Plan;
}

type RunOptions = Partial<Omit<PlanOptions, 'passes' | 'sites' | 'now'>> & { domains?: string[]; excludeDomains?: string[] };

/**
 * Observes and plans, and checks that the same snapshots with their settled replicas in place (as
 * discovery keeps them: planner/replicas-in-place.ts) observe and plan exactly the same: every
 * planner case is that check too.
 */
export function run(snapshots: SiteSnapshot[], state: KnownState, options: RunOptions = {}): RunResult {
  const result = observeAndPlan(snapshots, state, options);
  const placed = inPlace(snapshots, state);
  const again = observeAndPlan(placed.snapshots, placed.state, options);
  assert.deepEqual(
    { actions: actions(again), changes: changes(again), plan: summary(again) },
    { actions: actions(result), changes: changes(result), plan: summary(result) },
    'the same run with its replicas in place',
  );
  return result;
}

function summary(result: RunResult) {
  const { plan } = result;
  return {
    sites: plan.sites.map((s) => ({ site: s.site.key, replicas: s.replicas, actions: s.actions.map((a) => ({ ...a, record: a.record.id })) })),
    refusals: plan.refusals,
    staleRefusals: plan.staleRefusals,
    replicas: result.observation.sites.map((s) => [...s.replicas].map(([id, live]) => [id, live.policyId, live.record.id, live.attributes])),
  };
}

/** The snapshots and state as discovery and the store give them: settled replicas by id alone, and those found in place. */
function inPlace(snapshots: SiteSnapshot[], state: KnownState): { snapshots: SiteSnapshot[]; state: KnownState } {
  const catalogue = new RecordCatalogue();
  const replicas = new Map<number, Map<string, StoredReplica>>();
  for (const [siteKey, bySite] of state.replicas) {
    replicas.set(siteKey, new Map([...bySite].map(([id, r]): [string, StoredReplica] => [id, typeof r !== 'string' && r.pending === null && r.policyId !== null ? r.policyId : r])));
  }
  const placed = snapshots.map((s) => {
    const stored = replicas.get(s.site.key);
    if (s.status !== 'discovered' || !stored) return s;
    for (const live of s.policies) catalogue.intern(live.record);
    const { inPlace, rest } = placeReplicas(s.policies, stored, catalogue);
    return { ...s, policies: rest, inPlace };
  });
  return { snapshots: placed, state: { ...state, replicas } };
}

function observeAndPlan(snapshots: SiteSnapshot[], state: KnownState, options: RunOptions): RunResult {
  const passes = recordFilter({ domains: options.domains ?? [], excludeDomains: options.excludeDomains ?? [] });
  const sites = new Map(state.sites);
  for (const s of snapshots) sites.set(s.site.key, s.site);
  const observation = observe({ snapshots, known: state, passes, now: NOW.toISOString() });
  const result = plan(observation, {
    policy: options.policy ?? 'sync',
    orphanGracePeriodMs: options.orphanGracePeriodMs ?? 15 * 60_000,
    retryRefusedAfterMs: options.retryRefusedAfterMs ?? 24 * 60 * 60_000,
    maxDeletePercent: options.maxDeletePercent ?? 30,
    passes,
    sites,
    now: NOW,
    controllerScoped: options.controllerScoped ?? new Set(),
  });
  return { observation, plan: result };
}

/** The plan as compact strings: "site-2 create A_RECORD host.lan 10.0.0.1 (reason)". */
export function actions(result: RunResult): string[] {
  return result.plan.sites.flatMap((s) =>
    s.actions.map((a) => `${s.site.name} ${a.kind} ${a.record.type} ${a.record.domain} ${a.record.target}${a.reason ? ` (${a.reason})` : ''}`),
  );
}

export function changes(result: RunResult): string[] {
  return result.observation.changes.map((c) => {
    const where = 'siteKey' in c ? ` @${c.siteKey}` : '';
    const extra = 'recovered' in c && c.recovered ? ' recovered' : '';
    return `${c.op} ${c.record.domain} ${c.record.target}${where}${extra}`;
  });
}

/** The actions planned at the site called `name`. */
export function at(result: RunResult, name: string) {
  return result.plan.sites.find((s) => s.site.name === name)!.actions;
}
