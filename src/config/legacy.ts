/** The legacy tool's `controllers.json` array (shared/legacy/README.md), accepted unchanged. */
import { z } from 'zod';
import { raise, type Draft, type Report } from './build.ts';
import { formatPath } from './path.ts';
import { checkedString } from './schema.ts';
import type { Source } from './source.ts';
import type { RecordType } from '../domain/policy.ts';
import { legacyHostUrl, normalizeDomainSuffix, parseRecordType } from './values.ts';

/** One entry of the array; `dnssync check` validates each on its own too. */
export const legacyEntrySchema = z.strictObject({
  host: checkedString(legacyHostUrl),
  api_key: z.string(),
  site: z.string().nullish(),
  sync_dhcp_clients: z.boolean().nullish(),
  domain_suffix: checkedString(normalizeDomainSuffix).nullish(),
  // null marks FORWARD_DOMAIN, which the legacy tool may have been told to sync and dnssync never does.
  allowed_record_types: z.array(checkedString((t) => (t === 'FORWARD_DOMAIN' ? null : parseRecordType(t)))).nullish(),
  verify_ssl: z.boolean().nullish(),
});

export const legacySchema = z.array(legacyEntrySchema).min(1, 'empty list; at least one controller is needed');

const LEGACY_RECORD_TYPES: RecordType[] = ['A_RECORD', 'CNAME_RECORD'];

export function draftsFromLegacy(raw: z.output<typeof legacySchema>, source: Source, report: Report = raise): { drafts: Draft[]; warnings: string[] } {
  const warnings: string[] = [];
  const drafts = raw.map((c, i) => draftFromLegacy(c, i, source, warnings, report));
  return { drafts, warnings };
}

/** One entry of the array. */
export function draftFromLegacy(c: z.output<typeof legacyEntrySchema>, i: number, source: Source, warnings: string[], report: Report = raise): Draft {
  const at = [i];
  const name = c.host.host;
  const where = (key: string) => formatPath([i, key]);
  const enabled = c.sync_dhcp_clients ?? false;
  if (enabled && c.domain_suffix == null) report(source.error([i, 'domain_suffix'], 'required when sync_dhcp_clients is true'));
  let recordTypes = c.allowed_record_types ?? LEGACY_RECORD_TYPES;
  if (recordTypes.includes(null)) {
    warnings.push(`${where('allowed_record_types')}: FORWARD_DOMAIN is never synced; ignored`);
    recordTypes = recordTypes.filter((t) => t !== null);
    if (recordTypes.length === 0) report(source.error([i, 'allowed_record_types'], 'no record type left to sync'));
  }
  warnings.push(
    `${where('api_key')}: API key inline in the legacy controllers.json; move it to a file and use apiKeyFile (see the README on converting to dnssync.yaml)`,
  );
  if (c.site != null) warnings.push(`${where('site')}: ignored; every site of controller ${name} is synced (use sites: in dnssync.yaml to choose)`);
  const verify = c.verify_ssl ?? false;
  if (!verify) {
    const why = c.verify_ssl === false ? 'verify_ssl is false' : 'verify_ssl is absent, and the legacy default is false';
    warnings.push(`${where('verify_ssl')}: ${why}, so TLS certificate verification is off for controller ${name}; set verify_ssl: true or use tls.caFile / tls.fingerprint in dnssync.yaml`);
  }
  return {
    at,
    fields: { url: 'host', recordTypes: 'allowed_record_types' },
    name,
    url: c.host.url,
    host: c.host.host,
    key: { source: 'inline', value: c.api_key, path: [i, 'api_key'] },
    tls: { verify },
    sites: null,
    excludeSites: [],
    recordTypes: [...new Set(recordTypes as RecordType[])],
    clients: { enabled, domainSuffix: c.domain_suffix ?? '' },
    // No originScope: the legacy tool kept a record off its own site only, which is sync.originScope's default.
  };
}
