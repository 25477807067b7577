import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { DnsRecord } from '../domain/record.ts';
import type { EventStatus } from '../domain/run.ts';

export interface EventInput {
  runId: number | null;
  record: DnsRecord;
  siteKey: number | null;
  status: EventStatus;
  reason?: string | null;
  at: string;
}

/** Appends SYNC_EVENT rows; the caller owns the transaction. */
export class EventWriter {
  readonly #insert: StatementSync;
  readonly #last: StatementSync;

  constructor(db: DatabaseSync) {
    this.#insert = db.prepare(
      `INSERT INTO sync_events (run_id, record_id, type, domain, target, site_id, status, reason, timestamp)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#last = db.prepare(
      'SELECT status, reason FROM sync_events WHERE site_id = ? AND domain = ? AND record_id = ? ORDER BY timestamp DESC, id DESC LIMIT 1',
    );
  }

  /** Whether the last event of this record at this site is already this skip: a conflict that persists is recorded once. */
  repeatsSkip(siteKey: number, record: DnsRecord, reason: string | undefined): boolean {
    const last = this.#last.get(siteKey, record.domain, record.id) as { status: string; reason: string | null } | undefined;
    return last !== undefined && last.status === 'SKIPPED' && last.reason === (reason ?? null);
  }

  add(event: EventInput): void {
    const { record } = event;
    this.#insert.run(event.runId, record.id, record.type, record.domain, record.target, event.siteKey, event.status, event.reason ?? null, event.at);
  }
}
