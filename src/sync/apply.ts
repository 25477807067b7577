import type { DatabaseSync } from 'node:sqlite';
import type { EventStatus, EventWriter } from '../store/events.ts';
import type { ReplicaRepository } from '../store/replicas.ts';
import { immediateTransaction } from '../store/transaction.ts';
import { OVERLAP_CODES, type DnsPolicy, type DnsPolicyBody } from '../unifi/types.ts';
import type { SiteRef } from './model.ts';
import { inParallel } from './parallel.ts';
import { bodyOf, type Action, type Plan, type SitePlan } from './plan.ts';

/** The writes apply needs from a controller (the UniFi client, or a test double). */
export interface WriteClient {
  createPolicy(siteId: string, body: DnsPolicyBody): Promise<DnsPolicy>;
  updatePolicy(siteId: string, policyId: string, body: DnsPolicyBody): Promise<DnsPolicy>;
  deletePolicy(siteId: string, policyId: string): Promise<void>;
}

/** What a failed request tells: the UniFi client's errors have these fields. */
interface WriteError {
  message: string;
  status?: number;
  code?: string;
  ambiguous?: boolean;
  /** Dropped before sending because the run is stopping. */
  notSent?: boolean;
}

export type Outcome = 'created' | 'updated' | 'deleted' | 'skipped' | 'failed' | 'not-sent';

export interface ActionResult {
  action: Action;
  outcome: Outcome;
  /** Why it was skipped or failed. */
  reason?: string;
}

export interface ApplyContext {
  db: DatabaseSync;
  replicas: ReplicaRepository;
  events: EventWriter;
  runId: number;
  clientFor(site: SiteRef): WriteClient;
  /** True once SIGTERM/SIGINT asked to stop: no new write is sent. */
  stopped(): boolean;
  now(): string;
  /** Intents are committed, and outcomes recorded, this many actions at a time. */
  batchSize: number;
  /** Sites of one controller worked on at once. */
  sitesInParallel: number;
  onSite?(plan: SitePlan, results: ActionResult[]): void;
}

/**
 * Carries out a plan with the intent protocol of SPEC §4.7: the intents of a batch are committed
 * before its requests go out, and the outcomes after they come back. One failure stays with its
 * record; other records and sites carry on.
 */
export async function applyPlan(plan: Plan, ctx: ApplyContext): Promise<ActionResult[]> {
  const byController = new Map<string, SitePlan[]>();
  for (const site of plan.sites) {
    if (site.actions.length === 0) continue;
    byController.set(site.site.controller, [...(byController.get(site.site.controller) ?? []), site]);
  }
  const results = await Promise.all(
    [...byController.values()].map((sites) => inParallel(sites, ctx.sitesInParallel, (site) => applySite(site, ctx))),
  );
  return results.flat(2);
}

async function applySite(sitePlan: SitePlan, ctx: ApplyContext): Promise<ActionResult[]> {
  const results: ActionResult[] = [];
  const skips = sitePlan.actions.filter((a) => a.kind === 'skip');
  immediateTransaction(ctx.db, () => {
    for (const action of skips) {
      if (lastEventDiffers(ctx.db, action)) event(ctx, action, 'SKIPPED', action.reason);
    }
  });
  results.push(...skips.map((action) => ({ action, outcome: 'skipped' as const, reason: action.reason! })));

  // Deletes first, so that a name they free can be taken by a create of the same run.
  for (const kind of ['delete', 'update', 'create'] as const) {
    const actions = sitePlan.actions.filter((a) => a.kind === kind);
    for (let i = 0; i < actions.length; i += ctx.batchSize) {
      results.push(...(await applyBatch(actions.slice(i, i + ctx.batchSize), ctx)));
    }
  }
  ctx.onSite?.(sitePlan, results);
  return results;
}

async function applyBatch(actions: Action[], ctx: ApplyContext): Promise<ActionResult[]> {
  if (ctx.stopped()) return actions.map((action) => ({ action, outcome: 'not-sent' as const }));
  immediateTransaction(ctx.db, () => {
    for (const action of actions) intend(action, ctx);
  });
  const answers = await Promise.all(actions.map((action) => send(action, ctx)));
  return immediateTransaction(ctx.db, () => answers.map((answer, i) => settle(actions[i]!, answer, ctx)));
}

type Answer = { ok: true; policy?: DnsPolicy } | { ok: false; error: WriteError } | { ok: false; notSent: true };

async function send(action: Action, ctx: ApplyContext): Promise<Answer> {
  if (ctx.stopped()) return { ok: false, notSent: true };
  const client = ctx.clientFor(action.site);
  const siteId = action.site.uuid;
  try {
    if (action.kind === 'create') return { ok: true, policy: await client.createPolicy(siteId, bodyOf(action)) };
    if (action.kind === 'update') return { ok: true, policy: await client.updatePolicy(siteId, action.policyId!, bodyOf(action)) };
    await client.deletePolicy(siteId, action.policyId!);
    return { ok: true };
  } catch (error) {
    if ((error as WriteError).notSent) return { ok: false, notSent: true };
    return { ok: false, error: error as WriteError };
  }
}

function intend(action: Action, ctx: ApplyContext): void {
  const { record, site } = action;
  if (action.kind === 'create') ctx.replicas.intendCreate(record.id, site.key, ctx.runId, JSON.stringify(bodyOf(action)), ctx.now());
  else if (action.kind === 'update') ctx.replicas.intendUpdate(record.id, site.key, ctx.runId, JSON.stringify(bodyOf(action)));
  else ctx.replicas.intendDelete(record.id, site.key, ctx.runId);
}

const DONE: Record<'create' | 'update' | 'delete', { outcome: Outcome; status: EventStatus }> = {
  create: { outcome: 'created', status: 'CREATED' },
  update: { outcome: 'updated', status: 'UPDATED' },
  delete: { outcome: 'deleted', status: 'DELETED' },
};

/** Records one outcome: the replica row as it now is, and its event. */
function settle(action: Action, answer: Answer, ctx: ApplyContext): ActionResult {
  const { record, site } = action;
  const kind = action.kind as 'create' | 'update' | 'delete';
  const drop = () => (kind === 'create' ? ctx.replicas.removed(record.id, site.key) : ctx.replicas.settled(record.id, site.key));

  if ('notSent' in answer) {
    drop();
    return { action, outcome: 'not-sent' };
  }
  const gone = !answer.ok && answer.error.status === 404;
  if (answer.ok || (kind === 'delete' && gone)) {
    if (kind === 'create') ctx.replicas.created(record.id, site.key, (answer as { policy: DnsPolicy }).policy.id);
    else if (kind === 'update') ctx.replicas.settled(record.id, site.key);
    else ctx.replicas.removed(record.id, site.key);
    event(ctx, action, DONE[kind].status, action.reason);
    return { action, outcome: DONE[kind].outcome, ...(action.reason && { reason: action.reason }) };
  }

  const { error } = answer;
  if (kind === 'create' && error.status === 400 && (OVERLAP_CODES as readonly string[]).includes(error.code ?? '')) {
    drop(); // refused, so not created: never a replica; the next run tries again
    event(ctx, action, 'SKIPPED', error.code!);
    return { action, outcome: 'skipped', reason: error.code! };
  }
  let reason = error.message;
  if (error.ambiguous) {
    // Sent without an answer: the intent stays, and the next discovery tells what happened.
    reason = `${error.message} (no answer; the next run checks whether it was applied)`;
  } else if (kind === 'update' && gone) {
    ctx.replicas.removed(record.id, site.key); // someone deleted it meanwhile: the next run creates it again
  } else {
    drop();
  }
  event(ctx, action, 'FAILED', reason);
  return { action, outcome: 'failed', reason };
}

function event(ctx: ApplyContext, action: Action, status: EventStatus, reason?: string): void {
  ctx.events.add({ runId: ctx.runId, record: action.record, siteKey: action.site.key, status, reason: reason ?? null, at: ctx.now() });
}

/** A conflict that persists is recorded once, not on every run. */
function lastEventDiffers(db: DatabaseSync, action: Action): boolean {
  const last = db
    .prepare('SELECT status, reason FROM sync_events WHERE record_id = ? AND site_id = ? ORDER BY timestamp DESC, id DESC LIMIT 1')
    .get(action.record.id, action.site.key) as { status: string; reason: string | null } | undefined;
  return !last || last.status !== 'SKIPPED' || last.reason !== action.reason;
}
