// The benchmark loads of SPEC §8 as simulator scenarios, and the request counts they imply.
import type { Scenario } from '../fixtures/simulator/index.ts';

export interface Load {
  /** 'L/4', 'L/4@10ms', 'L' or '2L': what `--load` selects. */
  name: string;
  /** Sites per controller; the controllers are named c1, c2, ... */
  sitesPerController: number[];
  /** Native A records per site, each with a name of its own. */
  recordsPerSite: number;
  /** ttl of every native record at the start; the incremental runs edit it. */
  ttlSeconds: number;
  /** Every API answer of every controller waits this long (the simulator's `latencyMs`); default 0. */
  latencyMs?: number;
  /** Pairs of a bare POST loop and an initial sync, each on a fresh simulator (at most --runs). */
  initialRuns: number;
  /** Only the floors, the initial sync and the no-op syncs (steps 1–3 of bench/README.md). */
  compareOnly?: boolean;
}

/**
 * SPEC §8's reference load: 4 controllers × 50 sites × 10 native records = 2,000 records, 400,000
 * policies once synced. Three initial pairs, so that one pair caught in a slow minute cannot move
 * the median (on 2 cores, one bench's two pairs gave 1.36× and 1.94×, 2026-11-26).
 */
export const LOAD_L: Load = { name: 'L', sitesPerController: [50, 50, 50, 50], recordsPerSite: 10, ttlSeconds: 300, initialRuns: 3 };

/**
 * A quarter of L's sites (4 controllers × 12–13 sites = 50 sites, 500 records): every site holds
 * 500 policies once synced, 25,000 in all, so 1/16 of L's policies and creates (cost grows with
 * sites × records, i.e. with the square of the site count).
 */
export const LOAD_L4: Load = { name: 'L/4', sitesPerController: [13, 13, 12, 12], recordsPerSite: 10, ttlSeconds: 300, initialRuns: 3 };

/**
 * L/4 on controllers that answer every request after 10 ms, as across a network: at 4 requests in
 * flight per controller no client passes 400 requests per second per controller, so the floors
 * are bound by the latency, and dnssync should be too. Only the floors, the initial and the no-op
 * syncs are run (the comparison is the point).
 */
export const LOAD_L4_LATENCY: Load = { ...LOAD_L4, name: 'L/4@10ms', latencyMs: 10, initialRuns: 2, compareOnly: true };

/**
 * Twice L's policies, for memory: 4 controllers × 100 sites = 400 sites × 5 native records = the
 * same 2,000 records as L, so every site holds 2,000 policies once synced, 800,000 in all (798,000
 * creates). Same controllers and concurrency as L: only sites × records grows. Long; only with
 * `--load 2L`.
 */
export const LOAD_2L: Load = { name: '2L', sitesPerController: [100, 100, 100, 100], recordsPerSite: 5, ttlSeconds: 300, initialRuns: 1 };

/** Every load, in the order they run; `--load` picks among them. */
export const LOADS: Load[] = [LOAD_L4, LOAD_L4_LATENCY, LOAD_L, LOAD_2L];

/** What `npm run bench` runs without --load or --quick (2L is left out: it is long). */
export const DEFAULT_LOADS: Load[] = [LOAD_L4, LOAD_L4_LATENCY, LOAD_L];

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
      ...(load.latencyMs && { latencyMs: load.latencyMs }),
      generateSites: {
        count: load.sitesPerController[c]!,
        internalReferencePattern: 'site-{s}',
        namePattern: 'Site {s}',
        generate: [{ count: load.recordsPerSite, domainPattern: 'h{i}.s{s}.{controller}.lan', ipv4Pattern: '10.{s}.{hi}.{lo}', ttlSeconds: load.ttlSeconds }],
      },
    })),
  };
}
