import type { DnsRecord } from './record.ts';

/** The API's limit on `domain` (integration-10.1.89/openapi-subset.json: 1–127 characters). */
export const MAX_DOMAIN_LENGTH = 127;
const TXT_STRING = 255;
const TXT_STRINGS = 4;

/**
 * Why a controller would refuse to create this record, or null. Rules of later firmware that the
 * 10.1.89 spec does not show (../shared/unifi/README.md, "Rules of later firmware"): every create
 * reloads the console's DNS server, so a write bound to be refused is never sent.
 */
export function unwritableReason(record: DnsRecord): string | null {
  if (record.domain === '') return 'the name is empty once canonical';
  if (record.domain.length > MAX_DOMAIN_LENGTH) return `the name is longer than the ${MAX_DOMAIN_LENGTH} characters the API accepts`;
  // Refused as "domain must be valid domain" (tested live, 10.5.67); a wildcard A is accepted.
  if (record.type === 'CNAME_RECORD' && record.domain.includes('*')) return 'the controller refuses a wildcard CNAME';
  if (record.type === 'TXT_RECORD') return txtProblem(record.target);
  return null;
}

/**
 * TXT text is either plain (no comma, no double quote) or one or more double-quoted strings; at
 * most four strings of 255 characters (spec field description since 10.1.89; DNSControl PR #4452).
 */
function txtProblem(text: string): string | null {
  let strings: number;
  if (text.startsWith('"')) {
    const quoted = text.match(/"[^"]*"/g) ?? [];
    if (quoted.join(' ') !== text.replace(/"\s+"/g, '" "')) return 'the controller refuses its TXT text: incorrectly quoted';
    if (quoted.some((q) => q.length - 2 > TXT_STRING)) return `the controller refuses its TXT text: a string longer than ${TXT_STRING} characters`;
    strings = quoted.length;
  } else {
    if (text.includes('"')) return 'the controller refuses its TXT text: incorrectly quoted';
    if (text.includes(',')) return 'the controller refuses its TXT text: a comma outside double quotes';
    strings = Math.ceil(text.length / TXT_STRING);
  }
  return strings > TXT_STRINGS ? `the controller refuses its TXT text: more than ${TXT_STRINGS} strings of ${TXT_STRING} characters` : null;
}
