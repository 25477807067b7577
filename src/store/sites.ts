import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { ControllerConfig } from '../config/types.ts';
import type { SiteRef } from '../domain/state.ts';
import type { Site } from '../domain/policy.ts';

/** CONTROLLER and SITE rows: what discovery learnt about them. */
export class SiteRepository {
  readonly #all: StatementSync;
  readonly #saveController: StatementSync;
  readonly #find: StatementSync;
  readonly #insertSite: StatementSync;
  readonly #renameSite: StatementSync;
  readonly #markSynced: StatementSync;
  readonly #markGone: StatementSync;
  readonly #present: StatementSync;

  constructor(db: DatabaseSync) {
    this.#all = db.prepare(
      `SELECT s.id, s.controller_host, c.name AS controller_name, s.uuid, s.name, s.internal_reference
       FROM sites s JOIN controllers c ON c.host = s.controller_host`,
    );
    this.#saveController = db.prepare(
      `INSERT INTO controllers (host, name, url, key_fingerprint, app_version, last_contact) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (host) DO UPDATE SET name = excluded.name, url = excluded.url, key_fingerprint = excluded.key_fingerprint,
         app_version = coalesce(excluded.app_version, app_version), last_contact = coalesce(excluded.last_contact, last_contact)`,
    );
    this.#find = db.prepare(
      'SELECT id AS key, name, internal_reference AS internalReference, gone_at AS goneAt FROM sites WHERE controller_host = ? AND uuid = ?',
    );
    this.#insertSite = db.prepare('INSERT INTO sites (controller_host, uuid, internal_reference, name, first_seen) VALUES (?, ?, ?, ?, ?)');
    this.#renameSite = db.prepare('UPDATE sites SET name = ?, internal_reference = ?, gone_at = NULL WHERE id = ?');
    this.#markSynced = db.prepare('UPDATE sites SET last_synced = ? WHERE id = ?');
    this.#markGone = db.prepare('UPDATE sites SET gone_at = ? WHERE id = ? AND gone_at IS NULL');
    this.#present = db.prepare('SELECT id AS key, uuid, coalesce(name, uuid) AS name FROM sites WHERE controller_host = ? AND gone_at IS NULL');
  }

  /** Every site the database knows, as the planner sees them. */
  all(): Map<number, SiteRef> {
    const rows = this.#all.all() as Array<{ id: number; controller_host: string; controller_name: string; uuid: string; name: string | null; internal_reference: string | null }>;
    return new Map(
      rows.map((r) => [
        r.id,
        { key: r.id, controller: r.controller_host, controllerName: r.controller_name, uuid: r.uuid, name: r.name ?? r.uuid, internalReference: r.internal_reference ?? '' },
      ]),
    );
  }

  /** Records a controller that answered: its name, URL, version and key fingerprint (never the key). */
  saveController(controller: ControllerConfig, appVersion: string | null, at: string | null): void {
    this.#saveController.run(controller.host, controller.name, controller.url, controller.keyFingerprint, appVersion, at);
  }

  /** The key of a known site, or undefined. */
  find(controllerHost: string, uuid: string): { key: number; name: string | null; internalReference: string | null; goneAt: string | null } | undefined {
    return this.#find.get(controllerHost, uuid) as { key: number; name: string | null; internalReference: string | null; goneAt: string | null } | undefined;
  }

  /**
   * Inserts a listed site, or refreshes one whose name changed or that was gone, and returns its
   * key. An unchanged site is not rewritten.
   */
  saveSite(controllerHost: string, site: Site, at: string): number {
    const known = this.find(controllerHost, site.id);
    if (!known) {
      const result = this.#insertSite.run(controllerHost, site.id, site.internalReference, site.name, at);
      return Number(result.lastInsertRowid);
    }
    if (known.name !== site.name || known.internalReference !== site.internalReference || known.goneAt !== null) {
      this.#renameSite.run(site.name, site.internalReference, known.key);
    }
    return known.key;
  }

  markSynced(siteKey: number, at: string): void {
    this.#markSynced.run(at, siteKey);
  }

  markGone(siteKey: number, at: string): void {
    this.#markGone.run(at, siteKey);
  }

  /** Sites of a controller that were not gone before this run. */
  present(controllerHost: string): Array<{ key: number; uuid: string; name: string }> {
    return this.#present.all(controllerHost) as Array<{ key: number; uuid: string; name: string }>;
  }
}
