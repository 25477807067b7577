/** Pure checks of single config values. Each throws a plain Error whose message never quotes a secret. */
import { RECORD_TYPES, type RecordType } from '../domain/policy.ts';
import { foldAscii } from '../domain/record.ts';

/** Origin of a controller URL; refuses anything that would make `url + '/proxy/...'` ambiguous. */
export function normalizeUrl(text: string): { url: string; host: string } {
  let u: URL;
  try {
    u = new URL(text.trim());
  } catch {
    throw new Error('not a URL; expected e.g. https://10.0.0.1 or https://host:11443');
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error(`scheme must be https or http, not ${u.protocol.slice(0, -1)}`);
  if (!u.hostname) throw new Error('URL has no host');
  // Credentials in a URL would end up in logs and the database; the key has its own fields.
  if (u.username || u.password) throw new Error('URL must not contain a user name or password');
  if (u.pathname !== '/' && u.pathname !== '') throw new Error('URL must have no path (give the console, e.g. https://10.0.0.1)');
  if (u.search || u.hash || text.includes('?') || text.includes('#')) throw new Error('URL must have no query or fragment');
  return { url: u.origin, host: u.host };
}

/** `sha256:` prefix and colons optional, any case → `sha256:AB:CD:...` (32 bytes). */
export function normalizeFingerprint(text: string): string {
  const hex = text.trim().replace(/^sha256:/i, '').replaceAll(':', '');
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
    throw new Error('not a SHA-256 certificate fingerprint; expected 32 hex bytes, e.g. sha256:AB:CD:... (prefix and colons optional)');
  }
  return 'sha256:' + hex.toUpperCase().match(/../g)!.join(':');
}

export function parseRecordType(text: string): RecordType {
  if (text === 'FORWARD_DOMAIN') throw new Error('FORWARD_DOMAIN is never synced');
  if ((RECORD_TYPES as readonly string[]).includes(text)) return text as RecordType;
  throw new Error(`unknown record type "${text}"; expected one of ${RECORD_TYPES.join(', ')}`);
}

/** Domains are compared with ASCII letters lowercased, without a trailing dot (SPEC 4.2), so filters are stored that way. */
export function normalizeDomainPattern(text: string): string {
  const d = foldAscii(text.trim()).replace(/\.$/, '');
  if (d === '' || /\s/.test(d)) throw new Error('not a domain pattern; expected e.g. *.home.arpa');
  return d;
}

export function normalizeDomainSuffix(text: string): string {
  const d = foldAscii(text.trim()).replace(/^\./, '').replace(/\.$/, '');
  if (!/^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/.test(d)) throw new Error('not a domain name; expected e.g. home.arpa');
  return d;
}

/** The legacy tool built `https://{host}/proxy/...`, so host is a name or IP with an optional port. */
export function legacyHostUrl(host: string): { url: string; host: string } {
  const h = host.trim();
  if (h === '' || /[/?#@\s]/.test(h)) throw new Error('expected a host name or IP address, optionally with :port');
  // A bare IPv6 address needs brackets to become a URL.
  return normalizeUrl(`https://${(h.match(/:/g)?.length ?? 0) > 1 && !h.startsWith('[') ? `[${h}]` : h}`);
}
