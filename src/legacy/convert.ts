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
import { Tally, type Conversion } from './conversion.ts';
import { convertEvents } from './events.ts';
import { originsAndReplicas } from './origins.ts';
import { Places } from './places.ts';
import type { LegacyData } from './read.ts';
import { convertRecords } from './records.ts';

/**
 * One file per step (places.ts, records.ts, events.ts, origins.ts), run in this order: each reads
 * what the ones before it made, and all add to one tally of repairs and rows not imported.
 */

/** Converts the legacy rows; `at` (ISO) is the conversion time, used where the legacy file has no time. */
export function convertLegacy(data: LegacyData, at: string): Conversion {
  const tally = new Tally(at);
  const places = new Places(data, tally);
  const legacy = convertRecords(data, tally);
  // Events first: their CREATED rows tell copies from origins.
  const { events, created } = convertEvents(data, tally, places, legacy);
  const { origins, replicas } = originsAndReplicas(data, tally, places, legacy, created);

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
    repairs: tally.repairs,
    notImported: tally.notImported,
  };
}
