import type { DatabaseSync } from 'node:sqlite';
import { UsageError } from '../domain/errors.ts';
import type { SiteRepository } from '../store/sites.ts';
import { immediateTransaction } from '../store/transaction.ts';
import type { ControllerDiscovery } from '../engine/discover.ts';
import type { SiteContent } from './content.ts';
import type { SiteRef, SiteSnapshot } from '../domain/state.ts';
import type { SyncOptions } from '../engine/run.ts';

export interface SnapshotEntry {
  site: SiteRef;
  status: SiteSnapshot['status'];
  error?: string;
  snapshot: SiteSnapshot;
}

/**
 * Turns discovery into planner snapshots, giving every site its database key (recording new
 * sites, gone ones and controllers when writing; a dry run uses temporary keys and writes nothing).
 */
export function snapshotsOf(
  discoveries: Array<ControllerDiscovery<SiteContent>>,
  options: SyncOptions,
  sites: SiteRepository | null,
  writeTo: DatabaseSync | null,
  at: string,
): SnapshotEntry[] {
  const writing = writeTo !== null;
  let temporaryKey = 0;
  const entries: SnapshotEntry[] = [];
  const work = () => {
    for (const d of discoveries) {
      const controller = d.controller;
      const recordTypes = controller.recordTypes ?? options.config.sync.recordTypes;
      const ref = (uuid: string, name: string, internalReference: string, key: number): SiteRef => ({
        key,
        controller: controller.host,
        controllerName: controller.name,
        uuid,
        name,
        internalReference,
      });
      if (writing) sites!.saveController(controller, d.version ?? null, d.status === 'ok' ? at : null);
      const listed = new Set<string>();
      for (const s of d.sites) {
        listed.add(s.site.id);
        const key = writing ? sites!.saveSite(controller.host, s.site, at) : (sites?.find(controller.host, s.site.id)?.key ?? --temporaryKey);
        if (writing && s.status === 'discovered') sites!.markSynced(key, at);
        const site = ref(s.site.id, s.site.name, s.site.internalReference, key);
        entries.push(entry(site, s.status, recordTypes, s.content, s.error));
      }
      // Sites the database knows for this controller but that were not seen this run.
      for (const known of sites?.present(controller.host) ?? []) {
        if (listed.has(known.uuid)) continue;
        const site = ref(known.uuid, known.uuid, '', known.key);
        if (d.status === 'ok' && writing) sites!.markGone(known.key, at);
        entries.push(entry(site, d.status === 'ok' ? 'gone' : 'failed', recordTypes, undefined, d.error));
      }
    }
  };
  if (writeTo) immediateTransaction(writeTo, work);
  else work();
  markWritable(entries, options.sites);
  return entries;
}

function entry(site: SiteRef, status: SiteSnapshot['status'], recordTypes: SiteSnapshot['recordTypes'], content: SiteContent | undefined, error?: string): SnapshotEntry {
  return {
    site,
    status,
    ...(error && { error }),
    snapshot: {
      site,
      status,
      writable: status === 'discovered',
      recordTypes,
      policies: content?.policies ?? [],
      otherDomains: content?.otherDomains ?? new Set(),
      derived: content?.derived ?? [],
    },
  };
}

/** --site NAME|UUID: only those sites get writes; a name that matches no site is a usage error. */
function markWritable(entries: SnapshotEntry[], chosen: string[]): void {
  if (chosen.length === 0) return;
  const wanted = new Set(chosen.map((c) => c.toLowerCase()));
  const matched = new Set<string>();
  for (const e of entries) {
    const names = [e.site.uuid, e.site.name, e.site.internalReference].map((n) => n.toLowerCase()).filter((n) => wanted.has(n));
    names.forEach((n) => matched.add(n));
    if (names.length === 0) e.snapshot.writable = false;
  }
  const unknown = [...wanted].filter((w) => !matched.has(w));
  if (unknown.length > 0) throw new UsageError(`--site ${unknown.join(', ')}: no such site on any controller`);
}
