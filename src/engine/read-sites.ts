import type { Config, ControllerConfig } from '../config/types.ts';
import type { StoredReplica } from '../domain/state.ts';
import { contentOf, policyItem, RecordCatalogue, type PolicyItem, type SiteContent } from '../planner/content.ts';
import { placeReplicas } from '../planner/replicas-in-place.ts';
import type { SiteRepository } from '../store/sites.ts';
import type { StateRepository } from '../store/state.ts';
import { discoverController, discoverSite, type ControllerDiscovery, type Digest, type DiscoveryClient } from './discover.ts';
import { inParallel } from './parallel.ts';
import { siteFingerprint, type UnchangedSites } from './unchanged.ts';

export interface SitesRead {
  /** Each site's content; null for every site when nothing is to be planned. */
  discoveries: Array<ControllerDiscovery<SiteContent | null>>;
  /** Every site listed what it did when the last sync left them all in step. */
  nothingToPlan: boolean;
  /** `siteId(host, uuid)` → the fingerprint of what the site listed. */
  fingerprints: Map<string, string>;
  /** siteKey → its stored replicas but those in place, for each known site whose content was kept. */
  replicas: Map<number, Map<string, StoredReplica>>;
}

/**
 * SPEC §4.1 for every controller at once, with the in-step fast path (engine/unchanged.ts): each
 * known site's replicas are read from the database as its pages arrive, between the answers of
 * the others; while every site lists what it did, none is kept, and once one differs, the sites
 * passed over until then are read again, whole. `onKeeping`: a site's content is about to be kept.
 */
export async function readSites(
  config: Config,
  clientOf: (host: string) => DiscoveryClient,
  store: { sites: SiteRepository; state: StateRepository } | null,
  unchanged: UnchangedSites,
  onSite?: (controller: string, site: string, status: string) => void,
  onKeeping?: () => void,
): Promise<SitesRead> {
  const catalogue = new RecordCatalogue();
  const fingerprints = new Map<string, string>();
  const replicas = new Map<number, Map<string, StoredReplica>>();
  const digest = (controller: ControllerConfig): Digest<PolicyItem, SiteContent | null> => ({
    item: (policy) => policyItem(policy, catalogue),
    deferred: () => unchanged.deferring,
    selected: (sites) => {
      if (store) unchanged.listed(sites.map((site) => store.sites.find(controller.host, site.id)?.key), store.sites.present(controller.host).map((site) => site.key));
    },
    site: (site, policies, clients, version) => {
      const key = store?.sites.find(controller.host, site.id)?.key;
      const fingerprint = siteFingerprint(version, policies.fingerprint, clients);
      fingerprints.set(siteId(controller.host, site.id), fingerprint);
      if (unchanged.check(key, fingerprint)) return null;
      onKeeping?.();
      const content = contentOf(policies.items(), clients, controller.clients, catalogue);
      if (key === undefined) return content;
      const stored = store!.state.replicasAt(key);
      const { inPlace, rest } = placeReplicas(content.policies, stored, catalogue);
      replicas.set(key, stored);
      return { ...content, policies: rest, inPlace };
    },
  });
  const { concurrency } = config.sync;
  const discoveries = await Promise.all(
    config.controllers.map((controller) =>
      discoverController(controller, clientOf(controller.host), digest(controller), concurrency, (site) => onSite?.(controller.name, site.site.name, site.status)),
    ),
  );
  const nothingToPlan = unchanged.everywhere(discoveries);
  if (!nothingToPlan) {
    await Promise.all(
      discoveries.map((d) => {
        const passedOver = d.sites.flatMap((s, i) => (s.status === 'discovered' && s.content === null ? [i] : []));
        return inParallel(passedOver, concurrency, async (i) => {
          d.sites[i] = await discoverSite(d.controller, clientOf(d.controller.host), d.sites[i]!.site, d.version!, digest(d.controller));
        });
      }),
    );
  }
  return { discoveries, nothingToPlan, fingerprints, replicas };
}

/** A site's identity before it has a database key. */
export function siteId(host: string, uuid: string): string {
  return `${host}\n${uuid}`;
}
