import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import { canonicalDomain } from '../domain/record.ts';
import type { EventStatus } from '../domain/run.ts';
import type { NamedSite } from '../domain/site-names.ts';
import { SyncLock, type LockOptions } from './lock.ts';
import { statement } from './statements.ts';

export const EVENT_STATUSES: readonly EventStatus[] = ['CREATED', 'UPDATED', 'DELETED', 'SKIPPED', 'FAILED', 'DISCOVERED', 'ORPHANED', 'RESTORED'];

export interface HistoryFilter {
  /** A domain, exact or a glob (`*`, `?`). */
  record?: string;
  /** Site keys: those --site and --controller chose. */
  siteKeys?: number[];
  status?: EventStatus;
  runId?: number;
  /** ISO time: events at or after it. */
  since?: string;
  limit: number;
}

export interface HistoryEvent {
  id: number;
  timestamp: string;
  runId: number | null;
  status: EventStatus;
  type: string;
  domain: string;
  target: string;
  site: string | null;
  siteUuid: string | null;
  controller: string | null;
  reason: string | null;
}

/**
 * Whether a run's process is done with it. `finished`: it wrote its outcome. `running`: not yet,
 * and it holds the sync lock, beating. `interrupted`: not yet, and never will — the process died
 * (SIGKILL, OOM, power cut, a damaged file): the lock is no longer its own (another run took it,
 * or it was released or taken over) or it is stale.
 */
export type RunState = 'finished' | 'running' | 'interrupted';

export interface RunRow {
  id: number;
  startedAt: string;
  finishedAt: string | null;
  mode: string;
  host: string;
  pid: number;
  user: string;
  version: string;
  policy: string;
  /** As stored: null until the run finishes; a run stopped by a signal finishes as 'interrupted'. */
  outcome: string | null;
  state: RunState;
  exitCode: number | null;
  sitesOk: number;
  sitesFailed: number;
  /** What was done. */
  created: number;
  updated: number;
  deleted: number;
  skipped: number;
  failed: number;
  /** What the plan said, applied or not. */
  plannedCreate: number;
  plannedUpdate: number;
  plannedDelete: number;
  plannedSkip: number;
}

export interface RunFilter {
  runId?: number;
  since?: string;
  limit: number;
}

/** A site as --site and --controller choose among them. */
export interface HistorySite extends NamedSite {
  key: number;
}

/** `dnssync history`: who synced what, when. Every filter is served by an index (see schema.sql). */
export class HistoryRepository {
  private readonly db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.db = db;
  }

  /**
   * The SQL and parameters for a filter; exported through `explain` so tests can check the plan.
   * Newest first; a run's events in the order the run wrote them, newest first, which is their
   * time order (a run writes each event as it happens), read backwards along their ids: ordered by
   * time, the 400,000 events of an initial sync at L were sorted whole to show the last 50 (0.6 s).
   */
  eventsQuery(filter: HistoryFilter): { sql: string; params: SQLInputValue[] } {
    const { from, where, params } = eventsFrom(filter);
    const sql = `SELECT e.id, e.timestamp, e.run_id AS runId, e.status, e.type, e.domain, e.target,
        s.name AS site, s.uuid AS siteUuid, c.name AS controller, e.reason
      FROM ${from}
      LEFT JOIN sites s ON s.id = e.site_id
      LEFT JOIN controllers c ON c.host = s.controller_host
      ${where}
      ORDER BY ${filter.runId === undefined ? 'e.timestamp DESC, e.id DESC' : 'e.id DESC'}
      LIMIT ?`;
    return { sql, params: [...params, filter.limit] };
  }

  /**
   * How many events the filter matches, limit aside: the same index as the rows (the site and
   * controller joins only name what was found, so they are left out).
   */
  eventsCountQuery(filter: Omit<HistoryFilter, 'limit'>): { sql: string; params: SQLInputValue[] } {
    const { from, where, params } = eventsFrom(filter);
    return { sql: `SELECT count(*) AS n FROM ${from} ${where}`, params };
  }

  events(filter: HistoryFilter): HistoryEvent[] {
    const { sql, params } = this.eventsQuery(filter);
    return this.db.prepare(sql).all(...params) as unknown as HistoryEvent[];
  }

  eventsCount(filter: Omit<HistoryFilter, 'limit'>): number {
    const { sql, params } = this.eventsCountQuery(filter);
    return (this.db.prepare(sql).get(...params) as { n: number }).n;
  }

  /** EXPLAIN QUERY PLAN of a query, one line per step. */
  explain(sql: string, params: SQLInputValue[]): string[] {
    return (this.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>).map((r) => r.detail);
  }

  runsQuery(filter: RunFilter): { sql: string; params: SQLInputValue[] } {
    const { where, params } = runsWhere(filter);
    const sql = `SELECT id, started_at AS startedAt, finished_at AS finishedAt, mode, host, pid, user, version, policy, outcome,
        exit_code AS exitCode, sites_ok AS sitesOk, sites_failed AS sitesFailed, created, updated, deleted, skipped, failed,
        planned_create AS plannedCreate, planned_update AS plannedUpdate, planned_delete AS plannedDelete, planned_skip AS plannedSkip
      FROM runs ${where}
      ORDER BY started_at DESC, id DESC LIMIT ?`;
    return { sql, params: [...params, filter.limit] };
  }

  runsCountQuery(filter: Omit<RunFilter, 'limit'>): { sql: string; params: SQLInputValue[] } {
    const { where, params } = runsWhere(filter);
    return { sql: `SELECT count(*) AS n FROM runs ${where}`, params };
  }

  /**
   * The runs, each with its state. `self` is this process as a lock holder would be (host, pid),
   * for the same staleness rule as a sync's: a holder on this host whose pid is not running, or
   * any holder whose heartbeat is older than two minutes, holds nothing.
   */
  runs(filter: RunFilter, self: LockOptions): RunRow[] {
    const { sql, params } = this.runsQuery(filter);
    const rows = this.db.prepare(sql).all(...params) as unknown as Array<Omit<RunRow, 'state'>>;
    const live = rows.some((r) => r.finishedAt === null) ? this.liveRun(self) : null;
    return rows.map((r) => ({ ...r, state: r.finishedAt !== null ? 'finished' : r.id === live ? 'running' : 'interrupted' }));
  }

  runsCount(filter: Omit<RunFilter, 'limit'>): number {
    const { sql, params } = this.runsCountQuery(filter);
    return (this.db.prepare(sql).get(...params) as { n: number }).n;
  }

  /** The run that holds the sync lock and is alive, if any. */
  liveRun(self: LockOptions): number | null {
    const lock = statement(this.db, 'SELECT run_id AS runId, host, pid, acquired_at AS acquiredAt, heartbeat_at AS heartbeatAt FROM sync_lock WHERE id = 1').get() as
      | { runId: number | null; host: string; pid: number; acquiredAt: string; heartbeatAt: string }
      | undefined;
    if (!lock) return null;
    // Only the staleness rule is used: this lock object never takes or writes the lock.
    if (new SyncLock(this.db, '', self).isStale(lock)) return null;
    if (lock.runId !== null) return lock.runId;
    // A lock taken by a dnssync that did not name its run (or a moment before the run row exists,
    // or `orphans --prune`, which has none): the newest run of that process, if it began under
    // this lock.
    const run = statement(this.db, 'SELECT id, started_at AS startedAt FROM runs WHERE host = ? AND pid = ? ORDER BY id DESC LIMIT 1').get(lock.host, lock.pid) as
      | { id: number; startedAt: string }
      | undefined;
    return run && run.id === this.lastRunId() && Date.parse(run.startedAt) >= Date.parse(lock.acquiredAt) - LOCK_BEFORE_RUN_MS ? run.id : null;
  }

  /** Every site the database knows, with its controller, for --site and --controller. */
  sites(): HistorySite[] {
    return statement(
      this.db,
      `SELECT s.id AS key, s.controller_host AS controllerHost, coalesce(c.name, s.controller_host) AS controllerName,
         s.name, s.internal_reference AS internalReference, s.uuid
       FROM sites s LEFT JOIN controllers c ON c.host = s.controller_host ORDER BY s.id`,
    ).all() as unknown as HistorySite[];
  }

  /** Every controller the database knows: name and host. */
  controllers(): Array<{ name: string; host: string }> {
    return statement(this.db, 'SELECT name, host FROM controllers ORDER BY name, host').all() as unknown as Array<{ name: string; host: string }>;
  }

  private lastRunId(): number {
    return (statement(this.db, 'SELECT coalesce(max(id), 0) AS id FROM runs').get() as { id: number }).id;
  }
}

/**
 * A sync takes the lock a moment before it writes its run row, whose start time it read before
 * asking for the lock (which may wait on a busy file for up to 5 s).
 */
const LOCK_BEFORE_RUN_MS = 10_000;

/** FROM and WHERE of the events a filter matches. */
function eventsFrom(filter: Omit<HistoryFilter, 'limit'>): { from: string; where: string; params: SQLInputValue[] } {
  const where: string[] = [];
  const params: SQLInputValue[] = [];
  let from = 'sync_events e';
  if (filter.record !== undefined) {
    const domain = canonicalDomain(filter.record);
    const match = /[*?[]/.test(domain) ? 'domain GLOB ?' : 'domain = ?';
    // The domain index is site first (see schema.sql): the record's events are found with one
    // look-up per site, and one for the events of no site (ORPHANED, RESTORED). CROSS JOIN keeps
    // them the outer loop, where the planner might rather walk all events in time order.
    from = `(SELECT id FROM sync_events WHERE site_id IN (SELECT id FROM sites) AND ${match}
        UNION ALL SELECT id FROM sync_events WHERE site_id IS NULL AND ${match}) AS m
      CROSS JOIN sync_events e ON e.id = m.id`;
    params.push(domain, domain);
  }
  if (filter.siteKeys) {
    where.push(`e.site_id IN (${filter.siteKeys.map(() => '?').join(', ') || 'NULL'})`);
    params.push(...filter.siteKeys);
  }
  if (filter.status) {
    where.push('e.status = ?');
    params.push(filter.status);
    // The index by status holds every status but CREATED (schema.sql); SQLite uses a partial index
    // only where the query repeats its condition. CREATED events, nearly all of them, are found
    // along the time index when nothing narrower (a record, sites, a run) applies.
    if (filter.status !== 'CREATED') where.push("e.status <> 'CREATED'");
    else if (filter.record === undefined && !filter.siteKeys && filter.runId === undefined) from = 'sync_events e INDEXED BY sync_events_time';
  }
  if (filter.runId !== undefined) {
    // Along the ids the run's events got (schema.sql, runs): sync_events has no index by run.
    where.push(
      'e.run_id = ?',
      'e.id > (SELECT events_after FROM runs WHERE id = ?)',
      `e.id <= (SELECT coalesce(events_through, ${Number.MAX_SAFE_INTEGER}) FROM runs WHERE id = ?)`,
    );
    params.push(filter.runId, filter.runId, filter.runId);
  }
  if (filter.since) {
    where.push('e.timestamp >= ?');
    params.push(filter.since);
  }
  return { from, where: where.length ? `WHERE ${where.join(' AND ')}` : '', params };
}

function runsWhere(filter: Omit<RunFilter, 'limit'>): { where: string; params: SQLInputValue[] } {
  const where: string[] = [];
  const params: SQLInputValue[] = [];
  if (filter.runId !== undefined) {
    where.push('id = ?');
    params.push(filter.runId);
  }
  if (filter.since) {
    where.push('started_at >= ?');
    params.push(filter.since);
  }
  return { where: where.length ? `WHERE ${where.join(' AND ')}` : '', params };
}
