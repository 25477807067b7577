import type { ControllerConfig } from '../config/types.ts';
import type { Client, DnsPolicy, Site } from '../domain/policy.ts';
import { siteSelector } from '../planner/filters.ts';
import { inParallel } from './parallel.ts';

/** The reads discovery needs from a controller (the UniFi client, or a test double). */
export interface DiscoveryClient {
  info(): Promise<{ applicationVersion: string }>;
  sites(): Promise<Site[]>;
  policies(siteId: string): Promise<DnsPolicy[]>;
  clients(siteId: string): Promise<Client[]>;
}

/** What discovery keeps of a site's policies and clients: a digest, so raw pages are not all held at once. */
export type Digest<T> = (site: Site, policies: DnsPolicy[], clients: Client[]) => T;

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
export async function discoverController<T>(
  controller: ControllerConfig,
  client: DiscoveryClient,
  digest: Digest<T>,
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
  const results = await inParallel(sites, sitesAtOnce, async (site): Promise<SiteDiscovery<T>> => {
    const result = selected(site) ? await discoverSite(controller, client, site, digest) : { site, status: 'excluded' as const };
    onSite?.(result);
    return result;
  });
  return { controller, status: 'ok', version, sites: results };
}

async function discoverSite<T>(controller: ControllerConfig, client: DiscoveryClient, site: Site, digest: Digest<T>): Promise<SiteDiscovery<T>> {
  try {
    const [policies, clients] = await Promise.all([
      client.policies(site.id),
      controller.clients.enabled ? client.clients(site.id) : Promise.resolve([]),
    ]);
    return { site, status: 'discovered', content: digest(site, policies, clients) };
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
