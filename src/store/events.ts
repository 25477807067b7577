import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { DnsRecord } from '../domain/record.ts';

export type EventStatus = 'CREATED' | 'UPDATED' | 'DELETED' | 'SKIPPED' | 'FAILED' | 'DISCOVERED' | 'ORPHANED' | 'RESTORED';

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

  constructor(db: DatabaseSync) {
    this.#insert = db.prepare(
      `INSERT INTO sync_events (run_id, record_id, type, domain, target, site_id, status, reason, timestamp)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  add(event: EventInput): void {
    const { record } = event;
    this.#insert.run(event.runId, record.id, record.type, record.domain, record.target, event.siteKey, event.status, event.reason ?? null, event.at);
  }
}
