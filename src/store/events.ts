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

type EventRow = [number | null, string, string, string, string, number | null, EventStatus, string | null, string];

/** Appends SYNC_EVENT rows; the caller owns the transaction. */
export class EventWriter {
  readonly #insert: StatementSync;
  readonly #insertAll: StatementSync;
  readonly #last: StatementSync;
  /** Rows held by `together` until its work is done. */
  #held: EventRow[] | null = null;

  constructor(db: DatabaseSync) {
    this.#insert = db.prepare(
      `INSERT INTO sync_events (run_id, record_id, type, domain, target, site_id, status, reason, timestamp)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#insertAll = db.prepare(
      `INSERT INTO sync_events (run_id, record_id, type, domain, target, site_id, status, reason, timestamp)
       SELECT value->>0, value->>1, value->>2, value->>3, value->>4, value->>5, value->>6, value->>7, value->>8 FROM json_each(?)`,
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
    const row: EventRow = [event.runId, record.id, record.type, record.domain, record.target, event.siteKey, event.status, event.reason ?? null, event.at];
    if (this.#held) this.#held.push(row);
    else this.#insert.run(...row);
  }

  /**
   * Runs `work`, then writes the events it added with one statement, in order: an initial sync
   * records 400,000 events, and one statement a batch costs far less than one an event (issue 13).
   */
  together<T>(work: () => T): T {
    const held: EventRow[] = [];
    this.#held = held;
    try {
      const result = work();
      if (held.length > 0) this.#insertAll.run(JSON.stringify(held));
      return result;
    } finally {
      this.#held = null;
    }
  }
}
