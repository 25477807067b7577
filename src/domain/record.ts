import type { RecordType } from './policy.ts';
import { TTL_TYPES, type DnsPolicy, type DnsPolicyBody } from './policy.ts';

/**
 * A DNS record by identity (SPEC §4.2): `(type, domain, target)` in canonical form, and the
 * API fields that carry that identity, from which create bodies are made.
 */
export interface DnsRecord {
  id: string;
  type: RecordType;
  domain: string;
  target: string;
  /** type, domain and the type's target fields, canonical. */
  fields: Omit<DnsPolicyBody, 'enabled' | 'ttlSeconds'>;
}

/** What may differ between copies of one record: replicas follow the oldest origin's. */
export interface Attributes {
  enabled: boolean;
  /** A, AAAA and CNAME only. */
  ttlSeconds?: number;
}

// Loaded on first use: node:crypto takes 6 ms to load, and commands that only read records (history) never hash one.
let nodeCrypto: typeof import('node:crypto') | undefined;

/** Lowercase hex SHA-256 of "{type}:{domain}:{target}" — the legacy tool's formula. */
export function recordId(type: string, domain: string, target: string): string {
  nodeCrypto ??= process.getBuiltinModule('node:crypto');
  return nodeCrypto.createHash('sha256').update(`${type}:${domain}:${target}`).digest('hex');
}

/**
 * DNS folds case for ASCII letters only (RFC 4343): `İstanbul.lan` stays itself, and the Kelvin
 * sign of `\u212Aelvin.lan` is not the `k` of `kelvin.lan`. Full Unicode lowercasing would merge
 * names DNS keeps apart, and can lengthen them past what the API accepts.
 */
export function foldAscii(text: string): string {
  return text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}

export function canonicalDomain(domain: string): string {
  return foldAscii(domain.trim()).replace(/\.+$/, '');
}

/** RFC 5952 compressed lowercase form; the URL parser does exactly this normalisation. */
export function canonicalIpv6(address: string): string {
  try {
    return new URL(`http://[${address.trim()}]`).hostname.slice(1, -1);
  } catch {
    return address.trim().toLowerCase();
  }
}

/**
 * The record a policy holds, or null for what dnssync never syncs (FORWARD_DOMAIN).
 * Throws on a policy missing its type's fields; responses are validated before this.
 */
export function recordOf(policy: DnsPolicyBody): DnsRecord | null {
  const domain = canonicalDomain(policy.domain);
  const make = (fields: DnsRecord['fields'], target: string): DnsRecord => ({
    id: recordId(policy.type, domain, target),
    type: policy.type as RecordType,
    domain,
    target,
    fields,
  });
  switch (policy.type) {
    case 'A_RECORD': {
      const ipv4Address = policy.ipv4Address!.trim();
      return make({ type: policy.type, domain, ipv4Address }, ipv4Address);
    }
    case 'AAAA_RECORD': {
      const ipv6Address = canonicalIpv6(policy.ipv6Address!);
      return make({ type: policy.type, domain, ipv6Address }, ipv6Address);
    }
    case 'CNAME_RECORD': {
      const targetDomain = canonicalDomain(policy.targetDomain!);
      return make({ type: policy.type, domain, targetDomain }, targetDomain);
    }
    case 'MX_RECORD': {
      const mailServerDomain = canonicalDomain(policy.mailServerDomain!);
      const priority = policy.priority!;
      return make({ type: policy.type, domain, mailServerDomain, priority }, `${priority} ${mailServerDomain}`);
    }
    case 'TXT_RECORD':
      return make({ type: policy.type, domain, text: policy.text! }, policy.text!);
    case 'SRV_RECORD': {
      const { service, protocol, priority, weight, port } = policy as Required<DnsPolicy>;
      const serverDomain = canonicalDomain(policy.serverDomain!);
      return make(
        { type: policy.type, domain, serverDomain, service, protocol, priority, weight, port },
        `${service} ${protocol} ${priority} ${weight} ${port} ${serverDomain}`,
      );
    }
    default:
      return null;
  }
}

export function attributesOf(policy: DnsPolicyBody): Attributes {
  return policy.ttlSeconds === undefined || !hasTtl(policy.type) ? { enabled: policy.enabled } : { enabled: policy.enabled, ttlSeconds: policy.ttlSeconds };
}

export function sameAttributes(a: Attributes, b: Attributes): boolean {
  return a.enabled === b.enabled && a.ttlSeconds === b.ttlSeconds;
}

/**
 * The body that creates (or updates) `record` with `attributes`: only fields of its type. Network
 * 10.5.67 refuses `ttlSeconds` on MX, TXT and SRV as an unknown property (captured), whatever the
 * attributes carry (a legacy or older origin may have one).
 */
export function policyBody(record: DnsRecord, attributes: Attributes): DnsPolicyBody {
  if (attributes.ttlSeconds !== undefined && !hasTtl(record.type)) return { ...record.fields, enabled: attributes.enabled } as DnsPolicyBody;
  return { ...record.fields, ...attributes } as DnsPolicyBody;
}

function hasTtl(type: string): boolean {
  return (TTL_TYPES as readonly string[]).includes(type);
}
