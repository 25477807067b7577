import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import type { RecordType } from '../domain/policy.ts';
import type { EventStatus } from '../domain/run.ts';

export interface RecordRow {
  id: string;
  type: RecordType;
  domain: string;
  target: string;
  firstSeen: string;
  orphanedAt: string | null;
}

export interface PlaceSite {
  key: number;
  controllerHost: string;
  controller: string;
  name: string;
  internalReference: string;
  uuid: string;
  lastSynced: string | null;
  goneAt: string | null;
}

export interface LastEvent {
  status: EventStatus;
  reason: string | null;
  timestamp: string;
}

/**
 * `dnssync records`: where each record is (its origins and replicas, site by site) and what the
 * database remembers of the sites that hold neither.
 */
export class RecordRepository {
  readonly #records: StatementSync;
  readonly #sites: StatementSync;
  readonly #origins: StatementSync;
  readonly #replicas: StatementSync;
  readonly #lastEvent: StatementSync;
  private readonly db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.db = db;
    this.#records = db.prepare(
      'SELECT id, type, domain, target, first_seen AS firstSeen, orphaned_at AS orphanedAt FROM dns_records ORDER BY domain, type, target',
    );
    this.#sites = db.prepare(
      `SELECT s.id AS key, s.controller_host AS controllerHost, c.name AS controller, coalesce(s.name, s.uuid) AS name,
         coalesce(s.internal_reference, '') AS internalReference, s.uuid, s.last_synced AS lastSynced, s.gone_at AS goneAt
       FROM sites s JOIN controllers c ON c.host = s.controller_host
       ORDER BY c.name, s.controller_host, s.name, s.uuid`,
    );
    this.#origins = db.prepare(RecordRepository.ORIGINS);
    this.#replicas = db.prepare(RecordRepository.REPLICAS);
    this.#lastEvent = db.prepare(RecordRepository.LAST_EVENT);
  }

  /** Origins by the primary key (record first). */
  static readonly ORIGINS = 'SELECT site_id AS siteKey FROM record_origins WHERE record_id = ?';
  /**
   * Replicas are keyed site first: one look-up per site along the primary key, where a filter on
   * the record alone would read every replica of every site.
   */
  // A batch of creates a killed run left (replicas.ts) holds pending creates too.
  static readonly REPLICAS = `SELECT site_id AS siteKey, pending FROM replicas WHERE site_id IN (SELECT id FROM sites) AND record_id = ?1
    UNION ALL SELECT i.site_id, 'create' FROM create_intents i, json_each(i.record_ids) j WHERE i.site_id IN (SELECT id FROM sites) AND j.value = ?1`;
  /** Along sync_events_site_domain, newest first: the record's last event at one site. */
  static readonly LAST_EVENT = `SELECT status, reason, timestamp FROM sync_events
    WHERE site_id = ? AND domain = ? AND record_id = ? ORDER BY timestamp DESC, id DESC LIMIT 1`;

  /** Every record, by domain, type and target; few beside the replicas, so a filter reads them all. */
  records(): RecordRow[] {
    return this.#records.all() as unknown as RecordRow[];
  }

  /** Every site the database knows, gone ones included. */
  sites(): PlaceSite[] {
    return this.#sites.all() as unknown as PlaceSite[];
  }

  originSites(recordId: string): number[] {
    return (this.#origins.all(recordId) as Array<{ siteKey: number }>).map((r) => r.siteKey);
  }

  /** Site → the replica's pending intent (null when settled). */
  replicaSites(recordId: string): Map<number, string | null> {
    return new Map((this.#replicas.all(recordId) as Array<{ siteKey: number; pending: string | null }>).map((r) => [r.siteKey, r.pending]));
  }

  lastEvent(siteKey: number, record: Pick<RecordRow, 'id' | 'domain'>): LastEvent | null {
    return (this.#lastEvent.get(siteKey, record.domain, record.id) as LastEvent | undefined) ?? null;
  }

  /** EXPLAIN QUERY PLAN of a query, one line per step, for the tests that keep these on their indexes. */
  explain(sql: string, params: SQLInputValue[]): string[] {
    return (this.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>).map((r) => r.detail);
  }
}
