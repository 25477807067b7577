/**
 * Recognising a database of the legacy Python tool (unifi-dns-sync, ../shared/legacy/README.md):
 * its five tables, with their columns, and no `schema_migrations` table.
 */
import type { DatabaseSync } from 'node:sqlite';
import { quote, tablesOf } from '../store/catalog.ts';
import { looksLegacy } from '../store/database.ts';

/** The columns the conversion reads, per legacy table. Extra columns are allowed (and ignored). */
const LEGACY_COLUMNS = {
  controllers: ['host', 'api_key', 'last_contact'],
  sites: ['uuid', 'controller_host', 'name', 'last_synced'],
  dns_records: ['id', 'type', 'domain', 'target', 'record_raw'],
  record_origins: ['record_id', 'site_uuid', 'first_seen'],
  sync_events: ['id', 'record_id', 'site_uuid', 'status', 'timestamp'],
} as const;

type LegacyTable = keyof typeof LEGACY_COLUMNS;
export const LEGACY_TABLES = Object.keys(LEGACY_COLUMNS) as LegacyTable[];

export type LegacyShape =
  /** Not a legacy database: a dnssync database, an empty file, or anything else. */
  | { kind: 'none' }
  /** Every legacy table with the columns the conversion needs. */
  | {
      kind: 'legacy';
      /**
       * A later legacy version keyed sites by (controller_host, uuid) and added `controller_host`
       * to record_origins and sync_events; the conversion uses it when present.
       */
      originsHaveHost: boolean;
      eventsHaveHost: boolean;
    }
  /** Looks like the legacy tool's (dns_records and sync_events, no schema_migrations) but lacks something. */
  | { kind: 'incomplete'; missing: string[] };

export function legacyShape(db: DatabaseSync): LegacyShape {
  if (!looksLegacy(db)) return { kind: 'none' };
  const tables = tablesOf(db);
  const missing: string[] = [];
  const columns = new Map<string, Set<string>>();
  for (const table of LEGACY_TABLES) {
    if (!tables.has(table)) {
      missing.push(`table ${table}`);
      continue;
    }
    const have = new Set((db.prepare(`PRAGMA table_info(${quote(table)})`).all() as Array<{ name: string }>).map((c) => c.name));
    columns.set(table, have);
    for (const column of LEGACY_COLUMNS[table]) if (!have.has(column)) missing.push(`column ${table}.${column}`);
  }
  if (missing.length > 0) return { kind: 'incomplete', missing };
  return {
    kind: 'legacy',
    originsHaveHost: columns.get('record_origins')!.has('controller_host'),
    eventsHaveHost: columns.get('sync_events')!.has('controller_host'),
  };
}
