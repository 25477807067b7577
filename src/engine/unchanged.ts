import { createHash } from 'node:crypto';
import type { Config } from '../config/types.ts';
import type { Client } from '../domain/policy.ts';
import type { InStepSite } from '../domain/state.ts';
import type { ControllerDiscovery } from './discover.ts';

/**
 * The config and dnssync that in_step rows hold for: any change to them may change a plan. The
 * API keys are left out (a secret never reaches the database, not even hashed); a new key changes
 * nothing a plan reads.
 */
export function worldFingerprint(config: Config, version: string): string {
  const controllers = config.controllers.map(({ apiKey: _key, keyFingerprint: _print, keySource: _source, ...rest }) => rest);
  return sha256(JSON.stringify({ version, controllers, sync: config.sync }));
}

/**
 * What a site listed: the controller's version (which decides what can be written), the bytes of its policy
 * listing, and of its clients the fields dnssync reads (their listing also says when each
 * connected, which changes all the time).
 */
export function siteFingerprint(version: string, policies: string, clients: readonly Client[]): string {
  const hash = createHash('sha256').update(`${version}\n${policies}\n`);
  const fields = clients.map((c) => JSON.stringify([c.id, c.type, c.name, c.hostname, c.displayName, c.ipAddress, c.macAddress])).sort();
  for (const line of fields) hash.update(`${line}\n`);
  return hash.digest('hex');
}

/**
 * Tells, as discovery reads the sites, whether each lists exactly what it listed when the last
 * sync left every site in step. While all do, a site's policies are neither checked nor kept, nor
 * its replicas read: if they all do, there is nothing to plan (a no-op sync of L reads 400,000
 * policies). The first site that differs ends that for the run: the sites passed over until then
 * are read again, and every site is observed and planned as usual (engine/read-sites.ts).
 */
export class UnchangedSites {
  private readonly known: ReadonlyMap<number, InStepSite> | null;
  private all: boolean;
  /** Keys of the sites found unchanged so far. */
  private readonly matched = new Set<number>();

  constructor(known: ReadonlyMap<number, InStepSite> | null) {
    this.known = known;
    this.all = known !== null;
  }

  /** Whether the next site's policies wait unchecked for `check` (engine/discover.ts Digest.deferred). */
  get deferring(): boolean {
    return this.all;
  }

  /**
   * The sites one controller lists now (their database keys; undefined for a new one), against
   * the keys of every site the database knows there: a site added or gone since ends the fast path
   * before any policy is read, so that no site is read twice for it.
   */
  listed(keys: ReadonlyArray<number | undefined>, knownThere: readonly number[]): void {
    if (!this.all) return;
    const listed = new Set(keys);
    if (keys.some((key) => key === undefined || !this.known!.has(key)) || knownThere.some((key) => this.known!.has(key) && !listed.has(key))) this.all = false;
  }

  /** Whether the site (its database key, if it has one) lists what it did; the first that does not ends the fast path. */
  check(key: number | undefined, fingerprint: string): boolean {
    if (this.all && key !== undefined && this.known!.get(key)?.fingerprint === fingerprint) {
      this.matched.add(key);
      return true;
    }
    this.all = false;
    return false;
  }

  /**
   * Every site the last run left in step listed the same, every controller and selected site was
   * read, and no other site was: nothing to plan. (A site whose content is null was passed over.)
   */
  everywhere<T>(discoveries: ReadonlyArray<ControllerDiscovery<T | null>>): boolean {
    if (!this.all || this.matched.size !== this.known!.size) return false;
    return discoveries.every((d) => d.status === 'ok' && d.sites.every((s) => s.status === 'excluded' || (s.status === 'discovered' && s.content === null)));
  }

  /** The in-step record of a site found unchanged. */
  site(key: number): InStepSite | undefined {
    return this.known?.get(key);
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
