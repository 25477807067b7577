import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { DnsRecord } from '../domain/record.ts';
import type { EventStatus } from '../domain/run.ts';
import { BulkInsert, type SqlValue } from './bulk-insert.ts';

export interface EventInput {
  runId: number | null;
  record: DnsRecord;
  siteKey: number | null;
  status: EventStatus;
  reason?: string | null;
  at: string;
}

/**
 * Appends an event's row to `values`, flat (store/bulk-insert.ts): run, record id, type, domain,
 * target, site, status, reason, time.
 */
export function pushEvent(values: SqlValue[], event: EventInput): void {
  const { record } = event;
  values.push(event.runId, record.id, record.type, record.domain, record.target, event.siteKey, event.status, event.reason ?? null, event.at);
}

/** Appends SYNC_EVENT rows; the caller owns the transaction. */
export class EventWriter {
  readonly #insert: BulkInsert;
  readonly #last: StatementSync;
  /** The rows held by `together` until its work is done, flat. */
  #held: SqlValue[] | null = null;

  constructor(db: DatabaseSync) {
    this.#insert = new BulkInsert(db, 'INSERT INTO sync_events (run_id, record_id, type, domain, target, site_id, status, reason, timestamp)', 9);
    this.#last = db.prepare(
      'SELECT status, reason FROM sync_events WHERE site_id = ? AND domain = ? AND record_id = ? ORDER BY timestamp DESC, id DESC LIMIT 1',
    );
  }

  /** Whether the last event of this record at this site is already this skip: a conflict that persists is recorded once. */
  repeatsSkip(siteKey: number, record: DnsRecord, reason: string | undefined): boolean {
    const last = this.#last.get(siteKey, record.domain, record.id) as { status: string; reason: string | null } | undefined;
    return last !== undefined && last.status === 'SKIPPED' && last.reason === (reason ?? null);
  }

  /** A skip's event, unless the last event of its record at its site is already this skip. */
  addSkip(event: EventInput & { siteKey: number; status: 'SKIPPED' }): void {
    if (!this.repeatsSkip(event.siteKey, event.record, event.reason ?? undefined)) this.add(event);
  }

  add(event: EventInput): void {
    const values = this.#held ?? [];
    pushEvent(values, event);
    if (!this.#held) this.#insert.run(values);
  }

  /** Events as pushEvent lays them out, many at once. */
  addRows(values: readonly SqlValue[]): void {
    if (!this.#held) this.#insert.run(values);
    else for (const value of values) this.#held.push(value);
  }

  /**
   * Runs `work`, then writes the events it added, in order, many rows a statement: an initial
   * sync records 400,000 events (issue 13).
   */
  together<T>(work: () => T): T {
    const held: SqlValue[] = [];
    this.#held = held;
    try {
      const result = work();
      this.#insert.run(held);
      return result;
    } finally {
      this.#held = null;
    }
  }
}
