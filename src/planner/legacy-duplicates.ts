/**
 * The legacy tool's identical copies (observe.ts tells them): which this run found first, and which
 * known ones are gone, for the store to remember or forget. Pure.
 */
import type { DnsRecord } from '../domain/record.ts';
import type { KnownState } from '../domain/state.ts';
import type { Observation } from './observe.ts';

export interface DuplicateChanges {
  found: Array<{ siteKey: number; policyId: string; record: DnsRecord }>;
  gone: Array<{ siteKey: number; policyId: string; record: DnsRecord; deletingRunId: number | null }>;
}

export function duplicateChanges(observation: Observation, known: KnownState): DuplicateChanges {
  const changes: DuplicateChanges = { found: [], gone: [] };
  for (const site of observation.sites) {
    const siteKey = site.snapshot.site.key;
    const before = known.duplicates?.get(siteKey) ?? new Map();
    const now = new Set<string>();
    for (const live of site.duplicates) {
      now.add(live.policyId);
      if (!before.has(live.policyId)) changes.found.push({ siteKey, policyId: live.policyId, record: live.record });
    }
    for (const [policyId, d] of before) {
      const record = observation.records.get(d.recordId)?.record ?? known.records.get(d.recordId)?.record;
      if (!now.has(policyId) && record) changes.gone.push({ siteKey, policyId, record, deletingRunId: d.deletingRunId });
    }
  }
  return changes;
}
