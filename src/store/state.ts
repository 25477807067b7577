import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { RecordType } from '../domain/policy.ts';
import type { Attributes, DnsRecord } from '../domain/record.ts';
import { recordRaw } from '../domain/stored-record.ts';
import type { KnownOrigin, KnownRecord, KnownReplica, KnownState, SiteRef, StoredReplica } from '../domain/state.ts';
import type { Change } from '../domain/state.ts';
import { EventWriter } from './events.ts';
import { RefusalRepository } from './refusals.ts';

const RECOVERED = 'recorded after an interrupted run';

/**
 * DNS_RECORD, RECORD_ORIGIN and the replicas: loads what earlier runs learnt, and records what
 * this run observed (the planner's `Change`s) with their events.
 */
export class StateRepository {
  readonly #events: EventWriter;
  readonly #statements: Record<Change['op'], StatementSync>;
  #settled: StatementSync | null = null;
  #recordsRead: Map<string, KnownRecord> | null = null;

  private readonly db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.db = db;
    this.#events = new EventWriter(db);
    this.#statements = {
      'record.add': db.prepare(
        'INSERT INTO dns_records (id, type, domain, target, record_raw, first_seen) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING',
      ),
      'origin.add': db.prepare('INSERT INTO record_origins (record_id, site_id, first_seen, policy_id, attributes) VALUES (?, ?, ?, ?, ?)'),
      'origin.update': db.prepare('UPDATE record_origins SET policy_id = ?, attributes = ? WHERE record_id = ? AND site_id = ?'),
      'origin.remove': db.prepare('DELETE FROM record_origins WHERE record_id = ? AND site_id = ?'),
      'record.orphan': db.prepare('UPDATE dns_records SET orphaned_at = ?, last_origin_site_id = ? WHERE id = ?'),
      'record.restore': db.prepare('UPDATE dns_records SET orphaned_at = NULL WHERE id = ?'),
      'replica.adopt': db.prepare(
        'UPDATE replicas SET policy_id = ?, pending = NULL, pending_run_id = NULL, pending_body = NULL WHERE record_id = ? AND site_id = ?',
      ),
      'replica.forget': db.prepare('DELETE FROM replicas WHERE record_id = ? AND site_id = ?'),
      'replica.settle': db.prepare(
        'UPDATE replicas SET pending = NULL, pending_run_id = NULL, pending_body = NULL WHERE record_id = ? AND site_id = ?',
      ),
    };
  }

  /**
   * What earlier runs learnt; the replicas only of `discovered`, the sites whose policies this run
   * read. `read` holds the settled replicas of sites already read with replicasAt, less those that
   * discovery found in place (planner/replicas-in-place.ts).
   */
  load(sites: Map<number, SiteRef>, discovered: Iterable<number>, read: ReadonlyMap<number, Map<string, StoredReplica>> = new Map()): KnownState {
    const records = this.#records();
    const origins = new Map<string, Map<number, KnownOrigin>>();
    for (const row of this.db.prepare('SELECT record_id, site_id, first_seen, policy_id, attributes FROM record_origins').iterate()) {
      const o = row as { record_id: string; site_id: number; first_seen: string; policy_id: string | null; attributes: string };
      const bySite = origins.get(o.record_id) ?? new Map<number, KnownOrigin>();
      bySite.set(o.site_id, { firstSeen: o.first_seen, policyId: o.policy_id, attributes: JSON.parse(o.attributes) as Attributes });
      origins.set(o.record_id, bySite);
    }

    const replicas = new Map<number, Map<string, StoredReplica>>();
    for (const siteKey of discovered) replicas.set(siteKey, read.get(siteKey) ?? this.replicasAt(siteKey));
    // Intents left by an interrupted run: few, and found through their partial index; and the
    // batches of creates it left, which a sync turns into pending replicas first (a dry run reads them).
    const pending = this.db.prepare(
      `SELECT site_id, record_id, policy_id, pending, pending_run_id, pending_body FROM replicas WHERE pending IS NOT NULL
       UNION ALL
       SELECT i.site_id, j.value, NULL, 'create', i.run_id, NULL FROM create_intents i, json_each(i.record_ids) j
       WHERE j.value IN (SELECT id FROM dns_records)`,
    );
    for (const row of pending.iterate()) {
      const r = row as { site_id: number; record_id: string; policy_id: string | null; pending: KnownReplica['pending']; pending_run_id: number | null; pending_body: string | null };
      replicas.get(r.site_id)?.set(r.record_id, { policyId: r.policy_id, pending: r.pending, pendingRunId: r.pending_run_id, pendingBody: r.pending_body });
    }
    return { records, origins, replicas, sites, refusals: new RefusalRepository(this.db).all() };
  }

  /**
   * The settled replicas of one site: the largest read of a run (one row per policy dnssync made),
   * so a sync reads each site's as its pages arrive, between the answers (issue 13). Along the
   * primary key, two columns, rows as arrays; record ids are shared with the records', so 400,000
   * replicas do not hold 400,000 copies of them.
   */
  replicasAt(siteKey: number): Map<string, StoredReplica> {
    const records = this.#records();
    this.#settled ??= this.db.prepare('SELECT record_id, policy_id FROM replicas WHERE site_id = ? AND pending IS NULL');
    this.#settled.setReturnArrays(true);
    const bySite = new Map<string, StoredReplica>();
    for (const row of this.#settled.all(siteKey) as unknown[]) {
      const [id, policyId] = row as [string, string | null];
      bySite.set(records.get(id)?.record.id ?? id, policyId ?? { policyId, pending: null, pendingRunId: null, pendingBody: null });
    }
    return bySite;
  }

  /** Every record earlier runs learnt, read once a run. */
  #records(): Map<string, KnownRecord> {
    if (this.#recordsRead) return this.#recordsRead;
    const records = new Map<string, KnownRecord>();
    for (const row of this.db.prepare('SELECT id, type, domain, target, record_raw, first_seen, orphaned_at FROM dns_records').iterate()) {
      const r = row as { id: string; type: RecordType; domain: string; target: string; record_raw: string; first_seen: string; orphaned_at: string | null };
      const record: DnsRecord = { id: r.id, type: r.type, domain: r.domain, target: r.target, fields: JSON.parse(r.record_raw) as DnsRecord['fields'] };
      records.set(r.id, { record, firstSeen: r.first_seen, orphanedAt: r.orphaned_at });
    }
    this.#recordsRead = records;
    return records;
  }

  /** Records this run's observations and their events; the caller owns the transaction. */
  record(changes: Change[], runId: number, at: string): void {
    const s = this.#statements;
    const event = (record: DnsRecord, siteKey: number | null, status: Parameters<EventWriter['add']>[0]['status'], reason: string | null = null, eventRunId: number | null = runId) =>
      this.#events.add({ runId: eventRunId, record, siteKey, status, reason, at });

    for (const change of changes) {
      const { record } = change;
      switch (change.op) {
        case 'record.add':
          s['record.add'].run(record.id, record.type, record.domain, record.target, recordRaw(record), change.at);
          break;
        case 'origin.add':
          s['origin.add'].run(record.id, change.siteKey, change.origin.firstSeen, change.origin.policyId, JSON.stringify(change.origin.attributes));
          event(record, change.siteKey, 'DISCOVERED');
          break;
        case 'origin.update':
          s['origin.update'].run(change.origin.policyId, JSON.stringify(change.origin.attributes), record.id, change.siteKey);
          break;
        case 'origin.remove':
          s['origin.remove'].run(record.id, change.siteKey);
          break;
        case 'record.orphan':
          s['record.orphan'].run(change.at, change.lastOriginSite, record.id);
          event(record, null, 'ORPHANED');
          break;
        case 'record.restore':
          s['record.restore'].run(record.id);
          event(record, null, 'RESTORED');
          break;
        case 'replica.adopt':
          s['replica.adopt'].run(change.policyId, record.id, change.siteKey);
          if (change.recovered) event(record, change.siteKey, 'CREATED', RECOVERED, change.runId);
          break;
        case 'replica.forget':
          s['replica.forget'].run(record.id, change.siteKey);
          if (change.recovered) event(record, change.siteKey, 'DELETED', RECOVERED, change.runId);
          break;
        case 'replica.settle':
          s['replica.settle'].run(record.id, change.siteKey);
          if (change.recovered) event(record, change.siteKey, 'UPDATED', RECOVERED, change.runId);
          break;
      }
    }
  }
}
