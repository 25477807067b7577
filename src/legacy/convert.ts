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
import { Tally, type Conversion, type SharedSiteSummary } from './conversion.ts';
import { convertEvents } from './events.ts';
import { SharedEvidence } from './evidence.ts';
import { originsAndReplicas } from './origins.ts';
import { Places } from './places.ts';
import type { LegacyData } from './read.ts';
import { convertRecords, type LegacyRecords } from './records.ts';

/**
 * One file per step (places.ts, records.ts, events.ts, origins.ts), run in this order: each reads
 * what the ones before it made, and all add to one tally of repairs and rows not imported.
 */

/** Converts the legacy rows; `at` (ISO) is the conversion time, used where the legacy file has no time. */
export function convertLegacy(data: LegacyData, at: string): Conversion {
  const tally = new Tally(at);
  const places = new Places(data, tally);
  const legacy = convertRecords(data, tally);
  const shared = new SharedEvidence(places.sharedUuid);
  // Events first: their CREATED rows tell copies from origins.
  const { events, created } = convertEvents(data, tally, places, legacy, shared);
  const { origins, replicas } = originsAndReplicas(data, tally, places, legacy, created, shared);
  const evidence = shared.rows([...places.controllers.keys()]);
  tally.repairs.sharedSite = sharedSummary(shared.uuid, evidence, events, legacy);

  const records = [...legacy.records.values()].map(({ firstSeenKnown, ...r }) => {
    if (!r.hasOrigin) tally.repairs.orphaned.push({ type: r.record.type, domain: r.record.domain, target: r.record.target });
    return { ...r, firstSeen: firstSeenKnown ?? at };
  });
  places.dateUnseenSites(at);

  return {
    at,
    controllers: [...places.controllers.values()],
    sites: [...places.sites.values()],
    records,
    origins,
    replicas,
    events,
    evidence,
    repairs: tally.repairs,
    notImported: tally.notImported,
  };
}

function sharedSummary(uuid: string | null, evidence: Conversion['evidence'], events: Conversion['events'], legacy: LegacyRecords): SharedSiteSummary | null {
  if (uuid === null) return null;
  const controllers = [...new Set(evidence.map((e) => e.controllerHost))];
  const once = evidence.filter((e) => e.controllerHost === controllers[0]);
  const count = (verdict: string) => once.filter((e) => e.verdict === verdict).length;
  return {
    uuid,
    controllers,
    events: events.filter((e) => e.reason !== undefined).length,
    replica: count('replica'),
    native: count('native'),
    undecided: once
      .filter((e) => e.verdict === 'undecided')
      .map((e) => {
        const { type, domain, target } = legacy.records.get(e.recordId)!.record;
        return { type, domain, target };
      }),
  };
}
