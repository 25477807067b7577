/** The legacy origins sorted into origins and replicas (convert.ts): a (record, site) with a CREATED event is a copy. */
import { text } from '../domain/stored-record.ts';
import type { ConvertedOrigin, ConvertedReplica, Tally } from './conversion.ts';
import type { SharedEvidence } from './evidence.ts';
import type { Places } from './places.ts';
import type { LegacyData } from './read.ts';
import type { LegacyRecords } from './records.ts';
import { earliest } from './time.ts';

/** Also marks the records that keep an origin. */
export function originsAndReplicas(
  data: LegacyData,
  tally: Tally,
  places: Places,
  legacy: LegacyRecords,
  created: Map<string, ConvertedReplica>,
  shared: SharedEvidence,
): { origins: ConvertedOrigin[]; replicas: ConvertedReplica[] } {
  const { repairs, notImported, at } = tally;
  const { records, byLegacyId, skipped } = legacy;
  const origins = new Map<string, ConvertedOrigin>();
  const replicas = new Map<string, ConvertedReplica>();
  for (const row of data.origins) {
    const legacyId = text(row.record_id);
    const mapped = legacyId === null ? undefined : byLegacyId.get(legacyId);
    if (!mapped) {
      tally.count(notImported.origins, legacyId !== null && skipped.has(legacyId) ? 'of a record not imported' : 'of a record the legacy database does not hold');
      continue;
    }
    const site = places.find(row.site_uuid, row.controller_host);
    if (site === 'shared') {
      // Evidence for the first sync, not an origin of a console guessed.
      const firstSeen = tally.time(row.first_seen);
      const rec = records.get(mapped.id)!;
      rec.firstSeenKnown = earliest(rec.firstSeenKnown, firstSeen);
      shared.seen(mapped.id, firstSeen);
      continue;
    }
    if (typeof site !== 'object') {
      tally.count(notImported.origins, 'at a site the legacy database does not hold');
      continue;
    }
    const firstSeen = tally.time(row.first_seen);
    places.seenAt(site, firstSeen);
    const rec = records.get(mapped.id)!;
    rec.firstSeenKnown = earliest(rec.firstSeenKnown, firstSeen);
    const pair = `${mapped.id}\n${site.key}`;
    const copy = created.get(pair);
    if (copy !== undefined) {
      if (!replicas.has(pair)) {
        replicas.set(pair, copy);
        repairs.copiesToReplicas++;
      }
      continue;
    }
    const before = origins.get(pair);
    if (before) before.firstSeen = earliest(before.firstSeen, firstSeen ?? at)!;
    else origins.set(pair, { recordId: mapped.id, siteKey: site.key, firstSeen: firstSeen ?? at, attributes: mapped.attributes });
  }
  // CREATED with no sighting afterwards: the create may have been refused. A replica without a
  // policy id is what the next discovery checks: adopted if the policy exists, forgotten if not.
  for (const [pair, copy] of created) {
    if (replicas.has(pair)) continue;
    replicas.set(pair, copy);
    repairs.createdNeverSeen++;
  }

  for (const origin of origins.values()) records.get(origin.recordId)!.hasOrigin = true;
  // Not an orphan before the first sync has looked at every console's default site.
  for (const [id, rec] of records) if (shared.mayBeNative(id)) rec.hasOrigin = true;
  return { origins: [...origins.values()], replicas: [...replicas.values()] };
}
