import type { DatabaseSync } from 'node:sqlite';
import { LockHeldError } from '../../domain/errors.ts';
import { tablesOf } from '../../store/catalog.ts';
import { SyncLock } from '../../store/lock.ts';
import { short } from '../identity.ts';
import { NotFixed } from '../records.ts';
import { listed, type Fixer, type Issue, type LockIdentity } from './issue.ts';

/** What a sync that died leaves behind: its lock row, and the write intents it had not settled. */

// ---------------------------------------------------------------------------------------------
// lock

function lockOf(db: DatabaseSync, path: string, identity: LockIdentity): SyncLock {
  return new SyncLock(db, path, identity);
}

/** Refuses (exit 5) while a live sync holds the database: its intents are in flight, not left by a crash. */
export function assertNoLiveSync(db: DatabaseSync, path: string, identity: LockIdentity): void {
  if (!tablesOf(db).has('sync_lock')) return;
  const lock = lockOf(db, path, identity);
  const holder = lock.holder();
  if (holder && !lock.isStale(holder)) {
    throw new LockHeldError(
      `a sync holds the database ${path}: host ${holder.host}, pid ${holder.pid}, since ${holder.acquiredAt}; run repair when it has finished`,
    );
  }
}

export function checkLock(db: DatabaseSync, path: string, identity: LockIdentity): Issue[] {
  if (!tablesOf(db).has('sync_lock')) return [];
  const lock = lockOf(db, path, identity);
  const holder = lock.holder();
  if (!holder || !lock.isStale(holder)) return [];
  return [
    {
      check: 'stale-lock',
      problem: lock.staleReason(holder)!,
      where: `sync_lock (host ${holder.host}, pid ${holder.pid}, since ${holder.acquiredAt})`,
      table: 'sync_lock',
      keys: [1],
      plan: 'delete the lock row',
      fix: ({ db: conn }) => {
        const removed = conn
          .prepare('DELETE FROM sync_lock WHERE id = 1 AND host = ? AND pid = ? AND acquired_at = ?')
          .run(holder.host, holder.pid, holder.acquiredAt);
        if (Number(removed.changes) === 0) throw new NotFixed('the lock changed meanwhile; left as it is');
        return 'deleted the lock row';
      },
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// crash intents

interface PendingRow {
  record_id: string;
  site_id: number;
  policy_id: string | null;
  pending: 'create' | 'update' | 'delete';
  pending_run_id: number | null;
  gone: number;
}

type IntentRule = 'create' | 'delete' | 'update' | 'confirmed-create' | 'no-policy';

const INTENT: Record<IntentRule, { problem: string; plan: string; leftForSync: boolean }> = {
  create: {
    problem: 'create intent(s) left by a crash: the create may or may not have reached the controller',
    plan:
      'the next sync adopts the policy by identity if the create went through, or drops the intent; ' +
      'deleting the intent here could make that policy look native',
    leftForSync: true,
  },
  delete: {
    problem: 'delete intent(s) left by a crash: the delete may or may not have reached the controller',
    plan: 'the next sync sees whether the policy is gone and records the DELETED event, or deletes it again',
    leftForSync: true,
  },
  update: {
    problem: 'update intent(s) left by a crash',
    plan: 'clear the intent: the next sync finds the policy by its id, compares it and updates it again if it differs',
    leftForSync: false,
  },
  'confirmed-create': {
    problem: 'create intent(s) on replicas whose policy id is already known',
    plan: 'clear the intent: the policy id is known, so the replica is confirmed',
    leftForSync: false,
  },
  'no-policy': {
    problem: 'update or delete intent(s) on replicas without a policy id',
    plan: 'clear the intent: no write can be sent without a policy id; the replica stays unconfirmed and is adopted by identity',
    leftForSync: false,
  },
};

function ruleOf(row: PendingRow): IntentRule {
  if (row.pending === 'create') return row.policy_id === null ? 'create' : 'confirmed-create';
  if (row.policy_id === null) return 'no-policy';
  return row.pending;
}

/** replicas.pending set while no sync runs (a live holder makes repair refuse before this). */
export function checkIntents(db: DatabaseSync): Issue[] {
  const tables = tablesOf(db);
  if (!tables.has('replicas')) return [];
  const gone = tables.has('sites') ? '(SELECT s.gone_at IS NOT NULL FROM sites s WHERE s.id = r.site_id)' : '0';
  const knownSite = tables.has('sites') ? 'AND site_id IN (SELECT id FROM sites)' : '';
  // A batch of creates a killed run left (store/replicas.ts) counts as one pending create each.
  const batches = tables.has('create_intents')
    ? `UNION ALL SELECT j.value, site_id, NULL, 'create', run_id, coalesce(${gone}, 0) FROM create_intents r, json_each(r.record_ids) j WHERE 1 ${knownSite}`
    : '';
  const rows = db
    // Replicas of unknown sites are the unknown-site check's: they are deleted, intents and all.
    .prepare(
      `SELECT record_id, site_id, policy_id, pending, pending_run_id, coalesce(${gone}, 0) AS gone FROM replicas r
       WHERE pending IS NOT NULL ${knownSite} ${batches}
       ORDER BY pending_run_id, site_id, record_id`,
    )
    .all() as unknown as PendingRow[];
  const groups = new Map<string, { rule: IntentRule; run: number | null; rows: PendingRow[] }>();
  for (const row of rows) {
    const rule = ruleOf(row);
    const key = `${rule}/${row.pending_run_id}`;
    const group = groups.get(key) ?? { rule, run: row.pending_run_id, rows: [] };
    group.rows.push(row);
    groups.set(key, group);
  }
  return [...groups.values()].map(({ rule, run, rows: group }) => {
    const spec = INTENT[rule];
    const sites = [...new Set(group.map((r) => r.site_id))];
    const goneNote = spec.leftForSync && group.some((r) => r.gone) ? ' (those at sites marked gone wait until the site is listed again)' : '';
    const recordsListed = listed(group.map((r) => short(r.record_id)));
    return {
      check: 'crash-intent' as const,
      problem: `${group.length} ${spec.problem}`,
      where: `replicas${run === null ? '' : ` of run ${run}`} at site(s) ${listed(sites.map(String))}: record(s) ${recordsListed}`,
      table: 'replicas',
      keys: group.map((r) => [r.record_id, r.site_id]),
      plan: spec.plan + goneNote,
      ...(spec.leftForSync
        ? { leftForSync: true }
        : {
            fix: ({ db: conn, records }: Fixer) => {
              const clear = conn.prepare(
                'UPDATE replicas SET pending = NULL, pending_run_id = NULL, pending_body = NULL WHERE record_id = ? AND site_id = ? AND pending = ?',
              );
              let cleared = 0;
              for (const r of group) cleared += Number(clear.run(records.currentId(r.record_id), r.site_id, r.pending).changes);
              return `cleared ${cleared} intent(s); ${spec.plan.replace(/^clear the intent: /, '')}`;
            },
          }),
    };
  });
}
