// The benchmark loads of SPEC §8 as simulator scenarios, and the request counts they imply.
import type { Scenario } from '../fixtures/simulator/index.ts';

export interface Load {
  /** 'L' or 'L/4'. */
  name: string;
  /** Sites per controller; the controllers are named c1, c2, ... */
  sitesPerController: number[];
  /** Native A records per site, each with a name of its own. */
  recordsPerSite: number;
  /** ttl of every native record at the start; the incremental runs edit it. */
  ttlSeconds: number;
}

/** SPEC §8's reference load: 4 controllers × 50 sites × 10 native records = 2,000 records, 400,000 policies once synced. */
export const LOAD_L: Load = { name: 'L', sitesPerController: [50, 50, 50, 50], recordsPerSite: 10, ttlSeconds: 300 };

/**
 * A quarter of L's sites (4 controllers × 12–13 sites = 50 sites, 500 records): every site holds
 * 500 policies once synced, 25,000 in all, so 1/16 of L's policies and creates (cost grows with
 * sites × records, i.e. with the square of the site count).
 */
export const LOAD_L4: Load = { name: 'L/4', sitesPerController: [13, 13, 12, 12], recordsPerSite: 10, ttlSeconds: 300 };

export const PAGE_LIMIT = 200;

export function controllerNames(load: Load): string[] {
  return load.sitesPerController.map((_, i) => `c${i + 1}`);
}

export function totalSites(load: Load): number {
  return load.sitesPerController.reduce((a, b) => a + b, 0);
}

export function totalRecords(load: Load): number {
  return totalSites(load) * load.recordsPerSite;
}

/** Policies every site holds once converged: its own natives plus a replica of every other site's. */
export function convergedPoliciesPerSite(load: Load): number {
  return totalRecords(load);
}

/** Creates of the initial sync: every site gets every record it is not an origin of. */
export function initialCreates(load: Load): number {
  return totalSites(load) * (totalRecords(load) - load.recordsPerSite);
}

/** Replicas once converged (= initialCreates). */
export function replicas(load: Load): number {
  return initialCreates(load);
}

/** The list requests of one full discovery: per controller 1 info + the sites pages; per site its policy pages (at least 1). */
export function listRequests(load: Load, policiesPerSite = convergedPoliciesPerSite(load)): number {
  const pages = (n: number) => Math.max(1, Math.ceil(n / PAGE_LIMIT));
  return load.sitesPerController.reduce((sum, sites) => sum + 1 + pages(sites) + sites * pages(policiesPerSite), 0);
}

/** Domain of native record `i` (1-based) of generated site `s` of a controller: distinct across the whole load. */
export function nativeDomain(controller: string, s: number, i: number): string {
  return `h${i}.s${s}.${controller}.lan`;
}

export function scenarioOf(load: Load): Scenario {
  return {
    controllers: controllerNames(load).map((name, c) => ({
      name,
      apiKey: `bench-key-${name}`,
      generateSites: {
        count: load.sitesPerController[c]!,
        internalReferencePattern: 'site-{s}',
        namePattern: 'Site {s}',
        generate: [{ count: load.recordsPerSite, domainPattern: 'h{i}.s{s}.{controller}.lan', ipv4Pattern: '10.{s}.{hi}.{lo}', ttlSeconds: load.ttlSeconds }],
      },
    })),
  };
}
