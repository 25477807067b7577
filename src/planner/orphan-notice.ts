/**
 * The records a run makes orphans, with what tells a user why (issue 17): after a legacy
 * conversion, a record whose only origin was something dnssync does not sync (a SYSTEM_DEFINED
 * policy, a client it names otherwise) becomes one at the first sync, and its copies go after the
 * grace period. Announced before that, not discovered after. Pure.
 */
import { orphanDeadline, orphanIsDue } from '../domain/orphans.ts';
import type { DnsRecord } from '../domain/record.ts';
import type { SiteRef } from '../domain/state.ts';
import type { Observation } from './observe.ts';

export interface OrphanNotice {
  record: DnsRecord;
  /** Where it was last native, as dnssync knew it (null: only in the legacy evidence). */
  lastOriginSite: SiteRef | null;
  /** A site that serves it through a policy dnssync does not sync, and that policy's origin. */
  servedAs: { site: SiteRef; origin: string } | null;
  /** Its replicas found this run: what would be deleted once the grace period is over. */
  replicas: number;
}

export function newOrphans(observation: Observation, sites: ReadonlyMap<number, SiteRef>): OrphanNotice[] {
  const orphaned = observation.changes.filter((c) => c.op === 'record.orphan');
  if (orphaned.length === 0) return [];
  return orphaned.map((change) => {
    const id = change.record.id;
    let replicas = 0;
    let servedAs: OrphanNotice['servedAs'] = null;
    for (const site of observation.sites) {
      if (site.replicas.has(id)) replicas++;
      const origin = site.snapshot.served.get(id);
      if (origin && !servedAs) servedAs = { site: site.snapshot.site, origin };
    }
    return { record: change.record, lastOriginSite: change.lastOriginSite === null ? null : (sites.get(change.lastOriginSite) ?? null), servedAs, replicas };
  });
}

/** Orphans whose replicas wait out the grace period, for a sync to say when they go (issue 12). */
export interface WaitingOrphans {
  records: number;
  replicas: number;
  /** When the first of them goes: orphanedAt + grace, ISO. */
  firstGoes: string;
}

export function waitingOrphans(observation: Observation, gracePeriodMs: number, now: Date): WaitingOrphans | null {
  let records = 0;
  let replicas = 0;
  let first = Infinity;
  for (const [id, { orphanedAt }] of observation.records) {
    if (orphanedAt === null || orphanIsDue(orphanedAt, gracePeriodMs, now.getTime())) continue;
    const held = observation.sites.filter((site) => site.replicas.has(id)).length;
    if (held === 0) continue;
    records++;
    replicas += held;
    first = Math.min(first, orphanDeadline(orphanedAt, gracePeriodMs));
  }
  return records === 0 ? null : { records, replicas, firstGoes: new Date(first).toISOString() };
}
