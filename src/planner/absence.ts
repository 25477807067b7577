import type { DnsRecord } from '../domain/record.ts';
import { livePolicies, policyIdOf, type KnownState, type SiteRef } from '../domain/state.ts';
import type { Observation } from './observe.ts';

/** A policy dnssync knows by id that a listing left out: a claim of absence to confirm by id. */
export interface AbsenceClaim {
  site: SiteRef;
  policyId: string;
  record: DnsRecord;
  /** What the absence would decide: an origin lost, or a replica forgotten (and made again). */
  decides: 'origin' | 'replica';
}

/**
 * The decisions of this observation that rest only on a known policy missing from its site's
 * listing (an origin that would end, a replica that would be forgotten or made again, an
 * interrupted delete taken as done). A list is not proof of absence: offset paging skips items
 * while people edit, and Network 10.5.67 answers some lists with 200 and no items. A policy still
 * listed under another identity (edited at the site) is no claim. In a steady state there is none.
 */
export function absenceClaims(observation: Observation, known: KnownState): AbsenceClaim[] {
  const claims: AbsenceClaim[] = [];
  const listed = new Map<number, Set<string>>();
  const site = new Map(observation.sites.map((s) => [s.snapshot.site.key, s.snapshot]));
  for (const change of observation.changes) {
    if (change.op !== 'origin.remove' && change.op !== 'replica.forget') continue;
    const snapshot = site.get(change.siteKey);
    if (!snapshot) continue; // gone or excluded: no listing of it was read
    const policyId =
      change.op === 'origin.remove'
        ? known.origins.get(change.record.id)?.get(change.siteKey)?.policyId
        : policyIdOf(known.replicas.get(change.siteKey)?.get(change.record.id));
    if (!policyId) continue;
    let ids = listed.get(change.siteKey);
    if (!ids) listed.set(change.siteKey, (ids = new Set(Array.from(livePolicies(snapshot), (p) => p.policyId))));
    if (ids.has(policyId)) continue;
    claims.push({ site: snapshot.site, policyId, record: change.record, decides: change.op === 'origin.remove' ? 'origin' : 'replica' });
  }
  return claims;
}
