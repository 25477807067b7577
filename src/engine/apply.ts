import type { EventStatus } from '../domain/run.ts';
import type { ApplyRepositories, ApplyWrites } from '../store/apply-writes.ts';
import { refusesRecord, type DnsPolicy, type DnsPolicyBody } from '../domain/policy.ts';
import type { SiteRef } from '../domain/state.ts';
import { inParallel } from './parallel.ts';
import { bodyOf, refusedReason, type Action, type Plan, type SitePlan } from '../planner/plan.ts';

/** The writes apply needs from a controller (the UniFi client, or a test double). */
export interface WriteClient {
  createPolicy(siteId: string, body: DnsPolicyBody): Promise<DnsPolicy>;
  updatePolicy(siteId: string, policyId: string, body: DnsPolicyBody): Promise<DnsPolicy>;
  deletePolicy(siteId: string, policyId: string): Promise<void>;
}

/** What a failed request tells: the UniFi client's errors have these fields. */
interface WriteError {
  message: string;
  /** The API's own message, without the request. */
  apiMessage?: string;
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

const DONE: Record<'create' | 'update' | 'delete', { outcome: Outcome; status: EventStatus }> = {
  create: { outcome: 'created', status: 'CREATED' },
  update: { outcome: 'updated', status: 'UPDATED' },
  delete: { outcome: 'deleted', status: 'DELETED' },
};

/**
 * What applying a plan did. Only the actions that did not go as planned are kept (failed, refused
 * by the controller, not sent): an initial sync makes 400,000 creates that all simply succeed.
 * By site key: a plain create is one action shared by every site that gets it (planner/plan.ts).
 */
export interface Applied {
  exceptions: Map<number, Map<Action, ActionResult>>;
}

/** The action's result at the site, when it did not go as planned. */
export function exceptionOf(applied: Applied, site: SiteRef, action: Action): ActionResult | undefined {
  return applied.exceptions.get(site.key)?.get(action);
}

function except(applied: Applied, site: SiteRef, result: ActionResult): void {
  let bySite = applied.exceptions.get(site.key);
  if (!bySite) applied.exceptions.set(site.key, (bySite = new Map()));
  bySite.set(result.action, result);
}

export interface ApplyContext {
  /** On the run's connection, or on one in a worker thread: apply waits for a commit only where it must. */
  writes: ApplyWrites;
  runId: number;
  clientFor(site: SiteRef): WriteClient;
  /** True once SIGTERM/SIGINT asked to stop: no new write is sent. */
  stopped(): boolean;
  now(): string;
  /** Intents are committed, and outcomes recorded, this many actions at a time. */
  batchSize: number;
  /** Sites of one controller worked on at once, and requests of one site in flight at once. */
  concurrency: number;
}

/** The result of an action at a site: its exception, or what the plan said it would do. */
export function resultOf(site: SiteRef, action: Action, applied: Applied): ActionResult {
  const exception = exceptionOf(applied, site, action);
  if (exception) return exception;
  const outcome = action.kind === 'skip' ? 'skipped' : DONE[action.kind].outcome;
  return { action, outcome, ...(action.reason && { reason: action.reason }) };
}

/**
 * Carries out a plan with the intent protocol of SPEC §4.7: the intents of a batch are committed
 * before its requests go out, and the outcomes after they come back. One failure stays with its
 * record; other records and sites carry on.
 */
export async function applyPlan(plan: Plan, ctx: ApplyContext): Promise<Applied> {
  const applied: Applied = { exceptions: new Map() };
  const byController = new Map<string, SitePlan[]>();
  for (const site of plan.sites) {
    if (site.actions.length === 0) continue;
    byController.set(site.site.controller, [...(byController.get(site.site.controller) ?? []), site]);
  }
  await Promise.all([...byController.values()].map((sites) => inParallel(sites, ctx.concurrency, (site) => applySite(site, ctx, applied))));
  return applied;
}

async function applySite(sitePlan: SitePlan, ctx: ApplyContext, applied: Applied): Promise<void> {
  const { site } = sitePlan;
  const skips = sitePlan.actions.filter((a) => a.kind === 'skip');
  if (skips.length > 0) {
    await ctx.writes.transaction(({ events }) => {
      const at = ctx.now();
      for (const action of skips) events.addSkip({ runId: ctx.runId, record: action.record, siteKey: site.key, status: 'SKIPPED', reason: action.reason ?? null, at });
    });
  }
  // Deletes first, so that a name they free can be taken by a create of the same run.
  const batches: Action[][] = [];
  for (const kind of ['delete', 'update', 'create'] as const) {
    const actions = sitePlan.actions.filter((a) => a.kind === kind);
    for (let i = 0; i < actions.length; i += ctx.batchSize) batches.push(actions.slice(i, i + ctx.batchSize));
  }
  // A batch's outcomes are committed with the next batch's intents: one commit (and fsync) a
  // batch instead of two, and the next requests go out as soon as the last answers are in.
  let sent: SentBatch | null = null;
  for (const actions of batches) {
    if (ctx.stopped()) {
      for (const action of actions) except(applied, site, { action, outcome: 'not-sent' });
      continue;
    }
    const done = sent;
    await ctx.writes.transaction((repositories) => {
      if (done) record(done, site, ctx, repositories, applied);
      intend(actions, site, ctx, repositories);
    });
    // A few requests of the site at a time: the other sites in flight keep the controller busy.
    sent = { actions, answers: await inParallel(actions, ctx.concurrency, (action) => send(action, site, ctx)) };
  }
  const last = sent;
  if (last) await ctx.writes.transaction((repositories) => record(last, site, ctx, repositories, applied));
}

/** A batch whose requests are answered, its outcomes not yet recorded. */
interface SentBatch {
  actions: Action[];
  answers: Answer[];
}

/** The intents of a batch (of one site and one kind): one row for creates, one each otherwise. */
function intend(actions: Action[], site: SiteRef, ctx: ApplyContext, repositories: ApplyRepositories): void {
  if (actions[0]!.kind === 'create') repositories.replicas.intendCreates(actions.map((a) => a.record.id), site.key, ctx.runId);
  else for (const action of actions) intendOne(action, site, ctx, repositories);
}

/** The outcomes of a batch, in the transaction of `repositories`. */
function record({ actions, answers }: SentBatch, site: SiteRef, ctx: ApplyContext, repositories: ApplyRepositories, applied: Applied): void {
  const settling: Settling = { site, runId: ctx.runId, at: ctx.now(), repositories };
  const made: string[] = [];
  for (let i = 0; i < actions.length; i++) {
    const exception = settle(actions[i]!, answers[i]!, settling, made);
    if (exception) except(applied, site, exception);
  }
  if (actions[0]!.kind === 'create') repositories.replicas.createsSettled(site.key, ctx.runId, made, settling.at);
}

/** Where and when a batch's outcomes are recorded. */
interface Settling {
  site: SiteRef;
  runId: number;
  at: string;
  repositories: ApplyRepositories;
}

/** A create's answer keeps the new policy's id alone: 32,000 answers wait for their batch's commit at L (issue 13). */
type Answer = { ok: true; policyId?: string } | { ok: false; error: WriteError } | { ok: false; notSent: true };

async function send(action: Action, site: SiteRef, ctx: ApplyContext): Promise<Answer> {
  if (ctx.stopped()) return { ok: false, notSent: true };
  const client = ctx.clientFor(site);
  const siteId = site.uuid;
  try {
    if (action.kind === 'create') return { ok: true, policyId: (await client.createPolicy(siteId, bodyOf(action))).id };
    if (action.kind === 'update') {
      await client.updatePolicy(siteId, action.policyId!, bodyOf(action));
      return { ok: true };
    }
    await client.deletePolicy(siteId, action.policyId!);
    return { ok: true };
  } catch (error) {
    if ((error as WriteError).notSent) return { ok: false, notSent: true };
    return { ok: false, error: error as WriteError };
  }
}

/** The intent of an update or delete (creates have one per batch). */
function intendOne(action: Action, site: SiteRef, ctx: ApplyContext, { duplicates, replicas }: ApplyRepositories): void {
  const { record } = action;
  // A duplicate the legacy tool made is no replica: its intent is on its own row.
  if (action.duplicate) duplicates.intendDelete(site.key, action.policyId!, ctx.runId);
  else if (action.kind === 'update') replicas.intendUpdate(record.id, site.key, ctx.runId, JSON.stringify(bodyOf(action)));
  else replicas.intendDelete(record.id, site.key, ctx.runId);
}

/**
 * Records one outcome: the replica row as it now is (a create that went through is added to
 * `made`, for its batch's createsSettled), and its event. Returns it unless it went as planned.
 */
function settle(action: Action, answer: Answer, settling: Settling, made: string[]): ActionResult | null {
  if (action.duplicate) return settleDuplicate(action, answer, settling);
  const { record } = action;
  const kind = action.kind as 'create' | 'update' | 'delete';
  const { site, at, repositories: { replicas, refusals } } = settling;
  const drop = () => (kind === 'create' ? replicas.removed(record.id, site.key) : replicas.settled(record.id, site.key));

  if ('notSent' in answer) {
    drop();
    return { action, outcome: 'not-sent' };
  }
  const gone = !answer.ok && answer.error.status === 404;
  if (answer.ok || (kind === 'delete' && gone)) {
    if (kind === 'create') made.push(record.id, (answer as { policyId: string }).policyId);
    else if (kind === 'update') replicas.settled(record.id, site.key);
    else replicas.removed(record.id, site.key);
    if (action.retried) refusals.forget(site.key, record.id);
    event(settling, action, DONE[kind].status, action.reason);
    return null;
  }

  const { error } = answer;
  if (kind === 'create' && error.status === 400 && refusesRecord(error.code)) {
    // Refused, so not created: never a replica. Remembered, so that it is not sent again while
    // its cause lasts (planner/plan.ts); a refusal that goes on is not news: one event when it starts.
    drop();
    refusals.refused(site.key, record.id, error.code!, error.apiMessage ?? error.message, at);
    const reason = refusedReason({ code: error.code!, message: error.message, refusedAt: action.retried?.refusedAt ?? at, triedAt: at });
    if (!action.retried) event(settling, action, 'SKIPPED', reason);
    return { action, outcome: 'skipped', reason };
  }
  let reason = error.message;
  if (error.ambiguous) {
    // Sent without an answer: the intent stays (a create's on its own row, as its batch's goes),
    // and the next discovery tells what happened.
    if (kind === 'create') replicas.intendCreate(record.id, site.key, settling.runId, at);
    reason = `${error.message} (no answer; the next run checks whether it was applied)`;
  } else if (kind === 'update' && gone) {
    replicas.removed(record.id, site.key); // someone deleted it meanwhile: the next run creates it again
  } else {
    drop();
  }
  event(settling, action, 'FAILED', reason);
  return { action, outcome: 'failed', reason };
}

/** A delete of a legacy duplicate: its row goes once it is gone; the replica is not touched. */
function settleDuplicate(action: Action, answer: Answer, settling: Settling): ActionResult | null {
  const { policyId } = action;
  const { site, repositories: { duplicates } } = settling;
  if ('notSent' in answer) {
    duplicates.notDeleted(site.key, policyId!);
    return { action, outcome: 'not-sent' };
  }
  if (answer.ok || answer.error.status === 404) {
    duplicates.forget(site.key, policyId!);
    event(settling, action, 'DELETED', action.reason);
    return null;
  }
  const { error } = answer;
  // Sent without an answer: the intent stays, and the next discovery tells what happened.
  if (!error.ambiguous) duplicates.notDeleted(site.key, policyId!);
  event(settling, action, 'FAILED', error.message);
  return { action, outcome: 'failed', reason: error.message };
}

function event({ site, runId, at, repositories }: Settling, action: Action, status: EventStatus, reason?: string): void {
  repositories.events.add({ runId, record: action.record, siteKey: site.key, status, reason: reason ?? null, at });
}
