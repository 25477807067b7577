import type { ControllerConfig } from '../config/types.ts';
import type { RecordType, Site } from '../domain/policy.ts';
import { foldAscii, type DnsRecord } from '../domain/record.ts';

export interface DomainFilter {
  domains: readonly string[];
  excludeDomains: readonly string[];
}

/** `*` matches any run of characters (dots included), `?` one character; ASCII letters case-insensitive, as DNS names. */
export function globToRegExp(glob: string): RegExp {
  const source = foldAscii(glob)
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`);
}

/** Whether a record passes the config filters for a site that syncs `types`. */
export function recordFilter(filter: DomainFilter): (record: Pick<DnsRecord, 'type' | 'domain'>, types: readonly RecordType[]) => boolean {
  const include = filter.domains.map(globToRegExp);
  const exclude = filter.excludeDomains.map(globToRegExp);
  const byDomain = new Map<string, boolean>();
  const domainAllowed = (domain: string) => {
    let allowed = byDomain.get(domain);
    if (allowed === undefined) {
      allowed = (include.length === 0 || include.some((re) => re.test(domain))) && !exclude.some((re) => re.test(domain));
      byDomain.set(domain, allowed);
    }
    return allowed;
  };
  return (record, types) => types.includes(record.type) && domainAllowed(record.domain);
}

/** The config's `sites` include list and `excludeSites`, by internalReference, name or uuid. */
export function siteSelector(controller: Pick<ControllerConfig, 'sites' | 'excludeSites'>): (site: Site) => boolean {
  const matches = (names: string[], site: Site) => {
    const keys = [site.id, site.internalReference, site.name].map((k) => k.toLowerCase());
    return names.some((name) => keys.includes(name.toLowerCase()));
  };
  return (site) => (controller.sites === null || matches(controller.sites, site)) && !matches(controller.excludeSites, site);
}
