/** What a legacy conversion or import did, for `migrate` (text or JSON) and for other commands' log. */
import type { Logger } from '../log/logger.ts';
import type { NotImported, Repairs, SharedSiteSummary } from './conversion.ts';
import type { TableCounts } from './write.ts';

export interface LegacySummary {
  /** `in-place`: the database file itself was the legacy one; `import`: `migrate --import-legacy`. */
  mode: 'in-place' | 'import';
  /** The dnssync database written. */
  database: string;
  /** The legacy file read. */
  source: string;
  /** The backup copy of the legacy file (in-place only). */
  backup: string | null;
  /** When (ISO): also the orphan time of records left without an origin. */
  at: string;
  imported: TableCounts;
  alreadyPresent: TableCounts;
  /** Pairs the database already knew the other way round (origin vs replica): kept as known. */
  keptAsKnown: number;
  repaired: Repairs;
  notImported: NotImported;
  warnings: string[];
}

export function summaryWarnings(summary: Omit<LegacySummary, 'warnings'>): string[] {
  const warnings: string[] = [];
  const keys = summary.repaired.keysDropped;
  if (summary.backup && keys > 0) {
    warnings.push(`the backup ${summary.backup} still holds the plain-text API keys of the legacy tool: delete it once you are satisfied with the conversion`);
  }
  if (summary.mode === 'import' && keys > 0) {
    warnings.push(`${summary.source} still holds the plain-text API keys of the legacy tool: delete it once you are satisfied with the import`);
  }
  const undecided = summary.repaired.sharedSite?.undecided ?? [];
  if (undecided.length > 0) {
    warnings.push(
      `${plural(undecided.length, 'record')} at the shared default site cannot be told from the legacy file (a time it cannot read): their policies there are treated as native, never deleted, until you remove the ones the legacy tool made: ${undecided.map((u) => `${u.type} ${u.domain} ${u.target}`).join(', ')}`,
    );
  }
  const orphans = summary.repaired.orphaned.length;
  if (orphans > 0) {
    warnings.push(
      `${plural(orphans, 'record')} had a copy at every site and no origin left (see 'dnssync orphans'); their replicas are deleted after sync.orphanGracePeriod unless the next sync finds a native policy`,
    );
  }
  return warnings;
}

/** The summary as lines of text, for `migrate`. */
export function summaryLines(s: LegacySummary): string[] {
  const lines: string[] = [];
  const r = s.repaired;
  if (s.mode === 'in-place') {
    lines.push(`converted the legacy unifi-dns-sync database ${s.database} in place`);
    if (s.backup) lines.push(`backup of the legacy file: ${s.backup}`);
  } else {
    lines.push(`imported the legacy unifi-dns-sync database ${s.source} into ${s.database} (the legacy file is unchanged)`);
  }
  lines.push(`imported: ${counts(s.imported)}`);
  const present = Object.values(s.alreadyPresent).some((n) => n > 0);
  if (present) lines.push(`already present, kept as they were: ${counts(s.alreadyPresent)}`);
  if (s.keptAsKnown > 0) lines.push(`kept as this database knew them: ${plural(s.keptAsKnown, 'record-site pair')} recorded the other way round (origin vs replica)`);

  const repaired = [
    r.idsRecomputed && `${plural(r.idsRecomputed, 'record id')} recomputed from record_raw${r.targetsRecovered ? ` (${plural(r.targetsRecovered, 'NULL target')} recovered)` : ''}`,
    r.duplicatesMerged && `${plural(r.duplicatesMerged, 'duplicate record')} merged (same record after canonical case and trailing dot)`,
    r.rebuiltFromColumns && `${plural(r.rebuiltFromColumns, 'record')} rebuilt from the legacy columns (record_raw unusable)`,
    r.copiesToReplicas && `${plural(r.copiesToReplicas, 'copy', 'copies')} made by the legacy tool but recorded as origins turned into replicas (policy ids learnt by identity on the next sync)`,
    r.createdNeverSeen && `${plural(r.createdNeverSeen, 'CREATED event')} never followed by a sighting (e.g. refused with an overlap error): replicas only if the next sync finds the policy`,
    r.createdAgain &&
      `${plural(r.createdAgain, 'record')} created more than once at a site (the legacy tool read only the first 25 policies of a site, and created again what it could not see; or the controller refused the create): the first sync keeps one copy as the replica and deletes the others, under sync.maxDeletePercent (a refused run shows them in its plan; --force applies it)`,
    r.keysDropped && `${plural(r.keysDropped, 'plain-text API key')} dropped (fingerprints kept)`,
    r.hostsNormalised.length && `${plural(r.hostsNormalised.length, 'controller host')} normalised (${r.hostsNormalised.map((h) => `${h.from} → ${h.to}`).join(', ')})`,
    r.timestampsConverted && `${plural(r.timestampsConverted, 'timestamp')} read as UTC and converted to ISO 8601`,
    r.statusesRenamed && `${plural(r.statusesRenamed, 'DISCOVERY event')} renamed DISCOVERED`,
    r.eventsWithoutSite && `${plural(r.eventsWithoutSite, 'event')} of a site the legacy file does not know kept without a site`,
    r.eventsOfSkippedRecords && `${plural(r.eventsOfSkippedRecords, 'event')} of records not imported kept as history`,
    r.orphaned.length && `${plural(r.orphaned.length, 'record')} with no origin left marked orphaned: ${r.orphaned.map((o) => `${o.type} ${o.domain}`).join(', ')}`,
    r.sharedSite && sharedLine(r.sharedSite),
  ].filter((line): line is string => typeof line === 'string');
  if (repaired.length > 0) lines.push('repaired:', ...repaired.map((line) => `  ${line}`));

  const n = s.notImported;
  const dropped = [
    ...n.records.map((x) => `record ${x.type ?? '?'} ${x.domain ?? '?'} (legacy id ${x.legacyId.slice(0, 12)}): ${x.reason}`),
    ...n.controllers.map((x) => `controller '${x.host}': ${x.reason}`),
    ...n.sites.map((x) => `site ${x.uuid}: ${x.reason}`),
    ...Object.entries(n.origins).map(([reason, k]) => `${plural(k, 'origin')} ${reason}`),
    ...Object.entries(n.events).map(([reason, k]) => `${plural(k, 'event')} ${reason}`),
    ...(n.unreadableTimestamps ? [`${plural(n.unreadableTimestamps, 'event time')} unreadable: those events are kept, dated at the conversion`] : []),
  ];
  if (dropped.length > 0) lines.push('not imported:', ...dropped.map((line) => `  ${line}`));
  for (const warning of s.warnings) lines.push(`warning: ${warning}`);
  return lines;
}

/** For commands other than `migrate`: one info line (stderr), and the warnings. */
export function logLegacySummary(logger: Logger, s: LegacySummary): void {
  const r = s.repaired;
  logger.info(s.mode === 'in-place' ? 'converted the legacy unifi-dns-sync database' : 'imported a legacy unifi-dns-sync database', {
    database: s.database,
    backup: s.backup ?? undefined,
    records: s.imported.records,
    origins: s.imported.origins,
    replicas: s.imported.replicas,
    events: s.imported.events,
    idsRecomputed: r.idsRecomputed,
    duplicatesMerged: r.duplicatesMerged,
    copiesToReplicas: r.copiesToReplicas,
    keysDropped: r.keysDropped,
    recordsNotImported: s.notImported.records.length,
  });
  for (const warning of s.warnings) logger.warn(warning);
}

function counts(c: TableCounts): string {
  return [
    plural(c.controllers, 'controller'),
    plural(c.sites, 'site'),
    plural(c.records, 'record'),
    plural(c.origins, 'origin'),
    plural(c.replicas, 'replica'),
    plural(c.events, 'event'),
  ].join(', ');
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function sharedLine(s: SharedSiteSummary): string {
  return (
    `${plural(s.events, 'event')} and the origins of ${plural(s.replica + s.native + s.undecided.length, 'record')} at ${s.uuid}, the default site of every console, ` +
    `kept as evidence: the first sync decides at each console's default site (${s.controllers.join(', ')}): ` +
    `${plural(s.replica, 'record')} the legacy tool created there (its copies become replicas), ${s.native} seen there first (native), ${s.undecided.length} undecided`
  );
}
