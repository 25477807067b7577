/**
 * Stores a converted legacy database into a dnssync database (the caller owns the transaction).
 * Merging into a database that already holds data adds only what it lacks: nothing is duplicated,
 * nothing it already knows is overwritten (first_seen keeps the earliest), nothing is deleted.
 */
import type { DatabaseSync } from 'node:sqlite';
import { recordRaw } from '../domain/stored-record.ts';
import type { Conversion } from './conversion.ts';

export interface TableCounts {
  controllers: number;
  sites: number;
  records: number;
  origins: number;
  replicas: number;
  events: number;
}

export interface WriteResult {
  /** Rows added. */
  imported: TableCounts;
  /** Rows the database already had (an import into a database with data, or a second import). */
  alreadyPresent: TableCounts;
  /**
   * (record, site) pairs the database already knows the other way round (a replica where the
   * legacy file says origin, or the reverse): what dnssync itself observed is kept.
   */
  keptAsKnown: number;
}

const zero = (): TableCounts => ({ controllers: 0, sites: 0, records: 0, origins: 0, replicas: 0, events: 0 });

export function writeConversion(db: DatabaseSync, conversion: Conversion): WriteResult {
  const imported = zero();
  const present = zero();
  let keptAsKnown = 0;

  const controllerExists = db.prepare('SELECT 1 FROM controllers WHERE host = ?');
  const insertController = db.prepare('INSERT INTO controllers (host, name, url, key_fingerprint, app_version, last_contact) VALUES (?, ?, ?, ?, NULL, ?)');
  const mergeController = db.prepare(
    'UPDATE controllers SET key_fingerprint = coalesce(key_fingerprint, ?), last_contact = coalesce(last_contact, ?) WHERE host = ?',
  );
  for (const c of conversion.controllers) {
    if (controllerExists.get(c.host)) {
      mergeController.run(c.keyFingerprint, c.lastContact, c.host);
      present.controllers++;
    } else {
      insertController.run(c.host, c.name, c.url, c.keyFingerprint, c.lastContact);
      imported.controllers++;
    }
  }

  const findSite = db.prepare('SELECT id FROM sites WHERE controller_host = ? AND uuid = ?');
  const insertSite = db.prepare('INSERT INTO sites (controller_host, uuid, internal_reference, name, first_seen, last_synced) VALUES (?, ?, NULL, ?, ?, ?)');
  const mergeSite = db.prepare('UPDATE sites SET first_seen = min(first_seen, ?), name = coalesce(name, ?), last_synced = coalesce(last_synced, ?) WHERE id = ?');
  const siteIds = new Map<string, number>();
  for (const s of conversion.sites) {
    const known = findSite.get(s.controllerHost, s.uuid) as { id: number } | undefined;
    if (known) {
      mergeSite.run(s.firstSeen, s.name, s.lastSynced, known.id);
      siteIds.set(s.key, known.id);
      present.sites++;
    } else {
      siteIds.set(s.key, Number(insertSite.run(s.controllerHost, s.uuid, s.name, s.firstSeen, s.lastSynced).lastInsertRowid));
      imported.sites++;
    }
  }

  const recordExists = db.prepare('SELECT 1 FROM dns_records WHERE id = ?');
  const insertRecord = db.prepare('INSERT INTO dns_records (id, type, domain, target, record_raw, first_seen, orphaned_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const mergeRecord = db.prepare('UPDATE dns_records SET first_seen = min(first_seen, ?) WHERE id = ?');
  for (const { record, firstSeen, hasOrigin } of conversion.records) {
    if (recordExists.get(record.id)) {
      // Its orphan state is the database's own: the next discovery settles it.
      mergeRecord.run(firstSeen, record.id);
      present.records++;
    } else {
      insertRecord.run(record.id, record.type, record.domain, record.target, recordRaw(record), firstSeen, hasOrigin ? null : conversion.at);
      imported.records++;
    }
  }

  const originStatement = db.prepare('SELECT 1 FROM record_origins WHERE record_id = ? AND site_id = ?');
  const replicaStatement = db.prepare('SELECT 1 FROM replicas WHERE record_id = ? AND site_id = ?');
  const originExists = (recordId: string, siteId: number) => originStatement.get(recordId, siteId) !== undefined;
  const replicaExists = (recordId: string, siteId: number) => replicaStatement.get(recordId, siteId) !== undefined;
  const insertOrigin = db.prepare('INSERT INTO record_origins (record_id, site_id, first_seen, policy_id, attributes) VALUES (?, ?, ?, NULL, ?)');
  const mergeOrigin = db.prepare('UPDATE record_origins SET first_seen = min(first_seen, ?) WHERE record_id = ? AND site_id = ?');
  for (const o of conversion.origins) {
    const siteId = siteIds.get(o.siteKey)!;
    if (originExists(o.recordId, siteId)) {
      mergeOrigin.run(o.firstSeen, o.recordId, siteId);
      present.origins++;
    } else if (replicaExists(o.recordId, siteId)) {
      keptAsKnown++;
    } else {
      insertOrigin.run(o.recordId, siteId, o.firstSeen, JSON.stringify(o.attributes));
      imported.origins++;
    }
  }

  const insertReplica = db.prepare('INSERT INTO replicas (record_id, site_id, policy_id, created_at, pending) VALUES (?, ?, NULL, ?, NULL)');
  for (const r of conversion.replicas) {
    const siteId = siteIds.get(r.siteKey)!;
    if (replicaExists(r.recordId, siteId)) present.replicas++;
    else if (originExists(r.recordId, siteId)) keptAsKnown++;
    else {
      insertReplica.run(r.recordId, siteId, r.createdAt);
      imported.replicas++;
    }
  }

  // Only events that were there before count as already present: two equal legacy events stay two.
  const lastBefore = (db.prepare('SELECT coalesce(max(id), 0) AS id FROM sync_events').get() as { id: number }).id;
  const eventExists = db.prepare(
    `SELECT 1 FROM sync_events WHERE record_id = ? AND timestamp = ? AND status = ? AND site_id IS ? AND run_id IS NULL AND id <= ?`,
  );
  const insertEvent = db.prepare(
    `INSERT INTO sync_events (run_id, record_id, type, domain, target, site_id, status, reason, timestamp) VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  for (const e of conversion.events) {
    const siteId = e.siteKey === null ? null : siteIds.get(e.siteKey)!;
    if (lastBefore > 0 && eventExists.get(e.recordId, e.timestamp, e.status, siteId, lastBefore)) present.events++;
    else {
      insertEvent.run(e.recordId, e.type, e.domain, e.target, siteId, e.status, e.reason ?? null, e.timestamp);
      imported.events++;
    }
  }
  writeEvidence(db, conversion);
  return { imported, alreadyPresent: present, keptAsKnown };
}

/**
 * The evidence at the shared default-site uuid, for the first sync to decide per console. A
 * console whose site dnssync has already read needs none: what dnssync observed there stands.
 */
function writeEvidence(db: DatabaseSync, conversion: Conversion): void {
  const siteKnown = db.prepare('SELECT 1 FROM sites WHERE controller_host = ? AND uuid = ?');
  const insert = db.prepare(
    `INSERT INTO legacy_evidence (controller_host, uuid, record_id, first_discovered, created, verdict) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT DO NOTHING`,
  );
  for (const e of conversion.evidence) {
    if (siteKnown.get(e.controllerHost, e.uuid)) continue;
    insert.run(e.controllerHost, e.uuid, e.recordId, e.firstDiscovered, JSON.stringify(e.created), e.verdict);
  }
}
