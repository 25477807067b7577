/** The conversion's first step (convert.ts): controllers by normalised host, and sites keyed per controller. */
import type { SQLOutputValue } from 'node:sqlite';
import { legacyHostUrl } from '../config/values.ts';
import { keyFingerprint } from '../config/key.ts';
import { DEFAULT_SITE_UUID } from '../domain/legacy-evidence.ts';
import { text } from '../domain/stored-record.ts';
import type { ConvertedController, ConvertedSite, Tally } from './conversion.ts';
import type { LegacyData } from './read.ts';
import { earliest, latest } from './time.ts';

function siteKey(host: string, uuid: string): string {
  return `${host}\n${uuid}`;
}

export class Places {
  readonly controllers = new Map<string, ConvertedController>();
  readonly sites = new Map<string, ConvertedSite>();
  private readonly hostOf = new Map<string, string | null>(); // legacy host text → normalised host
  private readonly siteKeysByUuid = new Map<string, string[]>();
  /** The default site's uuid, when rows there cannot say which console they are about (see shared). */
  readonly sharedUuid: string | null;

  private readonly tally: Tally;

  constructor(
    data: LegacyData,
    tally: Tally,
  ) {
    this.tally = tally;
    // Controllers, by normalised host.
    for (const row of data.controllers) {
      const legacy = text(row.host);
      const key = text(row.api_key)?.trim();
      if (key) tally.repairs.keysDropped++;
      const host = legacy === null ? null : this.normalise(legacy);
      if (host === null) {
        tally.notImported.controllers.push({ host: legacy ?? '(NULL)', reason: 'not a host name or IP address' });
        continue;
      }
      const c = this.controllerFor(host);
      if (key && c.keyFingerprint === null) c.keyFingerprint = keyFingerprint(key);
      c.lastContact = latest(c.lastContact, tally.time(row.last_contact));
    }

    // Every console's default site has one uuid; the first legacy schema kept sites, origins and
    // events by uuid alone, so with two consoles or more its rows there may be about any of them.
    const rowsWithoutHost = data.origins.some((r) => r.controller_host === null) || data.events.some((r) => r.controller_host === null);
    this.sharedUuid = rowsWithoutHost && this.controllers.size >= 2 ? DEFAULT_SITE_UUID : null;

    // Sites, keyed per controller. The first legacy schema keyed them by uuid alone.
    for (const row of data.sites) {
      const uuid = text(row.uuid);
      const legacyHost = text(row.controller_host);
      if (uuid === null || uuid === '') {
        tally.notImported.sites.push({ uuid: '(NULL)', reason: 'no uuid' });
        continue;
      }
      // Its one row names whichever console was written last: the first sync makes a site per console.
      if (uuid === this.sharedUuid) continue;
      const host = legacyHost === null ? null : this.normalise(legacyHost);
      if (host === null) {
        tally.notImported.sites.push({ uuid, reason: legacyHost === null ? 'no controller' : `controller host '${legacyHost}' is not a host name or IP address` });
        continue;
      }
      this.controllerFor(host);
      const key = siteKey(host, uuid);
      const lastSynced = tally.time(row.last_synced);
      const known = this.sites.get(key);
      if (known) {
        known.lastSynced = latest(known.lastSynced, lastSynced);
        continue;
      }
      // first_seen: the earliest legacy time of the site, filled in below; last_synced meanwhile.
      this.sites.set(key, { key, controllerHost: host, uuid, name: text(row.name), firstSeen: lastSynced ?? '', lastSynced });
      this.siteKeysByUuid.set(uuid, [...(this.siteKeysByUuid.get(uuid) ?? []), key]);
    }
  }

  /**
   * The site an event or origin row names: by (host, uuid), or by uuid alone when that is
   * unambiguous; 'shared' at the shared default-site uuid, where it may be any console's.
   */
  find(uuidValue: SQLOutputValue, hostValue: SQLOutputValue): ConvertedSite | 'none' | 'unknown' | 'shared' {
    const uuid = text(uuidValue);
    if (uuid === null || uuid === '') return 'none';
    const legacyHost = text(hostValue);
    if (legacyHost !== null) {
      const host = this.normalise(legacyHost);
      return (host !== null && this.sites.get(siteKey(host, uuid))) || 'unknown';
    }
    if (uuid === this.sharedUuid) return 'shared';
    const keys = this.siteKeysByUuid.get(uuid) ?? [];
    return keys.length === 1 ? this.sites.get(keys[0]!)! : 'unknown';
  }

  seenAt(site: ConvertedSite, iso: string | null): void {
    if (iso) site.firstSeen = earliest(site.firstSeen || null, iso)!;
  }

  /** Sites the legacy file gives no time for were first seen at the conversion. */
  dateUnseenSites(at: string): void {
    for (const site of this.sites.values()) if (!site.firstSeen) site.firstSeen = at;
  }

  private normalise(legacy: string): string | null {
    if (this.hostOf.has(legacy)) return this.hostOf.get(legacy)!;
    let host: string | null = null;
    try {
      host = legacyHostUrl(legacy).host;
    } catch {
      host = null;
    }
    this.hostOf.set(legacy, host);
    if (host !== null && host !== legacy) this.tally.repairs.hostsNormalised.push({ from: legacy, to: host });
    return host;
  }

  private controllerFor(host: string): ConvertedController {
    let c = this.controllers.get(host);
    if (!c) this.controllers.set(host, (c = { host, name: host, url: legacyHostUrl(host).url, keyFingerprint: null, lastContact: null }));
    return c;
  }
}
