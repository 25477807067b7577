/** Reads the legacy tables as they are: every value may be of any SQLite type, or NULL. */
import type { DatabaseSync, SQLOutputValue } from 'node:sqlite';
import type { LegacyShape } from './shape.ts';

type Value = SQLOutputValue;

export interface LegacyData {
  controllers: Array<{ host: Value; api_key: Value; last_contact: Value }>;
  sites: Array<{ uuid: Value; controller_host: Value; name: Value; last_synced: Value }>;
  records: Array<{ id: Value; type: Value; domain: Value; target: Value; record_raw: Value }>;
  origins: Array<{ record_id: Value; site_uuid: Value; controller_host: Value; first_seen: Value }>;
  events: Array<{ id: Value; record_id: Value; site_uuid: Value; controller_host: Value; status: Value; timestamp: Value }>;
}

export function readLegacy(db: DatabaseSync, shape: Extract<LegacyShape, { kind: 'legacy' }>): LegacyData {
  const all = <T>(sql: string) => db.prepare(sql).all() as T[];
  return {
    controllers: all('SELECT host, api_key, last_contact FROM controllers ORDER BY rowid'),
    sites: all('SELECT uuid, controller_host, name, last_synced FROM sites ORDER BY rowid'),
    records: all('SELECT id, type, domain, target, record_raw FROM dns_records ORDER BY rowid'),
    origins: all(
      `SELECT record_id, site_uuid, ${shape.originsHaveHost ? 'controller_host' : 'NULL AS controller_host'}, first_seen
       FROM record_origins ORDER BY rowid`,
    ),
    events: all(
      `SELECT id, record_id, site_uuid, ${shape.eventsHaveHost ? 'controller_host' : 'NULL AS controller_host'}, status, timestamp
       FROM sync_events ORDER BY id`,
    ),
  };
}

