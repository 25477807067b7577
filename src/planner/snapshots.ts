import type { RecordType } from '../domain/policy.ts';
import type { SiteRef, SiteSnapshot } from '../domain/state.ts';
import { UsageError } from '../domain/errors.ts';
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
  unlisted: Array<{ key: number; uuid: string }>;
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
      entries.push(entry(ref(u.key, u.uuid, u.uuid, ''), c.status === 'ok' ? 'gone' : 'failed', c.recordTypes, undefined, c.error));
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
      otherDomains: content?.otherDomains ?? new Set(),
      served: content?.served ?? new Map(),
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

/** The entry of a site whose listing cannot be trusted this run: failed, so it keeps its origins and gets no write. */
export function failedEntry(entry: SnapshotEntry, error: string): SnapshotEntry {
  return { ...entry, status: 'failed', error, snapshot: { ...entry.snapshot, status: 'failed', writable: false, policies: [], derived: [] } };
}
