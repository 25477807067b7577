import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { PlanCounts, RunCounts } from '../domain/run.ts';

export interface RunSummary {
  id: number;
  mode: string;
  startedAt: string;
  finishedAt: string | null;
  outcome: string | null;
  exitCode: number | null;
  /** What the plan said, applied or not. */
  planned: PlanCounts;
  /** What was done. */
  done: RunCounts;
  sitesOk: number;
  sitesFailed: number;
}

export interface ControllerRow {
  host: string;
  name: string;
  url: string;
  version: string | null;
  /** The start of the last run that read it (SPEC: last successful discovery). */
  lastContact: string | null;
}

export interface SiteRow {
  key: number;
  controllerHost: string;
  controller: string;
  name: string;
  internalReference: string;
  uuid: string;
  /** Records that exist natively there. */
  origins: number;
  /** Policies dnssync created there. */
  replicas: number;
  /** The start of the last run that read its policies. */
  lastSynced: string | null;
  goneAt: string | null;
}

export interface RefusalRow {
  controller: string;
  site: string;
  siteUuid: string;
  type: string;
  domain: string;
  target: string;
  code: string;
  message: string;
  /** The first refusal. */
  refusedAt: string;
  /** The last create sent. */
  triedAt: string;
}

/** What `dnssync status` shows: read from the database alone, no controller asked. */
export class StatusRepository {
  readonly #lastRun: StatementSync;
  readonly #lastFinishedRun: StatementSync;
  readonly #controllers: StatementSync;
  readonly #sites: StatementSync;
  readonly #refusals: StatementSync;

  constructor(db: DatabaseSync) {
    const run = `SELECT id, mode, started_at AS startedAt, finished_at AS finishedAt, outcome, exit_code AS exitCode,
        planned_create, planned_update, planned_delete, planned_skip, created, updated, deleted, skipped, failed,
        sites_ok AS sitesOk, sites_failed AS sitesFailed
      FROM runs`;
    // Newest first along runs_started: the last rows of the index, not a scan of every run.
    this.#lastRun = db.prepare(`${run} ORDER BY started_at DESC, id DESC LIMIT 1`);
    this.#lastFinishedRun = db.prepare(`${run} WHERE finished_at IS NOT NULL ORDER BY started_at DESC, id DESC LIMIT 1`);
    this.#controllers = db.prepare('SELECT host, name, url, app_version AS version, last_contact AS lastContact FROM controllers ORDER BY name, host');
    // Counted per site through record_origins_site and the replicas' primary key (site first).
    this.#sites = db.prepare(
      `SELECT s.id AS key, s.controller_host AS controllerHost, c.name AS controller, coalesce(s.name, s.uuid) AS name,
         coalesce(s.internal_reference, '') AS internalReference, s.uuid,
         (SELECT count(*) FROM record_origins o WHERE o.site_id = s.id) AS origins,
         (SELECT count(*) FROM replicas r WHERE r.site_id = s.id) AS replicas,
         s.last_synced AS lastSynced, s.gone_at AS goneAt
       FROM sites s JOIN controllers c ON c.host = s.controller_host
       ORDER BY c.name, s.controller_host, s.name, s.uuid`,
    );
    this.#refusals = db.prepare(
      `SELECT c.name AS controller, coalesce(s.name, s.uuid) AS site, s.uuid AS siteUuid, d.type, d.domain, d.target,
         r.code, r.message, r.refused_at AS refusedAt, r.tried_at AS triedAt
       FROM refusals r
       JOIN sites s ON s.id = r.site_id
       JOIN controllers c ON c.host = s.controller_host
       JOIN dns_records d ON d.id = r.record_id
       ORDER BY r.refused_at, c.name, s.name, d.domain, d.type, d.target`,
    );
  }

  /** The newest run, finished or not (a sync running now, or one that died). */
  lastRun(): RunSummary | null {
    return summary(this.#lastRun.get());
  }

  /** The newest run that finished: the one whose reads tell which controllers and sites it reached. */
  lastFinishedRun(): RunSummary | null {
    return summary(this.#lastFinishedRun.get());
  }

  controllers(): ControllerRow[] {
    return this.#controllers.all() as unknown as ControllerRow[];
  }

  sites(): SiteRow[] {
    return this.#sites.all() as unknown as SiteRow[];
  }

  /** Creates a controller refused, still remembered: the plan skips them until their cause goes. */
  refusals(): RefusalRow[] {
    return this.#refusals.all() as unknown as RefusalRow[];
  }
}

/** A run row as selected above: the counts in their columns, grouped by summary(). */
type RunColumns = Omit<RunSummary, 'planned' | 'done'> &
  Record<'planned_create' | 'planned_update' | 'planned_delete' | 'planned_skip' | keyof RunCounts, number>;

function summary(row: unknown): RunSummary | null {
  if (row === undefined) return null;
  const { planned_create, planned_update, planned_delete, planned_skip, created, updated, deleted, skipped, failed, ...run } = row as RunColumns;
  return {
    ...run,
    planned: { create: planned_create, update: planned_update, delete: planned_delete, skip: planned_skip },
    done: { created, updated, deleted, skipped, failed },
  };
}
