import type { ControllerConfig } from '../config/types.ts';
import type { Client, DnsPolicy, Site } from '../domain/policy.ts';
import { siteSelector } from '../planner/filters.ts';
import { inParallel } from './parallel.ts';

/** The reads discovery needs from a controller (the UniFi client, or a test double). */
export interface DiscoveryClient {
  info(): Promise<{ applicationVersion: string }>;
  sites(): Promise<Site[]>;
  /** Every policy of the site, each turned by `keep` into what discovery keeps of it; `deferred`: only when asked. */
  policyListing<U>(siteId: string, keep: (policy: DnsPolicy) => U, deferred: boolean): Promise<PolicyListing<U>>;
  clients(siteId: string): Promise<Client[]>;
}

/** A site's policies read whole: the fingerprint of the listing's bytes, and its items (checked when asked). */
export interface PolicyListing<P> {
  fingerprint: string;
  items(): P[];
}

/**
 * What discovery keeps of a site: each policy turned into an item as soon as its page is read,
 * then the items and the clients into a digest, so that raw pages are never all held at once.
 */
export interface Digest<P, T> {
  item(policy: DnsPolicy): P;
  /**
   * Whether the next site's policies wait unchecked until `site` asks for them: it may find the
   * listing's fingerprint unchanged and never need them (engine/unchanged.ts).
   */
  deferred(): boolean;
  /** The sites of the controller the config selects, before any of them is read. */
  selected?(sites: Site[]): void;
  site(site: Site, policies: PolicyListing<P>, clients: Client[], version: string): T;
}

export interface SiteDiscovery<T> {
  site: Site;
  status: 'discovered' | 'failed' | 'excluded';
  error?: string;
  /** The digest, when discovered. */
  content?: T;
}

export interface ControllerDiscovery<T> {
  controller: ControllerConfig;
  status: 'ok' | 'failed';
  error?: string;
  version?: string;
  /** Every site the controller listed (empty when the listing failed). */
  sites: Array<SiteDiscovery<T>>;
}

/** DNS policies arrived in Network 10.1. */
const MIN_VERSION = [10, 1];

/**
 * SPEC §4.1 for one controller: version, every site, and the policies (and clients) of each
 * selected site. A failure is kept where it happened, so that only what was really seen counts.
 */
export async function discoverController<P, T>(
  controller: ControllerConfig,
  client: DiscoveryClient,
  digest: Digest<P, T>,
  /** Sites read at once: the client bounds requests anyway; this bounds raw pages held in memory. */
  sitesAtOnce: number,
  onSite?: (site: SiteDiscovery<T>) => void,
): Promise<ControllerDiscovery<T>> {
  let version: string;
  let sites: Site[];
  try {
    version = (await client.info()).applicationVersion;
    const tooOld = versionProblem(version);
    if (tooOld) return failed(controller, tooOld, version);
    sites = await client.sites();
  } catch (error) {
    return failed(controller, (error as Error).message);
  }

  const selected = siteSelector(controller);
  digest.selected?.(sites.filter(selected));
  const results = await inParallel(sites, sitesAtOnce, async (site): Promise<SiteDiscovery<T>> => {
    const result = selected(site) ? await discoverSite(controller, client, site, version, digest) : { site, status: 'excluded' as const };
    onSite?.(result);
    return result;
  });
  return { controller, status: 'ok', version, sites: results };
}

/** One selected site of a controller whose version discovery read. */
export async function discoverSite<P, T>(controller: ControllerConfig, client: DiscoveryClient, site: Site, version: string, digest: Digest<P, T>): Promise<SiteDiscovery<T>> {
  try {
    const [policies, clients] = await Promise.all([
      client.policyListing(site.id, digest.item, digest.deferred()),
      controller.clients.enabled ? client.clients(site.id) : Promise.resolve([]),
    ]);
    return { site, status: 'discovered', content: digest.site(site, policies, clients, version) };
  } catch (error) {
    return { site, status: 'failed', error: (error as Error).message };
  }
}

function failed<T>(controller: ControllerConfig, error: string, version?: string): ControllerDiscovery<T> {
  return { controller, status: 'failed', error, ...(version && { version }), sites: [] };
}

/** Why a controller of this version cannot be synced, or null when it can. */
export function versionProblem(version: string): string | null {
  return atLeast(version, MIN_VERSION) ? null : `Network ${version} has no DNS policy API; dnssync needs UniFi Network 10.1 or newer`;
}

function atLeast(version: string, minimum: number[]): boolean {
  const parts = version.split('.').map((p) => Number.parseInt(p, 10));
  for (let i = 0; i < minimum.length; i++) {
    const part = Number.isNaN(parts[i]) ? 0 : (parts[i] ?? 0);
    if (part !== minimum[i]) return part > minimum[i]!;
  }
  return true;
}
