import type { RecordType } from '../domain/policy.ts';
import type { SiteRef, SiteSnapshot } from '../domain/state.ts';
import { UsageError } from '../domain/errors.ts';
import { ambiguousSite, chooseSites } from '../domain/site-names.ts';
import type { SiteContent } from './content.ts';

/** One controller's sites after discovery, each with its database key (engine/sites.ts gives them). */
export interface ControllerSites {
  host: string;
  name: string;
  status: 'ok' | 'failed';
  error?: string;
  /** The controller's record types, or sync.recordTypes. */
  recordTypes: readonly RecordType[];
  /** The types read from it as origins, when the config says (legacy allowed_record_types). */
  readTypes?: readonly RecordType[];
  listed: Array<{
    key: number;
    uuid: string;
    name: string;
    internalReference: string;
    status: 'discovered' | 'failed' | 'excluded';
    error?: string;
    content?: SiteContent;
  }>;
  /** Sites the database knows for this controller that it did not list this run. */
  unlisted: Array<{ key: number; uuid: string; name: string }>;
}

export interface SnapshotEntry {
  site: SiteRef;
  status: SiteSnapshot['status'];
  error?: string;
  snapshot: SiteSnapshot;
}

/**
 * The planner's snapshot of every site: listed ones as discovery found them, unlisted ones gone
 * (or failed, when their controller could not be asked). `chosen` is --site: only those get writes.
 */
export function snapshotsOf(controllers: ControllerSites[], chosen: string[]): SnapshotEntry[] {
  const entries: SnapshotEntry[] = [];
  for (const c of controllers) {
    const ref = (key: number, uuid: string, name: string, internalReference: string): SiteRef => ({
      key,
      controller: c.host,
      controllerName: c.name,
      uuid,
      name,
      internalReference,
    });
    for (const s of c.listed) {
      const listed = entry(ref(s.key, s.uuid, s.name, s.internalReference), s.status, c.recordTypes, s.content, s.error);
      if (c.readTypes) listed.snapshot.readTypes = c.readTypes;
      entries.push(listed);
    }
    for (const u of c.unlisted) {
      entries.push(entry(ref(u.key, u.uuid, u.name, ''), c.status === 'ok' ? 'gone' : 'failed', c.recordTypes, undefined, c.error));
    }
  }
  markWritable(entries, chosen);
  return entries;
}

function entry(site: SiteRef, status: SiteSnapshot['status'], recordTypes: readonly RecordType[], content: SiteContent | undefined, error?: string): SnapshotEntry {
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
      ...(content?.inPlace && { inPlace: content.inPlace }),
      otherDomains: content?.otherDomains ?? new Set(),
      served: content?.served ?? new Map(),
      derived: content?.derived ?? [],
    },
  };
}

/**
 * --site NAME|UUID|CONTROLLER/SITE: only those sites get writes. A name that matches no site, or
 * sites on several controllers (every console has a `default`), is a usage error: a run that
 * writes where it was not meant to cannot be taken back.
 */
function markWritable(entries: SnapshotEntry[], chosen: string[]): void {
  if (chosen.length === 0) return;
  const named = entries.map((e) => ({
    entry: e,
    controllerName: e.site.controllerName,
    controllerHost: e.site.controller,
    name: e.site.name,
    internalReference: e.site.internalReference,
    uuid: e.site.uuid,
  }));
  const writable = new Set<SnapshotEntry>();
  const unknown = new Set<string>();
  for (const wanted of chosen) {
    const choice = chooseSites(named, wanted);
    if (choice.kind === 'ambiguous') throw new UsageError(ambiguousSite('--site', wanted, choice.candidates));
    if (choice.kind === 'none') unknown.add(wanted.replace(/[A-Z]/g, (c) => c.toLowerCase()));
    else for (const s of choice.sites) writable.add(s.entry);
  }
  if (unknown.size > 0) throw new UsageError(`--site ${[...unknown].join(', ')}: no such site on any controller`);
  for (const e of entries) if (!writable.has(e)) e.snapshot.writable = false;
}

/** The entry of a site whose listing cannot be trusted this run: failed, so it keeps its origins and gets no write. */
export function failedEntry(entry: SnapshotEntry, error: string): SnapshotEntry {
  const { inPlace: _none, ...snapshot } = entry.snapshot;
  return { ...entry, status: 'failed', error, snapshot: { ...snapshot, status: 'failed', writable: false, policies: [], derived: [] } };
}
