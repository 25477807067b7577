import type { ClientRecordsConfig } from '../config/types.ts';
import { TARGET_FIELDS, type Client, type DnsPolicy } from '../domain/policy.ts';
import { attributesOf, canonicalDomain, foldAscii, recordOf, type Attributes, type DnsRecord } from '../domain/record.ts';
import type { LivePolicy, ReplicasInPlace } from '../domain/state.ts';
import type { CatalogueIndex } from './replicas-in-place.ts';

/** A site's content as the planner needs it: compact, with one shared object per record. */
export interface SiteContent {
  policies: LivePolicy[];
  /** Our settled replicas among them, once taken out of `policies` (placeReplicas). */
  inPlace?: ReplicasInPlace;
  otherDomains: Set<string>;
  served: Map<string, string>;
  derived: Array<{ record: DnsRecord; attributes: Attributes }>;
}

/**
 * One object per distinct record for the whole run, so 400,000 policies of 2,000 records hold
 * 2,000 record objects, and each identity is canonicalised and hashed once.
 */
export class RecordCatalogue implements CatalogueIndex {
  // Each record and attributes object has a number too, in the order first seen: replicas in place hold those.
  readonly #records: DnsRecord[] = [];
  readonly #indexById = new Map<string, number>();
  readonly #attributeList: Attributes[] = [];
  readonly #attributeIndex = new Map<Attributes, number>();
  // By the identity as the controller spelled it: most policies repeat one seen before. Type, then
  // domain, then target, so that 400,000 look-ups build no key string; a type of several target
  // fields joins them.
  readonly #byRawIdentity = new Map<string, Map<string, Map<string | number | undefined, DnsRecord | null>>>();

  intern(record: DnsRecord): DnsRecord {
    const known = this.#indexById.get(record.id);
    if (known !== undefined) return this.#records[known]!;
    this.#indexById.set(record.id, this.#records.push(record) - 1);
    return record;
  }

  recordIndex(recordId: string): number | undefined {
    return this.#indexById.get(recordId);
  }

  recordAt(index: number): DnsRecord {
    return this.#records[index]!;
  }

  attributesIndex(attributes: Attributes): number {
    let index = this.#attributeIndex.get(attributes);
    if (index === undefined) this.#attributeIndex.set(attributes, (index = this.#attributeList.push(attributes) - 1));
    return index;
  }

  attributesAt(index: number): Attributes {
    return this.#attributeList[index]!;
  }

  // Attributes by enabled, then ttl: 400,000 policies share a handful of objects.
  readonly #attributes = { on: new Map<number | undefined, Attributes>(), off: new Map<number | undefined, Attributes>() };

  /** A policy's attributes, interned (never changed once made: sameAttributes compares them). */
  attributesOf(policy: DnsPolicy): Attributes {
    const made = attributesOf(policy);
    const byTtl = made.enabled ? this.#attributes.on : this.#attributes.off;
    const known = byTtl.get(made.ttlSeconds);
    if (known) return known;
    byTtl.set(made.ttlSeconds, made);
    return made;
  }

  /** The record a policy holds (null for what is never synced), interned. */
  ofPolicy(policy: DnsPolicy): DnsRecord | null {
    let byDomain = this.#byRawIdentity.get(policy.type);
    if (byDomain === undefined) this.#byRawIdentity.set(policy.type, (byDomain = new Map()));
    let byTarget = byDomain.get(policy.domain);
    if (byTarget === undefined) byDomain.set(policy.domain, (byTarget = new Map()));
    const fields = TARGET_FIELDS[policy.type] ?? [];
    const target = fields.length === 1 ? (policy[fields[0]![0] as keyof DnsPolicy] as string | number | undefined) : fields.map(([name]) => policy[name as keyof DnsPolicy]).join('|');
    let record = byTarget.get(target);
    if (record === undefined) {
      const parsed = recordOf(policy);
      record = parsed && this.intern(parsed);
      byTarget.set(target, record);
    }
    return record;
  }
}

/** A policy that is none of the site's synced records: its name is taken, and what it serves is served. */
export interface OtherPolicy {
  otherDomain: string;
  served: { recordId: string; origin: string } | null;
}

/** What a site's content keeps of one policy. */
export type PolicyItem = LivePolicy | OtherPolicy;

/**
 * One policy as discovery keeps it, made as soon as its page is read, so that the raw objects of
 * 400,000 policies die young rather than wait for the last page of their site (issue 13).
 */
export function policyItem(policy: DnsPolicy, catalogue: RecordCatalogue): PolicyItem {
  const origin = policy.metadata?.origin;
  const user = origin === undefined || origin === 'USER_DEFINED';
  const record = catalogue.ofPolicy(policy);
  if (record && user) return { policyId: policy.id, record, attributes: catalogue.attributesOf(policy) };
  // The controller serves it already (and refuses a duplicate create since 10.2.105).
  return { otherDomain: canonicalDomain(policy.domain), served: record ? { recordId: record.id, origin: origin! } : null };
}

/** A site's SiteContent from its policies as discovery kept them (policyItem) and its clients. */
export function contentOf(items: PolicyItem[], clients: Client[], clientRecords: ClientRecordsConfig, catalogue: RecordCatalogue): SiteContent {
  const content: SiteContent = { policies: [], otherDomains: new Set(), served: new Map(), derived: [] };
  for (const item of items) {
    if ('policyId' in item) {
      content.policies.push(item);
      continue;
    }
    content.otherDomains.add(item.otherDomain);
    if (item.served) content.served.set(item.served.recordId, item.served.origin);
  }
  if (clientRecords.enabled) {
    const legacy = clientRecords.naming === 'legacy';
    for (const client of clients) {
      const record = legacy ? legacyClientRecord(client, clientRecords.domainSuffix) : clientRecord(client, clientRecords.domainSuffix);
      if (record) content.derived.push({ record: catalogue.intern(record), attributes: { enabled: true, ttlSeconds: legacy ? LEGACY_CLIENT_TTL : 0 } });
    }
  }
  return content;
}

/** The TTL the legacy tool gave every client-derived record it created. */
export const LEGACY_CLIENT_TTL = 3600;

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

/**
 * The legacy tool's sync_dhcp_clients rule: `<name>.<suffix>` → the client's IPv4 address, the
 * name's characters outside [A-Za-z0-9-] turned into '-', and the suffix not added twice.
 */
export function clientRecord(client: Client, suffix: string): DnsRecord | null {
  if (!client.name || !client.ipAddress || !IPV4.test(client.ipAddress)) return null;
  let name = foldAscii(client.name.trim());
  if (suffix && name.endsWith(`.${suffix}`)) name = name.slice(0, -suffix.length - 1);
  const label = name.replace(/[^a-z0-9-]/g, '-').replace(/^-+|-+$/g, '');
  if (!label) return null;
  const domain = suffix ? `${label}.${suffix}` : label;
  return recordOf({ type: 'A_RECORD', enabled: true, domain, ipv4Address: client.ipAddress, ttlSeconds: 0 });
}

/**
 * The legacy tool's rule as it ran (shared/legacy/README.md, "Corrections"), for controllers
 * configured the legacy way, so that its copies keep their names: the name is `name`, else
 * `hostname`, else `displayName`; every character outside [A-Za-z0-9-], dots included, becomes '-'
 * *before* the suffix is looked at, so `tv.home.arpa` becomes `tv-home-arpa.home.arpa`; the suffix
 * is left off only when the name is the suffix itself (a dotless one) or already ends with it.
 */
export function legacyClientRecord(client: Client, suffix: string): DnsRecord | null {
  const raw = client.name || client.hostname || client.displayName;
  if (!raw || !client.ipAddress || !IPV4.test(client.ipAddress)) return null;
  const label = raw.replace(/[^A-Za-z0-9-]/g, '-').replace(/^-+|-+$/g, '');
  if (!label) return null;
  const lower = foldAscii(label);
  const domain = suffix && !lower.endsWith(`.${suffix}`) && lower !== suffix ? `${lower}.${suffix}` : lower;
  return recordOf({ type: 'A_RECORD', enabled: true, domain, ipv4Address: client.ipAddress, ttlSeconds: LEGACY_CLIENT_TTL });
}
