import { Command } from 'commander';
import { hostname } from 'node:os';
import { DEFAULT_SYNC } from '../../config/types.ts';
import type { CommandResult } from '../../domain/exit-codes.ts';
import { orphanDeadline, orphanIsDue } from '../../domain/orphans.ts';
import type { Store } from '../../store/database.ts';
import { SyncLock } from '../../store/lock.ts';
import { OrphanRepository, type OrphanRow } from '../../store/orphans.ts';
import { immediateTransaction } from '../../store/transaction.ts';
import type { App, Runner } from '../app.ts';
import { tableTime } from '../render/time.ts';
import { shortType } from '../../domain/policy.ts';

interface OrphansOptions {
  json?: boolean;
  prune?: boolean;
}

export function orphansCommand(run: Runner): Command {
  return new Command('orphans')
    .description('records with no origin left: when their replicas go, and how many remain')
    .option('--prune', 'remove orphans that have no replica left from the database (events stay)')
    .option('--json', 'print one JSON document')
    .action(run(orphans));
}

async function orphans(app: App, options: OrphansOptions): Promise<CommandResult> {
  // Listing only reads; --prune writes (under the sync lock).
  const store = await app.openStore({ create: false, readOnly: !options.prune });
  try {
    const repo = new OrphanRepository(store.db);
    if (options.prune) return prune(app, store, repo, options.json === true);

    // The grace period and policy come from the config when there is one (none is needed).
    const config = await app.loadSettingsIfPresent();
    const sync = config?.sync ?? DEFAULT_SYNC;
    const now = Date.now();
    const rows = repo.list().map((o) => ({ ...o, replicasGo: replicasGo(o, sync, now) }));
    if (options.json) {
      app.output.json({ gracePeriodMs: sync.orphanGracePeriodMs, policy: sync.policy, configFile: config?.file ?? null, orphans: rows });
      return { kind: 'done' };
    }
    if (rows.length === 0) {
      app.output.line('no orphans');
      return { kind: 'done' };
    }
    app.output.table(
      ['type', 'domain', 'target', 'last origin', 'orphaned since', 'replicas go', 'replicas'],
      rows.map((o) => [
        shortType(o.type),
        o.domain,
        o.target,
        o.lastOriginSite ? `${o.lastOriginController}/${o.lastOriginSite}` : '',
        tableTime(o.orphanedAt),
        // A deadline is a time like the others; "now", "held by policy" and "-" are words.
        /^\d{4}-/.test(o.replicasGo) ? tableTime(o.replicasGo) : o.replicasGo,
        o.replicas,
      ]),
    );
    const gone = rows.filter((o) => o.replicas === 0).length;
    if (gone > 0) {
      const [what, it, its] = gone === 1 ? ['1 orphan has', 'it', 'its'] : [`${gone} orphans have`, 'them', 'their'];
      app.output.line(`${what} no replica left: 'dnssync orphans --prune' removes ${it} from the database (${its} events stay)`);
    }
    if (!config) app.output.line(`no config file found: grace period ${sync.orphanGracePeriodMs / 60_000} min and policy ${sync.policy} assumed`);
    return { kind: 'done' };
  } finally {
    store.close();
  }
}

/** "now" (the next sync), a UTC time, "held by policy", or "-" when there is no replica left. */
function replicasGo(orphan: OrphanRow, sync: { orphanGracePeriodMs: number; policy: string }, now: number): string {
  if (orphan.replicas === 0) return '-';
  if (sync.policy !== 'sync') return `held by policy (${sync.policy})`;
  if (orphanIsDue(orphan.orphanedAt, sync.orphanGracePeriodMs, now)) return 'now';
  return new Date(orphanDeadline(orphan.orphanedAt, sync.orphanGracePeriodMs)).toISOString();
}

function prune(app: App, store: Store, repo: OrphanRepository, json: boolean): CommandResult {
  // Pruning writes: not while a sync runs.
  const lock = new SyncLock(store.db, store.path, { host: hostname(), pid: process.pid });
  lock.acquire();
  let pruned: OrphanRow[];
  try {
    pruned = immediateTransaction(store.db, () => repo.prune());
  } finally {
    lock.release();
  }
  if (json) {
    app.output.json({ pruned });
  } else {
    if (pruned.length > 0) {
      app.output.table(
        ['type', 'domain', 'target', 'orphaned since'],
        pruned.map((o) => [shortType(o.type), o.domain, o.target, tableTime(o.orphanedAt)]),
      );
    }
    app.output.line(`pruned ${pruned.length} orphan(s) with no replica left; their events are kept`);
  }
  return { kind: 'done' };
}
