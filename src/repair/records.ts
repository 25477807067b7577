import type { DatabaseSync, SQLOutputValue } from 'node:sqlite';
import { recordId, type DnsRecord } from '../domain/record.ts';
import { recordOfRow, recordRaw, text } from '../domain/stored-record.ts';
import { short, type RecordRow } from './identity.ts';

/** A fix that cannot be made without losing track of something; the finding stays, with this reason. */
export class NotFixed extends Error {
  override name = 'NotFixed';
}

interface ReplicaRow {
  record_id: string;
  site_id: number;
  policy_id: string | null;
  created_at: string;
  pending: string | null;
  pending_run_id: number | null;
  pending_body: string | null;
}

interface OriginRow {
  record_id: string;
  site_id: number;
  first_seen: string;
  policy_id: string | null;
}

/**
 * Puts dns_records rows into canonical form (SPEC §4.2), inside the caller's transaction and with
 * foreign keys off: re-keys a row whose id is not its identity's, and merges a row into the one
 * that already has its canonical id (origins, replicas and events follow). A row is worked on
 * once; later findings about it get the same answer.
 */
export class RecordFixer {
  readonly #done = new Map<string, { fixed: boolean; action: string }>();
  /** Old id → the id its rows live under now. */
  readonly #moved = new Map<string, string>();

  private readonly db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.db = db;
  }

  /** The id a record's rows live under after the fixes so far. */
  currentId(id: string): string {
    let current = id;
    for (let seen = 0; this.#moved.has(current) && seen < 100; seen++) current = this.#moved.get(current)!;
    return current;
  }

  /** Canonicalises the row `id`; returns what was done. Throws NotFixed when it cannot be done safely. */
  canonicalise(id: string): string {
    const done = this.#done.get(id);
    if (done) {
      if (!done.fixed) throw new NotFixed(done.action);
      return done.action;
    }
    try {
      const action = this.#canonicalise(id);
      this.#done.set(id, { fixed: true, action });
      return action;
    } catch (error) {
      if (error instanceof NotFixed) this.#done.set(id, { fixed: false, action: error.message });
      throw error;
    }
  }

  #canonicalise(id: string): string {
    const row = this.#row(id);
    if (!row) return this.#moved.has(id) ? `already moved to ${short(this.currentId(id))}` : 'already resolved';
    const canonical = recordOfRow(row);
    if (!canonical.ok) throw new NotFixed(`left as it is: its identity cannot be told (${canonical.reason})`);
    const record = canonical.record;
    const source = canonical.from === 'record_raw' ? 'from record_raw' : 'from its columns';
    if (record.id === id) {
      if (text(row.type) === record.type && text(row.domain) === record.domain && text(row.target) === record.target && row.record_raw === recordRaw(record)) {
        return 'kept: already canonical';
      }
      this.#rewrite(id, record);
      return `rewritten in canonical form (${record.type} ${record.domain} → ${record.target}, ${source})`;
    }
    this.db.exec('SAVEPOINT repair_record');
    try {
      const action = this.#row(record.id) ? this.#merge(id, record) : this.#rekey(id, record);
      this.db.exec('RELEASE repair_record');
      this.#moved.set(id, record.id);
      return `${action} (${record.type} ${record.domain} → ${record.target}, ${source})`;
    } catch (error) {
      this.db.exec('ROLLBACK TO repair_record');
      this.db.exec('RELEASE repair_record');
      throw error;
    }
  }

  #row(id: string): (RecordRow & { first_seen: string; orphaned_at: string | null }) | undefined {
    return this.db.prepare('SELECT id, type, domain, target, record_raw, first_seen, orphaned_at FROM dns_records WHERE id = ?').get(id) as
      | (RecordRow & { first_seen: string; orphaned_at: string | null })
      | undefined;
  }

  /** Same id: the columns, record_raw and the events' copies take the canonical values. */
  #rewrite(id: string, record: DnsRecord): void {
    this.db
      .prepare('UPDATE dns_records SET type = ?, domain = ?, target = ?, record_raw = ? WHERE id = ?')
      .run(record.type, record.domain, record.target, recordRaw(record), id);
    this.#pointEvents(id, record);
  }

  #rekey(from: string, record: DnsRecord): string {
    this.db
      .prepare('UPDATE dns_records SET id = ?, type = ?, domain = ?, target = ?, record_raw = ? WHERE id = ?')
      .run(record.id, record.type, record.domain, record.target, recordRaw(record), from);
    this.db.prepare('UPDATE record_origins SET record_id = ? WHERE record_id = ?').run(record.id, from);
    this.db.prepare('UPDATE replicas SET record_id = ? WHERE record_id = ?').run(record.id, from);
    const events = this.#pointEvents(from, record);
    return `re-keyed to ${short(record.id)}${events ? `, with its ${events} event(s)` : ''}`;
  }

  /** Merges row `from` into the existing row with the canonical id: earliest first_seen, origins and replicas united, events re-pointed. */
  #merge(from: string, record: DnsRecord): string {
    const to = record.id;
    const source = this.#row(from)!;
    const target = this.#row(to)!;

    // Replicas first: the one conflict that can make the merge impossible.
    const replicas = this.db.prepare('SELECT * FROM replicas WHERE record_id = ?');
    const theirs = new Map((replicas.all(to) as unknown as ReplicaRow[]).map((r) => [r.site_id, r]));
    let replicasMoved = 0;
    for (const mine of replicas.all(from) as unknown as ReplicaRow[]) {
      const other = theirs.get(mine.site_id);
      if (!other) {
        this.db.prepare('UPDATE replicas SET record_id = ? WHERE record_id = ? AND site_id = ?').run(to, from, mine.site_id);
        replicasMoved++;
        continue;
      }
      const kept = keepOne(other, mine);
      if (!kept) {
        throw new NotFixed(
          `not merged into ${short(to)}: at site ${mine.site_id} both records have a replica that may be a policy at the controller ` +
            `(${claimOf(other)} and ${claimOf(mine)}); one row cannot keep both, so both are left for a person to look at`,
        );
      }
      this.db.prepare('DELETE FROM replicas WHERE record_id = ? AND site_id = ?').run(from, mine.site_id);
      this.db
        .prepare('UPDATE replicas SET policy_id = ?, created_at = ?, pending = ?, pending_run_id = ?, pending_body = ? WHERE record_id = ? AND site_id = ?')
        .run(kept.policy_id, minText(other.created_at, mine.created_at), kept.pending, kept.pending_run_id, kept.pending_body, to, mine.site_id);
      replicasMoved++;
    }

    const origins = this.db.prepare('SELECT record_id, site_id, first_seen, policy_id FROM record_origins WHERE record_id = ?');
    const theirOrigins = new Map((origins.all(to) as unknown as OriginRow[]).map((o) => [o.site_id, o]));
    let originsMoved = 0;
    for (const mine of origins.all(from) as unknown as OriginRow[]) {
      const other = theirOrigins.get(mine.site_id);
      if (other) {
        this.db
          .prepare('UPDATE record_origins SET first_seen = ?, policy_id = coalesce(policy_id, ?) WHERE record_id = ? AND site_id = ?')
          .run(minText(other.first_seen, mine.first_seen), mine.policy_id, to, mine.site_id);
        this.db.prepare('DELETE FROM record_origins WHERE record_id = ? AND site_id = ?').run(from, mine.site_id);
      } else {
        this.db.prepare('UPDATE record_origins SET record_id = ? WHERE record_id = ? AND site_id = ?').run(to, from, mine.site_id);
      }
      originsMoved++;
    }

    // An orphan only if neither had an origin; then the later orphaning, so no grace period is cut short.
    const hasOrigin = this.db.prepare('SELECT 1 FROM record_origins WHERE record_id = ? LIMIT 1').get(to) !== undefined;
    const orphanedAt =
      hasOrigin || source.orphaned_at === null || target.orphaned_at === null ? null : maxText(source.orphaned_at, target.orphaned_at);
    this.db
      .prepare('UPDATE dns_records SET type = ?, domain = ?, target = ?, record_raw = ?, first_seen = ?, orphaned_at = ? WHERE id = ?')
      .run(record.type, record.domain, record.target, recordRaw(record), minText(source.first_seen, target.first_seen), orphanedAt, to);
    for (const column of this.#extraColumns()) {
      // Columns added after this code was written (e.g. last_origin_site_id): keep the target's, else the source's.
      this.db.prepare(`UPDATE dns_records SET "${column}" = coalesce("${column}", (SELECT "${column}" FROM dns_records WHERE id = ?)) WHERE id = ?`).run(from, to);
    }
    const events = this.#pointEvents(from, record) + this.#pointEvents(to, record);
    this.db.prepare('DELETE FROM dns_records WHERE id = ?').run(from);
    const moved = [
      originsMoved && `${originsMoved} origin(s)`,
      replicasMoved && `${replicasMoved} replica(s)`,
      events && `${events} event(s)`,
    ].filter(Boolean);
    return `merged into ${short(to)}${moved.length ? `, with ${moved.join(', ')}` : ''}`;
  }

  #extraColumns(): string[] {
    const known = new Set(['id', 'type', 'domain', 'target', 'record_raw', 'first_seen', 'orphaned_at']);
    return (this.db.prepare("SELECT name FROM pragma_table_info('dns_records')").all() as Array<{ name: string }>)
      .map((c) => c.name)
      .filter((name) => !known.has(name));
  }

  /** Events keep copies of type, domain and target so that history survives the record: they follow it. */
  #pointEvents(from: string, record: DnsRecord): number {
    const result = this.db
      .prepare(
        `UPDATE sync_events SET record_id = ?, type = ?, domain = ?, target = ?
         WHERE record_id = ? AND (record_id IS NOT ? OR type IS NOT ? OR domain IS NOT ? OR target IS NOT ?)`,
      )
      .run(record.id, record.type, record.domain, record.target, from, record.id, record.type, record.domain, record.target);
    return Number(result.changes);
  }
}

/** What a replica row may stand for at the controller: a known policy, or a create that may have happened. */
function claimOf(replica: ReplicaRow): string {
  if (replica.policy_id !== null) return `policy ${replica.policy_id}`;
  if (replica.pending === 'create') return 'a create that may have reached the controller';
  return 'no policy';
}

/**
 * The one replica row to keep of two at a site, or null when each may stand for a different
 * policy (keeping one would make the other look native to the next sync).
 */
function keepOne(theirs: ReplicaRow, mine: ReplicaRow): ReplicaRow | null {
  const claims = (r: ReplicaRow) => r.policy_id !== null || r.pending === 'create';
  if (theirs.policy_id !== null && theirs.policy_id === mine.policy_id) return theirs.pending !== null || mine.pending === null ? theirs : mine;
  if (claims(theirs) && claims(mine)) return null;
  return claims(mine) ? mine : theirs;
}

function minText(a: string, b: string): string {
  return a <= b ? a : b;
}

function maxText(a: string, b: string): string {
  return a >= b ? a : b;
}

/**
 * The identity of a record id that rows refer to but dns_records lacks, proven from what the
 * database still holds: an event's copy of type, domain and target, or a pending create's body,
 * whose identity hashes to exactly that id.
 */
export function evidenceFor(db: DatabaseSync, id: string): { record: DnsRecord; from: string; firstSeen: string | null } | null {
  const firstSeen = (db.prepare('SELECT min(timestamp) AS t FROM sync_events WHERE record_id = ?').get(id) as { t: string | null }).t;
  const events = db
    .prepare('SELECT DISTINCT type, domain, target FROM sync_events WHERE record_id = ? ORDER BY id DESC LIMIT 20')
    .all(id) as Array<{ type: SQLOutputValue; domain: SQLOutputValue; target: SQLOutputValue }>;
  for (const e of events) {
    const c = recordOfRow({ type: e.type, domain: e.domain, target: e.target, record_raw: null });
    if (c.ok && c.record.id === id) return { record: c.record, from: 'its events', firstSeen };
  }
  const bodies = db.prepare("SELECT pending_body FROM replicas WHERE record_id = ? AND pending_body IS NOT NULL").all(id) as Array<{ pending_body: string }>;
  for (const b of bodies) {
    const c = recordOfRow({ type: null, domain: null, target: null, record_raw: b.pending_body });
    if (c.ok && c.record.id === id) return { record: c.record, from: 'a pending create body', firstSeen };
  }
  return null;
}

/** Puts a dns_records row back from evidence; orphan state is left to the next sync's discovery. */
export function restoreRecord(db: DatabaseSync, record: DnsRecord, firstSeen: string): void {
  db.prepare('INSERT INTO dns_records (id, type, domain, target, record_raw, first_seen, orphaned_at) VALUES (?, ?, ?, ?, ?, ?, NULL)').run(
    record.id,
    record.type,
    record.domain,
    record.target,
    recordRaw(record),
    firstSeen,
  );
}

/** Whether a stored row needs canonicalising, and why (for the record-id and legacy-target checks). */
export function idMismatch(row: RecordRow): boolean {
  const type = text(row.type);
  const domain = text(row.domain);
  const target = text(row.target);
  if (type === null || domain === null || target === null) return false;
  return text(row.id) !== recordId(type, domain, target);
}

