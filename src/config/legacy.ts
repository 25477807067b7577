/**
 * The legacy tool's `controllers.json` array (shared/legacy/README.md), accepted unchanged: every
 * file the tool accepted is accepted, and means what it meant to the tool.
 */
import { raise, type Draft, type Report } from './build.ts';
import { formatPath } from './path.ts';
import { checkedString } from './schema.ts';
import { boolean, list, looseMapping, string, type Output } from './shape.ts';
import type { Source } from './source.ts';
import { RECORD_TYPES, type RecordType } from '../domain/policy.ts';
import { DEFAULT_SYNC } from './types.ts';
import { legacyHostUrl, normalizeDomainSuffix } from './values.ts';

const KNOWN_KEYS = ['host', 'api_key', 'site', 'sync_dhcp_clients', 'domain_suffix', 'allowed_record_types', 'verify_ssl'];

/** One entry of the array; `dnssync check` validates each on its own too. Loose: the tool read the keys it knew with dict.get and never looked at the others. */
export const legacyEntrySchema = looseMapping({
  host: checkedString(legacyHostUrl),
  api_key: string(),
  site: string().nullish(),
  sync_dhcp_clients: boolean().nullish(),
  domain_suffix: checkedString(normalizeDomainSuffix).nullish(),
  allowed_record_types: list(string()).nullish(),
  verify_ssl: boolean().nullish(),
});

export const legacySchema = list(legacyEntrySchema).min(1, 'empty list; at least one controller is needed');

/** The legacy default of `allowed_record_types`. */
const LEGACY_READ_TYPES: RecordType[] = ['A_RECORD', 'CNAME_RECORD'];

export function draftsFromLegacy(raw: Output<typeof legacySchema>, source: Source, report: Report = raise): { drafts: Draft[]; warnings: string[] } {
  const warnings: string[] = [];
  const drafts = raw.map((c, i) => draftFromLegacy(c, i, source, warnings, report));
  return { drafts, warnings };
}

/** One entry of the array. Nothing the tool accepted is refused: what dnssync reads differently is warned about. */
export function draftFromLegacy(c: Output<typeof legacyEntrySchema>, i: number, _source: Source, warnings: string[], _report: Report = raise): Draft {
  const at = [i];
  const name = c.host.host;
  const where = (key: string) => formatPath([i, key]);
  for (const key of Object.keys(c).filter((k) => !KNOWN_KEYS.includes(k))) {
    warnings.push(`${where(key)}: unknown key, ignored (as the legacy tool did)`);
  }
  const enabled = c.sync_dhcp_clients ?? false;
  if (enabled && c.domain_suffix == null) {
    warnings.push(`${where('sync_dhcp_clients')}: no domain_suffix, so client names get no suffix (as with the legacy tool)`);
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
    // The tool wrote every type it had read anywhere to every controller: see legacyWriteTypes.
    recordTypes: null,
    readTypes: readTypes(c.allowed_record_types, where('allowed_record_types'), name, warnings),
    clients: { enabled, domainSuffix: c.domain_suffix ?? '', naming: 'legacy' },
    // No originScope: the legacy tool kept a record off its own site only, which is sync.originScope's default.
  };
}

/**
 * `allowed_record_types` filtered what the tool read from a controller: a type it does not know
 * matched nothing, FORWARD_DOMAIN is never synced by dnssync; both are ignored with a warning.
 */
function readTypes(given: string[] | null | undefined, where: string, name: string, warnings: string[]): RecordType[] {
  if (given == null) return [...LEGACY_READ_TYPES];
  const types: RecordType[] = [];
  for (const type of given) {
    if ((RECORD_TYPES as readonly string[]).includes(type)) {
      if (!types.includes(type as RecordType)) types.push(type as RecordType);
    } else if (type === 'FORWARD_DOMAIN') warnings.push(`${where}: FORWARD_DOMAIN is never synced; ignored`);
    else warnings.push(`${where}: unknown record type "${type}" ignored (it matched no policy in the legacy tool either)`);
  }
  if (types.length === 0) warnings.push(`${where}: no record type is read from controller ${name}, as with the legacy tool; it still receives the records of the others`);
  return types;
}

/**
 * The types dnssync writes under a legacy config: the default ones and every type some controller
 * is read for, which the tool could have copied to every controller.
 */
export function legacyWriteTypes(drafts: readonly Draft[]): RecordType[] {
  const wanted = new Set<RecordType>([...DEFAULT_SYNC.recordTypes, ...drafts.flatMap((d) => d.readTypes ?? [])]);
  return RECORD_TYPES.filter((t) => wanted.has(t));
}

/** One warning when the controllers are read for different types: some records then travel one way only. */
export function readTypesWarning(drafts: readonly Draft[], written: readonly RecordType[]): string | undefined {
  const lists = drafts.map((d) => (d.readTypes ?? written).join(', '));
  if (new Set(lists).size <= 1) return undefined;
  // Point at one that is not read for the legacy default: that is where a list was written.
  const odd = drafts.find((_d, i) => lists[i] !== LEGACY_READ_TYPES.join(', ')) ?? drafts[0]!;
  const list = drafts.map((d, i) => `${d.name}: ${lists[i] || 'none'}`).join('; ');
  return `${formatPath([...odd.at, odd.fields.recordTypes])}: as with the legacy tool, allowed_record_types says which types are read from each controller (${list}); every controller still receives ${written.join(', ')} from the others`;
}
