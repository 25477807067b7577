import type { DatabaseSync } from 'node:sqlite';
import type { InStepSite } from '../domain/state.ts';
import { tablesOf } from './catalog.ts';
import { statement } from './statements.ts';


/** Row 0 of in_step: the config and dnssync the site rows hold for (schema.sql). */
const WORLD = 0;

/**
 * IN_STEP rows (see schema.sql): which sites the last sync left in step. The triggers of the
 * schema delete them all as soon as anything a plan is made from changes. The caller owns the
 * transaction.
 */
export class InStepRepository {
  private readonly db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.db = db;
  }

  /**
   * siteKey → how the last sync left it, when that sync had the config and dnssync of `world` and
   * nothing changed since; else null. A dry run on a database of an older schema has no table.
   */
  load(world: string): Map<number, InStepSite> | null {
    if (!tablesOf(this.db).has('in_step')) return null;
    const rows = statement(this.db, 'SELECT site_id, fingerprint, replicas FROM in_step').all() as Array<{ site_id: number; fingerprint: string; replicas: number }>;
    if (!rows.some((r) => r.site_id === WORLD && r.fingerprint === world)) return null;
    const sites = new Map<number, InStepSite>();
    for (const r of rows) if (r.site_id !== WORLD) sites.set(r.site_id, { fingerprint: r.fingerprint, replicas: r.replicas });
    return sites.size > 0 ? sites : null;
  }

  /**
   * A writing sync starts: row 0 for its config and dnssync, which any change to the state deletes
   * from now on. Rows of the same config and dnssync stay, so that a run that changes nothing
   * rewrites nothing.
   */
  begin(world: string): void {
    if (statement(this.db, 'SELECT 1 FROM in_step WHERE site_id = ? AND fingerprint = ?').get(WORLD, world)) return;
    statement(this.db, 'DELETE FROM in_step').run();
    statement(this.db, 'INSERT INTO in_step (site_id, fingerprint, replicas) VALUES (?, ?, ?)').run(WORLD, world, 0);
  }

  /** The sites a sync found in step, if nothing changed the state since `begin`; whether they were recorded. */
  settle(sites: ReadonlyMap<number, InStepSite>): boolean {
    if (!statement(this.db, 'SELECT 1 FROM in_step WHERE site_id = ?').get(WORLD)) return false;
    statement(this.db, 'DELETE FROM in_step WHERE site_id <> ? AND site_id NOT IN (SELECT value FROM json_each(?))').run(WORLD, JSON.stringify([...sites.keys()]));
    const upsert = statement(
      this.db,
      `INSERT INTO in_step (site_id, fingerprint, replicas) VALUES (?, ?, ?)
       ON CONFLICT (site_id) DO UPDATE SET fingerprint = excluded.fingerprint, replicas = excluded.replicas
       WHERE fingerprint <> excluded.fingerprint OR replicas <> excluded.replicas`,
    );
    for (const [key, site] of sites) upsert.run(key, site.fingerprint, site.replicas);
    return true;
  }
}
