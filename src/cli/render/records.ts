import type { Settings } from '../../config/types.ts';
import { DEFAULT_SYNC } from '../../config/types.ts';
import { shortType, type RecordType } from '../../domain/policy.ts';
import type { KnownRefusal } from '../../domain/state.ts';
import { recordFilter, siteSelector } from '../../planner/filters.ts';
import { NOT_WANTED, refusedReason } from '../../planner/plan.ts';
import { controllerScoped } from '../../planner/scope.ts';
import type { LastEvent, PlaceSite, RecordRow } from '../../store/records.ts';
import type { Output } from '../output.ts';
import { tableTime } from './time.ts';
import { replicasGo } from './orphan-fate.ts';

export interface RecordsInput {
  config: Settings | null;
  records: RecordRow[];
  /** Every site the database knows, in order. */
  sites: PlaceSite[];
  /** The keys of the sites to show (--site), or null for all. */
  only: ReadonlySet<number> | null;
  originSites(record: RecordRow): Set<number>;
  replicaSites(record: RecordRow): Map<number, string | null>;
  refusals: Map<number, Map<string, KnownRefusal>>;
  lastEvent(siteKey: number, record: RecordRow): LastEvent | null;
  /** Start of the last finished run: a site it did not read got nothing from it. */
  lastRunStartedAt: string | null;
  now: number;
  /**
   * `controllerHost|uuid|recordId` of policies the legacy conversion's evidence could not tell
   * apart (the tool's copy, or native): kept as native, never deleted (issue 17).
   */
  undecided: ReadonlySet<string>;
}

/** The note on a policy whose legacy evidence decided nothing. */
export const UNDECIDED = 'legacy evidence undecided (the tool\'s copy or native): kept as native, never deleted';

/** Events that say why a site does not hold a record: the planner's skip, a failed create, a delete. */
const TELLING = new Set(['SKIPPED', 'FAILED', 'DELETED']);

/**
 * Each record with every site: whether it is an origin there or holds a replica, and for a site
 * with neither, why, as far as the database (and the config, when there is one) can say. Times in
 * the reasons are written with `time`: ISO UTC for JSON, local time for a table.
 */
export function recordPlaces(input: RecordsInput, time: (iso: string) => string) {
  const { config } = input;
  const sync = config?.sync ?? DEFAULT_SYNC;
  const settings = config && {
    controllers: new Map(config.controllers.map((c) => [c.host, c])),
    passes: recordFilter(config.sync),
    scoped: controllerScoped(config),
  };
  const hostOf = new Map(input.sites.map((s) => [s.key, s.controllerHost]));

  /**
   * What the config says against this site having the record, or null (also with no config).
   * `deletes`: a replica there is one the next sync deletes (not so on a site it leaves out, which
   * gets no writes at all).
   */
  const configReason = (site: PlaceSite, record: RecordRow, origins: Set<number>): { reason: string; deletes: boolean } | null => {
    if (!settings) return null;
    const controller = settings.controllers.get(site.controllerHost);
    if (!controller) return { reason: 'its controller is not in the config', deletes: false };
    if (!siteSelector(controller)({ id: site.uuid, name: site.name, internalReference: site.internalReference })) {
      return { reason: 'the config leaves the site out (sites/excludeSites)', deletes: false };
    }
    const types: readonly RecordType[] = controller.recordTypes ?? sync.recordTypes;
    if (!settings.passes(record, types)) return { reason: NOT_WANTED.filtered, deletes: true };
    if (settings.scoped.has(site.controllerHost) && [...origins].some((key) => hostOf.get(key) === site.controllerHost)) {
      return { reason: NOT_WANTED.sameController, deletes: true };
    }
    return null;
  };

  const orphanNote = (record: RecordRow, replicas: number): string => {
    const fate = replicasGo(record.orphanedAt!, replicas, sync, input.now);
    const since = `orphaned since ${time(record.orphanedAt!)}`;
    if (fate === '-') return since;
    if (fate === 'now') return `${since}, replicas go at the next sync`;
    if (fate.startsWith('held')) return `${since}, replicas ${fate}`;
    return `${since}, replicas go at ${time(fate)}`;
  };

  const whyNot = (site: PlaceSite, record: RecordRow, origins: Set<number>, replicas: number): string | null => {
    const refusal = input.refusals.get(site.key)?.get(record.id);
    if (refusal) return refusedReason(refusal);
    if (record.orphanedAt) return orphanNote(record, replicas);
    const configured = configReason(site, record, origins);
    if (configured) return configured.reason;
    const event = input.lastEvent(site.key, record);
    if (event && TELLING.has(event.status)) return `${event.status.toLowerCase()} ${event.timestamp.slice(0, 10)}${event.reason ? `: ${event.reason}` : ''}`;
    if (site.lastSynced === null) return 'the site has never been read';
    if (input.lastRunStartedAt !== null && site.lastSynced < input.lastRunStartedAt) return `the last run could not read the site (last read ${time(site.lastSynced)})`;
    return null;
  };

  /** A note on a site that holds the record: what the next sync does about it, when the database says. */
  const holding = (site: PlaceSite, record: RecordRow, origin: boolean, pending: string | null | undefined, origins: Set<number>, replicas: number): string | null => {
    if (site.goneAt) return `the site is gone (since ${time(site.goneAt)})`;
    if (origin && input.undecided.has(`${site.controllerHost}|${site.uuid}|${record.id}`)) return UNDECIDED;
    if (pending === undefined) return null; // an origin, and no replica: as it should be
    if (pending) return `${pending} pending: a run stopped before its outcome; the next sync settles it`;
    if (origin) return `${NOT_WANTED.native}; the next sync deletes the replica`;
    if (record.orphanedAt) return orphanNote(record, replicas);
    const surplus = configReason(site, record, origins);
    if (!surplus) return null;
    if (!surplus.deletes) return `${surplus.reason}: no sync touches its replica`;
    return sync.policy === 'sync' ? `${surplus.reason}; the next sync deletes it` : `${surplus.reason}; kept under policy ${sync.policy}`;
  };

  // With --site, a record with nothing to say there (a gone site it never was at) has no row.
  return input.records.flatMap((record) => {
    const origins = input.originSites(record);
    const replicas = input.replicaSites(record);
    const sites = input.sites.flatMap((site) => {
      if (input.only && !input.only.has(site.key)) return [];
      const origin = origins.has(site.key);
      const replica = replicas.has(site.key);
      if (!origin && !replica && site.goneAt) return [];
      const pending = replica ? replicas.get(site.key) : undefined;
      const reason = origin || replica ? holding(site, record, origin, pending, origins, replicas.size) : whyNot(site, record, origins, replicas.size);
      return [
        {
          controller: site.controller,
          name: site.name,
          internalReference: site.internalReference,
          uuid: site.uuid,
          origin,
          replica,
          ...(pending && { pending }),
          reason,
        },
      ];
    });
    if (sites.length === 0 && input.only) return [];
    return {
      type: record.type,
      domain: record.domain,
      target: record.target,
      firstSeen: record.firstSeen,
      orphanedAt: record.orphanedAt,
      ...(record.orphanedAt && { replicasGo: replicasGo(record.orphanedAt, replicas.size, sync, input.now) }),
      sites,
    };
  });
}

export type RecordPlaces = ReturnType<typeof recordPlaces>;

export function recordsJson(input: RecordsInput): unknown {
  return { configFile: input.config?.file ?? null, records: recordPlaces(input, (iso) => iso) };
}

/**
 * One row per record and site, the record named on its first row only: the sites of a record read
 * as a group, and "why not at Lab?" is the row of Lab.
 */
export function renderRecords(input: RecordsInput, output: Output, empty: string): void {
  const records = recordPlaces(input, tableTime);
  if (records.length === 0) {
    output.line(empty);
    return;
  }
  const { style } = output;
  const rows = records.flatMap((r) =>
    r.sites.map((s, i) => {
      const holds = [s.origin && 'origin', s.replica && 'replica'].filter(Boolean).join(', ');
      return [
        i === 0 ? shortType(r.type) : '',
        i === 0 ? r.domain : '',
        i === 0 ? r.target : '',
        `${s.controller} / ${s.name}`,
        holds ? style.green(holds) : style.gray('-'),
        s.reason ?? (holds ? '' : 'no reason recorded'),
      ];
    }),
  );
  output.table(['type', 'domain', 'target', 'site', 'holds', 'why not / note'], rows);
  if (!input.config) output.line(style.gray('no config file found: reasons that only the config can give (filters, originScope, excluded sites) are not shown'));
}
