import type { Config } from '../config/types.ts';
import type { SiteContent } from '../planner/content.ts';
import type { ControllerSites } from '../planner/snapshots.ts';
import type { SiteRepository } from '../store/sites.ts';
import type { ControllerDiscovery } from './discover.ts';

/**
 * Gives every discovered site its database key. A writing run records controllers, new sites,
 * renamed ones and gone ones (the caller owns the transaction); a dry run writes nothing and gives
 * sites the database does not know yet temporary negative keys.
 */
export function keySites(
  discoveries: Array<ControllerDiscovery<SiteContent | null>>,
  config: Config,
  sites: SiteRepository | null,
  writing: boolean,
  at: string,
): ControllerSites[] {
  let temporaryKey = 0;
  return discoveries.map((d) => {
    const host = d.controller.host;
    if (writing) sites!.saveController(d.controller, d.version ?? null, d.status === 'ok' ? at : null);
    const listed = d.sites.map((s) => {
      const key = writing ? sites!.saveSite(host, s.site, at) : (sites?.find(host, s.site.id)?.key ?? --temporaryKey);
      if (writing && s.status === 'discovered') sites!.markSynced(key, at);
      return {
        key,
        uuid: s.site.id,
        name: s.site.name,
        internalReference: s.site.internalReference,
        status: s.status,
        ...(s.error && { error: s.error }),
        ...(s.content && { content: s.content }),
      };
    });
    const seen = new Set(listed.map((s) => s.uuid));
    const unlisted = (sites?.present(host) ?? []).filter((known) => !seen.has(known.uuid));
    if (writing && d.status === 'ok') for (const gone of unlisted) sites!.markGone(gone.key, at);
    return {
      host,
      name: d.controller.name,
      status: d.status,
      ...(d.error && { error: d.error }),
      recordTypes: d.controller.recordTypes ?? config.sync.recordTypes,
      ...(d.controller.readTypes && { readTypes: d.controller.readTypes }),
      listed,
      unlisted,
    };
  });
}
