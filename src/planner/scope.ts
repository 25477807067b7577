/** originScope (SPEC §4): a record can be kept off every site of a controller it originates on. */
import type { ControllerConfig, SyncConfig } from '../config/types.ts';
import type { KnownOrigin, SiteRef } from '../domain/state.ts';

/** Hosts of the controllers whose originScope, their own or sync's, is `controller`. */
export function controllerScoped(config: { controllers: ReadonlyArray<Pick<ControllerConfig, 'host' | 'originScope'>>; sync: Pick<SyncConfig, 'originScope'> }): Set<string> {
  return new Set(config.controllers.filter((c) => (c.originScope ?? config.sync.originScope) === 'controller').map((c) => c.host));
}

/**
 * Controller host → the records with an origin at any of its sites, for the scoped controllers only:
 * worked out once per run, so that each site's plan asks a set instead of walking every origin.
 * An origin at a site whose discovery failed this run still counts, as it does everywhere else.
 */
export function keptOffByController(
  origins: ReadonlyMap<string, ReadonlyMap<number, KnownOrigin>>,
  sites: ReadonlyMap<number, SiteRef>,
  scoped: ReadonlySet<string>,
): Map<string, Set<string>> {
  const keptOff = new Map<string, Set<string>>();
  if (scoped.size === 0) return keptOff;
  for (const [recordId, bySite] of origins) {
    for (const siteKey of bySite.keys()) {
      const host = sites.get(siteKey)?.controller;
      if (host === undefined || !scoped.has(host)) continue;
      let records = keptOff.get(host);
      if (!records) keptOff.set(host, (records = new Set()));
      records.add(recordId);
    }
  }
  return keptOff;
}
