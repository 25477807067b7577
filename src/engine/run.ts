import { availableParallelism } from 'node:os';
import type { Config, ControllerConfig } from '../config/types.ts';
import { getExitCode } from '../domain/exit-codes.ts';
import type { Interruption } from '../domain/run.ts';
import type { InStepSite, KnownState } from '../domain/state.ts';
import { recordFilter } from '../planner/filters.ts';
import { controllerScoped } from '../planner/scope.ts';
import { decideOutcome } from '../planner/outcome.ts';
import { plan as makePlan, type Action, type Plan } from '../planner/plan.ts';
import { failedEntry, snapshotsOf, type SnapshotEntry } from '../planner/snapshots.ts';
import type { Observation } from '../planner/observe.ts';
import { leavesInStep } from '../planner/settled.ts';
import { absenceClaims } from '../planner/absence.ts';
import { newOrphans, waitingOrphans } from '../planner/orphan-notice.ts';
import { optimize, prepareForBulkWrites, type Store } from '../store/database.ts';
import { isCorruption } from '../store/sqlite-errors.ts';
import { EventWriter } from '../store/events.ts';
import { SyncLock } from '../store/lock.ts';
import { RefusalRepository } from '../store/refusals.ts';
import { InStepRepository } from '../store/in-step.ts';
import { ReplicaRepository } from '../store/replicas.ts';
import { RunRepository } from '../store/runs.ts';
import { SiteRepository } from '../store/sites.ts';
import { StateRepository } from '../store/state.ts';
import { immediateTransaction } from '../store/transaction.ts';
import { WritesHere, type ApplyWrites } from '../store/apply-writes.ts';
import { confirmAbsence, type PolicyReader } from './absence.ts';
import { applyPlan, type Applied, type WriteClient } from './apply.ts';
import { doneCounts, plannedCounts, type SyncReport } from './report.ts';
import type { DiscoveryClient } from './discover.ts';
import { readSites, siteId } from './read-sites.ts';
import { UnchangedSites, worldFingerprint } from './unchanged.ts';
import { LegacyLeftovers } from './legacy-leftovers.ts';
import { keySites } from './sites.ts';
import { VERSION } from './version.ts';

export type SyncClient = DiscoveryClient & PolicyReader & WriteClient & { close(): Promise<void> };

export interface SyncOptions {
  config: Config;
  dryRun: boolean;
  /** --site: apply only to these sites (name, internalReference or uuid); empty = all. */
  sites: string[];
  force: boolean;
  failOnChanges: boolean;
}

export interface SyncDeps {
  /** Null for a dry run on a database that does not exist yet. */
  store: Store | null;
  clientFor(controller: ControllerConfig): SyncClient;
  interruption(): Interruption | null;
  identity: { host: string; pid: number; user: string };
  onSiteDiscovered?(controller: string, site: string, status: string): void;
  /** A site's listing is kept to be planned (none is in a run that finds every site in step): from here the run holds listings and a plan. */
  onKeeping?(): void;
  /** Apply's writes on a connection in a worker thread: `auto` (the default) where it pays, see applyWrites. */
  writeThread?: WriteThreadSetting;
}

export type WriteThreadSetting = 'auto' | 'on' | 'off';

const HEARTBEAT_MS = 15_000;

/** One sync run, SPEC §4 end to end: lock, discover, observe, plan, apply, record. */
export async function runSync(options: SyncOptions, deps: SyncDeps): Promise<SyncReport> {
  const startedAt = new Date().toISOString();
  const { store } = deps;
  const writing = !options.dryRun && store !== null;
  const db = store?.db;
  const lock = store ? new SyncLock(store.db, store.path, deps.identity) : null;
  const lockTakenOver = writing ? lock!.acquire().takenOver : null;
  // A dry run takes no lock, so it never holds up a sync; it answers only if none ran meanwhile.
  const noSyncRan = !writing ? (lock?.watch() ?? null) : null;
  const heartbeat = writing ? setInterval(() => beat(lock!), HEARTBEAT_MS).unref() : null;
  if (writing) prepareForBulkWrites(db!);
  const runs = writing ? new RunRepository(db!) : null;
  let runId: number | null = null;
  const clients = new Map(options.config.controllers.map((c) => [c.host, deps.clientFor(c)]));
  // Set once SQLite reports the file damaged: from then on nothing more is written to it.
  let damaged = false;

  try {
    runId = runs?.start({ startedAt, ...deps.identity, version: VERSION, policy: options.config.sync.policy }) ?? null;
    const replicas = writing ? new ReplicaRepository(db!) : null;
    const inStep = store ? new InStepRepository(store.db) : null;
    const world = worldFingerprint(options.config, VERSION);
    // Creates a killed run left in its batch intents become pending replicas, which discovery
    // settles. Then in_step's row 0: whatever changes the state from here on takes it away.
    const lastInStep = writing
      ? immediateTransaction(db!, () => {
          replicas!.pendFromBatches(startedAt);
          const last = inStep!.load(world);
          inStep!.begin(world);
          return last;
        })
      : (inStep?.load(world) ?? null);
    const unchanged = new UnchangedSites(lastInStep);
    const sitesRepo = store ? new SiteRepository(store.db) : null;
    const state = store ? new StateRepository(store.db) : null;
    const { discoveries, nothingToPlan, fingerprints, replicas: read } = await readSites(
      options.config,
      (host) => clients.get(host)!,
      store && { sites: sitesRepo!, state: state! },
      unchanged,
      deps.onSiteDiscovered,
      deps.onKeeping,
    );

    const keyed = () => keySites(discoveries, options.config, sitesRepo, writing, startedAt);
    let snapshots = snapshotsOf(writing ? immediateTransaction(db!, keyed) : keyed(), options.sites);

    const siteRefs = new Map(sitesRepo?.all() ?? []);
    for (const s of snapshots) siteRefs.set(s.site.key, s.site);
    const refusals = store ? new RefusalRepository(store.db) : null;
    // Read before apply records this run's skips: a skip recorded by an earlier run is not news.
    const events = store ? new EventWriter(store.db) : null;
    const now = new Date();
    let plan: Plan;
    // Null when every site listed what it did when the last run left them in step.
    let observed: { observation: Observation; known: KnownState; legacy: LegacyLeftovers } | null = null;
    if (nothingToPlan) {
      plan = inStepPlan(snapshots, unchanged);
    } else {
      const discovered = snapshots.filter((s) => s.status === 'discovered').map((s) => s.site.key);
      // keySites gave every known site the key it had (SiteRepository.find): what was read is theirs.
      const known: KnownState = state?.load(siteRefs, discovered, read) ?? { records: new Map(), origins: new Map(), replicas: new Map(), sites: siteRefs, refusals: new Map() };
      const legacy = new LegacyLeftovers(store, known);
      const passes = recordFilter(options.config.sync);
      const observeAll = () => legacy.observe(snapshots.map((s) => s.snapshot), known, passes, now.toISOString());
      let observation = observeAll();
      const claims = absenceClaims(observation, known);
      if (claims.length > 0) {
        const untrusted = await confirmAbsence(claims, (claim) => clients.get(claim.site.controller)!, options.config.sync.concurrency);
        if (untrusted.size > 0) {
          snapshots = snapshots.map((s) => (untrusted.has(s.site.key) ? failedEntry(s, untrusted.get(s.site.key)!) : s));
          observation = observeAll();
        }
      }
      plan = makePlan(observation, { ...options.config.sync, passes, sites: siteRefs, now, controllerScoped: controllerScoped(options.config) });
      observed = { observation, known, legacy };
    }
    const refused = plan.refusals.length > 0 && !options.force;
    // A refused run records nothing it observed either: a loss it refused must be seen again next run.
    if (writing && !refused && observed) {
      const { observation, known, legacy } = observed;
      immediateTransaction(db!, () => {
        legacy.recordDecisions(now.toISOString());
        state!.record(observation.changes, runId!, now.toISOString());
        legacy.recordDuplicates(observation, known, now.toISOString());
        for (const stale of plan.staleRefusals) refusals!.forget(stale.siteKey, stale.recordId);
      });
    }

    const apply = async (plan: Plan, store: Store, runId: number): Promise<Applied> => {
      const writes = await applyWrites(store, plan, deps.writeThread ?? 'auto');
      try {
        return await applyPlan(plan, {
          writes,
          runId,
          clientFor: (site) => clients.get(site.controller)!,
          stopped: () => deps.interruption() !== null || damaged,
          now: () => new Date().toISOString(),
          // A site of L's gets its 1,990 creates in one batch: 2 commits instead of 5 (bench/apply-sql.ts
          // --batch 2000 against 500: CPU 5.9 s against 7.1 s for the SQL of an initial sync at L).
          batchSize: 2000,
          concurrency: options.config.sync.concurrency,
        });
      } finally {
        await writes.close();
      }
    };
    const repeated = events ? knownSkips(plan, events) : new Set<Action>();
    const changesPlanned = plan.sites.some((s) => s.actions.some((a) => a.kind !== 'skip'));
    const drift = options.failOnChanges && changesPlanned;
    let applied: Applied | null = null;
    if (writing && !refused && !drift) applied = observed ? await apply(plan, store, runId!) : { exceptions: new Map() };
    noSyncRan?.();
    const planned = plannedCounts(plan);
    const done = doneCounts(plan, applied);
    const interruption = deps.interruption();
    const outcome = decideOutcome({
      interruption,
      refused,
      drift,
      nothingDiscovered: snapshots.every((s) => s.status !== 'discovered'),
      partial: discoveries.some((d) => d.status === 'failed') || snapshots.some((s) => s.status === 'failed') || done.failed > 0,
    });
    const decision = { outcome, exitCode: getExitCode({ kind: 'run', outcome, interruption }) };
    // Recorded only after a whole run that went well and changed nothing (row 0 tells): then the
    // next run that reads the same listings has nothing to plan.
    if (writing && outcome === 'success' && options.sites.length === 0 && (!observed || leavesInStep(plan, observed.observation))) {
      immediateTransaction(db!, () => inStep!.settle(inStepSites(plan, fingerprints)));
    }
    const finishedAt = new Date().toISOString();
    runs?.finish(runId!, {
      finishedAt,
      ...decision,
      done,
      planned,
      sitesOk: snapshots.filter((s) => s.status === 'discovered').length,
      sitesFailed: snapshots.filter((s) => s.status === 'failed').length,
    });
    return {
      ...decision,
      runId,
      lockTakenOver,
      dryRun: options.dryRun,
      startedAt,
      finishedAt,
      controllers: discoveries.map((d) => ({
        name: d.controller.name,
        url: d.controller.url,
        version: d.version ?? null,
        status: d.status,
        ...(d.error && { error: d.error }),
      })),
      sites: snapshots.map((s) => ({ site: s.site, status: s.status, ...(s.error && { error: s.error }) })),
      plan,
      inStep: nothingToPlan,
      applied,
      planned,
      done,
      knownSkips: repeated,
      maxDeletePercent: options.config.sync.maxDeletePercent,
      orphaned: observed ? newOrphans(observed.observation, siteRefs) : [],
      orphansWaiting: observed && options.config.sync.policy === 'sync' ? waitingOrphans(observed.observation, options.config.sync.orphanGracePeriodMs, now) : null,
    };
  } catch (error) {
    damaged = isCorruption(error);
    const exitCode = getExitCode({ kind: 'error', error });
    try {
      // A damaged file gets no failed run row: the run row stays unfinished, as the run is.
      const none = { created: 0, updated: 0, deleted: 0, skipped: 0, failed: 0 };
      const nothing = { create: 0, update: 0, delete: 0, skip: 0 };
      if (!damaged && runId !== null) runs?.finish(runId, { finishedAt: new Date().toISOString(), outcome: 'failed', exitCode, done: none, planned: nothing, sitesOk: 0, sitesFailed: 0 });
    } catch {
      // The database may be what failed; the original error is the one to report.
    }
    throw error;
  } finally {
    if (heartbeat) clearInterval(heartbeat);
    try {
      if (writing && !damaged) optimize(db!);
    } finally {
      if (damaged) lock?.releaseIfSound();
      else lock?.release();
      await Promise.all([...clients.values()].map((c) => c.close()));
    }
  }
}

/** Apply's writes: on the run's own connection, or on one in a worker thread (writesBeside). */
async function applyWrites(store: Store, plan: Plan, setting: WriteThreadSetting): Promise<ApplyWrites> {
  const writes = plan.sites.reduce((n, site) => n + site.actions.length, 0);
  if (!writesBeside(setting, writes, availableParallelism())) return new WritesHere(store.db);
  const { WriteThread } = await import('../store/write-thread.ts');
  return WriteThread.canStart() ? new WriteThread(store.path) : new WritesHere(store.db);
}

/**
 * Whether apply writes in a worker thread (issue 13): `auto` gives a plan of at least 20,000
 * writes on a machine of 4 cores or more a connection beside the event loop, where SQLite's part
 * of the work runs while the loop sends and reads other sites' requests. With fewer cores the
 * thread would take CPU from the loop and the controllers; with fewer writes it would save the
 * loop less (about 15 µs a write) than it costs (its start, and 20 MB of memory).
 */
export function writesBeside(setting: WriteThreadSetting, writes: number, cores: number): boolean {
  if (setting !== 'auto') return setting === 'on';
  return writes >= 20_000 && cores >= 4;
}

/** A heartbeat that fails (the file busy or damaged) only ages the lock: the run's own statements report the cause. */
function beat(lock: SyncLock): void {
  try {
    lock.beat();
  } catch {
    // nothing to do here: an exception in a timer would end the process without recording anything
  }
}

/** Skips already recorded; a skip is its site's own action (only plain creates are shared), so the action alone names it. */
function knownSkips(plan: Plan, events: EventWriter): Set<Action> {
  const known = new Set<Action>();
  for (const site of plan.sites) {
    for (const action of site.actions) if (action.kind === 'skip' && events.repeatsSkip(site.site.key, action.record, action.reason)) known.add(action);
  }
  return known;
}

/** The plan when every site lists what it did when the last run left them in step: nothing anywhere. */
function inStepPlan(snapshots: SnapshotEntry[], unchanged: UnchangedSites): Plan {
  const sites = snapshots.filter((s) => s.snapshot.writable).map((s) => ({ site: s.site, actions: [], replicas: unchanged.site(s.site.key)!.replicas }));
  return { sites, refusals: [], staleRefusals: [] };
}

/** Every site of a plan that leaves them in step, with the fingerprint of what it listed. */
function inStepSites(plan: Plan, fingerprints: ReadonlyMap<string, string>): Map<number, InStepSite> {
  return new Map(plan.sites.map((s) => [s.site.key, { fingerprint: fingerprints.get(siteId(s.site.controller, s.site.uuid))!, replicas: s.replicas }]));
}
