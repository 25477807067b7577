/** The conversion's events (convert.ts), oldest first, and the CREATED events that tell copies from origins. */
import type { EventStatus } from '../domain/run.ts';
import { text } from '../domain/stored-record.ts';
import type { ConvertedEvent, ConvertedReplica, Tally } from './conversion.ts';
import type { SharedEvidence } from './evidence.ts';
import type { Places } from './places.ts';
import type { LegacyData } from './read.ts';
import type { LegacyRecords } from './records.ts';
import { earliest, latest } from './time.ts';

const EVENT_STATUSES: readonly EventStatus[] = ['CREATED', 'UPDATED', 'DELETED', 'SKIPPED', 'FAILED', 'DISCOVERED', 'ORPHANED', 'RESTORED'];

export interface LegacyEvents {
  /** Oldest first. */
  events: ConvertedEvent[];
  /** By `${recordId}\n${siteKey}`: the latest CREATED, which tells a copy the legacy tool made. */
  created: Map<string, ConvertedReplica>;
}

export function convertEvents(data: LegacyData, tally: Tally, places: Places, legacy: LegacyRecords, shared: SharedEvidence): LegacyEvents {
  interface Pending {
    legacyOrder: number;
    event: ConvertedEvent;
    timeKnown: boolean;
  }
  const { repairs, notImported, at } = tally;
  const { records, byLegacyId, skipped } = legacy;
  const events: Pending[] = [];
  const created = new Map<string, ConvertedReplica>(); // by `${recordId}\n${siteKey}`: the latest CREATED
  // By `${recordId}\n${siteKey}`. At the shared uuid, several CREATED may be one per console: not counted.
  const createdTimes = new Map<string, number>();
  data.events.forEach((row, index) => {
    const legacyId = text(row.record_id);
    const status = text(row.status)?.trim().toUpperCase() ?? '';
    const mappedStatus = status === 'DISCOVERY' ? 'DISCOVERED' : (EVENT_STATUSES as readonly string[]).includes(status) ? (status as EventStatus) : null;
    if (mappedStatus === null) {
      tally.count(notImported.events, `unknown status '${text(row.status) ?? 'NULL'}'`);
      return;
    }
    const mapped = legacyId === null ? undefined : byLegacyId.get(legacyId);
    const lost = legacyId === null ? undefined : skipped.get(legacyId);
    let identity: { id: string; type: string; domain: string; target: string };
    if (mapped) {
      const r = records.get(mapped.id)!.record;
      identity = { id: r.id, type: r.type, domain: r.domain, target: r.target };
    } else if (lost) {
      identity = { id: legacyId!, ...lost };
      repairs.eventsOfSkippedRecords++;
    } else {
      const why = legacyId !== null && skipped.has(legacyId) ? 'of a record not imported, with no type or domain to show' : 'of a record the legacy database does not hold';
      tally.count(notImported.events, why);
      return;
    }
    if (status === 'DISCOVERY') repairs.statusesRenamed++;
    const site = places.find(row.site_uuid, row.controller_host);
    if (site === 'unknown') repairs.eventsWithoutSite++;
    const at_ = tally.time(row.timestamp);
    if (at_ === null) notImported.unreadableTimestamps++;
    const siteRef = typeof site === 'object' ? site : null;
    if (siteRef) places.seenAt(siteRef, at_);
    if (site === 'shared' && mapped) {
      if (mappedStatus === 'CREATED') shared.created(mapped.id, at_);
      else if (mappedStatus === 'DISCOVERED') shared.seen(mapped.id, at_);
    }
    if (mapped && at_) {
      const rec = records.get(mapped.id)!;
      rec.firstSeenKnown = earliest(rec.firstSeenKnown, at_);
    }
    if (mapped && siteRef && mappedStatus === 'CREATED') {
      const pair = `${mapped.id}\n${siteRef.key}`;
      createdTimes.set(pair, (createdTimes.get(pair) ?? 0) + 1);
      const createdAt = latest(created.get(pair)?.createdAt, at_ ?? at)!;
      created.set(pair, { recordId: mapped.id, siteKey: siteRef.key, createdAt });
    }
    events.push({
      legacyOrder: index,
      timeKnown: at_ !== null,
      event: {
        recordId: identity.id,
        type: identity.type,
        domain: identity.domain,
        target: identity.target,
        siteKey: siteRef?.key ?? null,
        status: mappedStatus,
        timestamp: at_ ?? at,
        ...(site === 'shared' && { reason: `legacy site ${shared.uuid}: the default site of every console; which console's is not known` }),
      },
    });
  });
  repairs.createdAgain = [...createdTimes.values()].filter((n) => n > 1).length;
  // Oldest first; the legacy order breaks ties (and places events of unreadable time last).
  events.sort((a, b) => Number(b.timeKnown) - Number(a.timeKnown) || compare(a.event.timestamp, b.event.timestamp) || a.legacyOrder - b.legacyOrder);
  return { events: events.map((e) => e.event), created };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
