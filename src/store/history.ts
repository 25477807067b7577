import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import { canonicalDomain } from '../domain/record.ts';
import type { EventStatus } from '../domain/run.ts';

export const EVENT_STATUSES: readonly EventStatus[] = ['CREATED', 'UPDATED', 'DELETED', 'SKIPPED', 'FAILED', 'DISCOVERED', 'ORPHANED', 'RESTORED'];

export interface HistoryFilter {
  /** A domain, exact or a glob (`*`, `?`). */
  record?: string;
  /** Site keys (a name may match a site on several controllers). */
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
  outcome: string | null;
  exitCode: number | null;
  sitesOk: number;
  sitesFailed: number;
  created: number;
  updated: number;
  deleted: number;
  skipped: number;
  failed: number;
}

/** `dnssync history`: who synced what, when. Every filter is served by an index (see schema.sql). */
export class HistoryRepository {
  private readonly db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.db = db;
  }

  /** The SQL and parameters for a filter; exported through `explain` so tests can check the plan. */
  eventsQuery(filter: HistoryFilter): { sql: string; params: SQLInputValue[] } {
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
    }
    if (filter.runId !== undefined) {
      where.push('e.run_id = ?');
      params.push(filter.runId);
    }
    if (filter.since) {
      where.push('e.timestamp >= ?');
      params.push(filter.since);
    }
    const sql = `SELECT e.id, e.timestamp, e.run_id AS runId, e.status, e.type, e.domain, e.target,
        s.name AS site, s.uuid AS siteUuid, c.name AS controller, e.reason
      FROM ${from}
      LEFT JOIN sites s ON s.id = e.site_id
      LEFT JOIN controllers c ON c.host = s.controller_host
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY e.timestamp DESC, e.id DESC
      LIMIT ?`;
    return { sql, params: [...params, filter.limit] };
  }

  events(filter: HistoryFilter): HistoryEvent[] {
    const { sql, params } = this.eventsQuery(filter);
    return this.db.prepare(sql).all(...params) as unknown as HistoryEvent[];
  }

  /** EXPLAIN QUERY PLAN of a query, one line per step. */
  explain(sql: string, params: SQLInputValue[]): string[] {
    return (this.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>).map((r) => r.detail);
  }

  runsQuery(filter: { runId?: number; since?: string; limit: number }): { sql: string; params: SQLInputValue[] } {
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
    const sql = `SELECT id, started_at AS startedAt, finished_at AS finishedAt, mode, host, pid, user, version, policy, outcome,
        exit_code AS exitCode, sites_ok AS sitesOk, sites_failed AS sitesFailed, created, updated, deleted, skipped, failed
      FROM runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY started_at DESC, id DESC LIMIT ?`;
    return { sql, params: [...params, filter.limit] };
  }

  runs(filter: { runId?: number; since?: string; limit: number }): RunRow[] {
    const { sql, params } = this.runsQuery(filter);
    return this.db.prepare(sql).all(...params) as unknown as RunRow[];
  }

  /** Site keys whose name, internalReference or uuid is `name` (case-insensitive). */
  siteKeys(name: string): number[] {
    return (
      this.db
        .prepare('SELECT id FROM sites WHERE lower(name) = lower(?) OR lower(internal_reference) = lower(?) OR lower(uuid) = lower(?)')
        .all(name, name, name) as Array<{ id: number }>
    ).map((r) => r.id);
  }
}
