import type { DatabaseSync } from 'node:sqlite';
import type { ControllerConfig } from '../config/types.ts';
import type { SiteRef } from '../domain/state.ts';
import type { Site } from '../domain/policy.ts';

/** CONTROLLER and SITE rows: what discovery learnt about them. */
export class SiteRepository {
  private readonly db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.db = db;
  }

  /** Every site the database knows, as the planner sees them. */
  all(): Map<number, SiteRef> {
    const rows = this.db
      .prepare(
        `SELECT s.id, s.controller_host, c.name AS controller_name, s.uuid, s.name, s.internal_reference
         FROM sites s JOIN controllers c ON c.host = s.controller_host`,
      )
      .all() as Array<{ id: number; controller_host: string; controller_name: string; uuid: string; name: string | null; internal_reference: string | null }>;
    return new Map(
      rows.map((r) => [
        r.id,
        { key: r.id, controller: r.controller_host, controllerName: r.controller_name, uuid: r.uuid, name: r.name ?? r.uuid, internalReference: r.internal_reference ?? '' },
      ]),
    );
  }

  /** Records a controller that answered: its name, URL, version and key fingerprint (never the key). */
  saveController(controller: ControllerConfig, appVersion: string | null, at: string | null): void {
    this.db
      .prepare(
        `INSERT INTO controllers (host, name, url, key_fingerprint, app_version, last_contact) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (host) DO UPDATE SET name = excluded.name, url = excluded.url, key_fingerprint = excluded.key_fingerprint,
           app_version = coalesce(excluded.app_version, app_version), last_contact = coalesce(excluded.last_contact, last_contact)`,
      )
      .run(controller.host, controller.name, controller.url, controller.keyFingerprint, appVersion, at);
  }

  /** The key of a known site, or undefined. */
  find(controllerHost: string, uuid: string): { key: number; name: string | null; internalReference: string | null; goneAt: string | null } | undefined {
    return this.db
      .prepare('SELECT id AS key, name, internal_reference AS internalReference, gone_at AS goneAt FROM sites WHERE controller_host = ? AND uuid = ?')
      .get(controllerHost, uuid) as { key: number; name: string | null; internalReference: string | null; goneAt: string | null } | undefined;
  }

  /**
   * Inserts a listed site, or refreshes one whose name changed or that was gone, and returns its
   * key. An unchanged site is not rewritten.
   */
  saveSite(controllerHost: string, site: Site, at: string): number {
    const known = this.find(controllerHost, site.id);
    if (!known) {
      const result = this.db
        .prepare('INSERT INTO sites (controller_host, uuid, internal_reference, name, first_seen) VALUES (?, ?, ?, ?, ?)')
        .run(controllerHost, site.id, site.internalReference, site.name, at);
      return Number(result.lastInsertRowid);
    }
    if (known.name !== site.name || known.internalReference !== site.internalReference || known.goneAt !== null) {
      this.db.prepare('UPDATE sites SET name = ?, internal_reference = ?, gone_at = NULL WHERE id = ?').run(site.name, site.internalReference, known.key);
    }
    return known.key;
  }

  markSynced(siteKey: number, at: string): void {
    this.db.prepare('UPDATE sites SET last_synced = ? WHERE id = ?').run(at, siteKey);
  }

  markGone(siteKey: number, at: string): void {
    this.db.prepare('UPDATE sites SET gone_at = ? WHERE id = ? AND gone_at IS NULL').run(at, siteKey);
  }

  /** Sites of a controller that were not gone before this run. */
  present(controllerHost: string): Array<{ key: number; uuid: string }> {
    return this.db.prepare('SELECT id AS key, uuid FROM sites WHERE controller_host = ? AND gone_at IS NULL').all(controllerHost) as Array<{ key: number; uuid: string }>;
  }
}
