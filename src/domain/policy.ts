/**
 * What dnssync syncs, in the shape the UniFi Network Integration API gives it (Network 10.1+;
 * ../shared/unifi/integration-10.1.89/openapi-subset.json): DNS policies, sites and clients.
 */

/** The record types dnssync syncs (every policy type but FORWARD_DOMAIN). */
export type RecordType = 'A_RECORD' | 'AAAA_RECORD' | 'CNAME_RECORD' | 'MX_RECORD' | 'TXT_RECORD' | 'SRV_RECORD';

export const RECORD_TYPES: readonly RecordType[] = [
  'A_RECORD', 'AAAA_RECORD', 'CNAME_RECORD', 'MX_RECORD', 'TXT_RECORD', 'SRV_RECORD',
];

export type PolicyType =
  | 'A_RECORD'
  | 'AAAA_RECORD'
  | 'CNAME_RECORD'
  | 'MX_RECORD'
  | 'TXT_RECORD'
  | 'SRV_RECORD'
  | 'FORWARD_DOMAIN';

export type MetadataOrigin = 'USER_DEFINED' | 'SYSTEM_DEFINED' | 'DERIVED' | 'ORCHESTRATED';

/** The fields a create or update body may carry, per type; never `id` or `metadata`. */
export const BODY_FIELDS: Record<PolicyType, readonly string[]> = {
  A_RECORD: ['type', 'enabled', 'domain', 'ipv4Address', 'ttlSeconds'],
  AAAA_RECORD: ['type', 'enabled', 'domain', 'ipv6Address', 'ttlSeconds'],
  CNAME_RECORD: ['type', 'enabled', 'domain', 'targetDomain', 'ttlSeconds'],
  MX_RECORD: ['type', 'enabled', 'domain', 'mailServerDomain', 'priority'],
  TXT_RECORD: ['type', 'enabled', 'domain', 'text'],
  SRV_RECORD: ['type', 'enabled', 'domain', 'serverDomain', 'service', 'protocol', 'port', 'priority', 'weight'],
  FORWARD_DOMAIN: ['type', 'enabled', 'domain', 'ipAddress'],
};

/** The fields that hold each type's target (its identity beside type and domain), with their JSON types. */
export const TARGET_FIELDS: Record<PolicyType, ReadonlyArray<readonly [string, 'string' | 'number']>> = {
  A_RECORD: [['ipv4Address', 'string']],
  AAAA_RECORD: [['ipv6Address', 'string']],
  CNAME_RECORD: [['targetDomain', 'string']],
  MX_RECORD: [['mailServerDomain', 'string'], ['priority', 'number']],
  TXT_RECORD: [['text', 'string']],
  SRV_RECORD: [['serverDomain', 'string'], ['service', 'string'], ['protocol', 'string'], ['port', 'number'], ['priority', 'number'], ['weight', 'number']],
  FORWARD_DOMAIN: [['ipAddress', 'string']],
};

/** The types whose policies carry ttlSeconds. */
export const TTL_TYPES: readonly PolicyType[] = ['A_RECORD', 'AAAA_RECORD', 'CNAME_RECORD'];

/** A DNS policy as the API returns it. Type-specific fields are optional here; validation checks them. */
export interface DnsPolicy {
  id: string;
  type: PolicyType;
  enabled: boolean;
  domain: string;
  metadata?: { origin?: string };
  ipv4Address?: string;
  ipv6Address?: string;
  targetDomain?: string;
  mailServerDomain?: string;
  text?: string;
  serverDomain?: string;
  service?: string;
  protocol?: string;
  port?: number;
  priority?: number;
  weight?: number;
  ttlSeconds?: number;
  ipAddress?: string;
}

/** Body of POST /dns/policies and PUT /dns/policies/{id}. */
export type DnsPolicyBody = Omit<DnsPolicy, 'id' | 'metadata'>;

export interface Site {
  id: string;
  internalReference: string;
  name: string;
}

export interface Client {
  id: string;
  name?: string;
  /** Not in the Integration API's schema, but read by the legacy tool when `name` is empty. */
  hostname?: string;
  displayName?: string;
  ipAddress?: string;
  macAddress?: string;
  type: string;
}

export const OVERLAP_CODES = [
  'api.dns.policy.validation.overlap-with-local-dns',
  'api.dns.policy.validation.cname-alias-overlap',
] as const;

/** Exact duplicate of a policy the site has (captured on Network 10.2.105). */
export const RECORD_ALREADY_EXISTS = 'api.dns.policy.validation.record-already-exists';

/**
 * Whether a 400 refuses the record itself, so that the same create would be refused again: an
 * overlap, a duplicate, or a value the firmware will not take (`api.request.*`, e.g.
 * "ipv4Address must be valid IP format").
 */
export function refusesRecord(code: string | undefined): boolean {
  if (code === undefined) return false;
  return (OVERLAP_CODES as readonly string[]).includes(code) || code === RECORD_ALREADY_EXISTS || code.startsWith('api.request.');
}

/** A record type as tables and reasons show it: `A`, `AAAA`, `CNAME`, … */
export function shortType(type: string): string {
  return type.replace('_RECORD', '');
}
