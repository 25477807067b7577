// `npm run bench` (SPEC §8, issue 13): dnssync against its floors on the simulator, at L/4,
// L/4 with 10 ms per request, L and (on request) 2L.
//
//   node bench/run.ts [--quick] [--load L/4|L/4@10ms|L|2L]... [--runs N] [--sources] [--profile] [--keep]
//
//   --quick    only L/4 (a minute or two), to try it out
//   --load X   only this load (repeatable; run in the order above); default L/4, L/4@10ms, L.
//              2L (twice L's policies, for memory) runs only when named: it is long
//   --runs N   repetitions of the short measurements (default 5; at least 1)
//   --sources  run the checkout's sources (Node erasing the types) instead of dnssync as it ships:
//              the bundle `npm run build` makes, built into the scratch folder first
//   --profile  run every dnssync process with --cpu-prof (timings are then inflated) and print
//              the top self-time functions of each phase; profiles go to bench/profiles/. Implies
//              --sources, so that each function keeps its file
//   --keep     keep the scratch folder (scenario, config, database) and print its path
//
// Prints a table (median, min, max over the runs; CPU time, main-thread busy time and requests per
// second per controller; wall and CPU ratios to the floors; the targets) and writes
// bench/results.json. Every dnssync run is also checked for what it must do: the
// request counts (from the simulator's /__sim/stats) and the database's run and event rows.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { parseArgs } from 'node:util';
import { getGlobalDispatcher } from 'undici';
import { dnssync, floor, useDnssync, type DnssyncRun } from './child.ts';
import { canBundle, shippedLayout } from './layout.ts';
import {
  DEFAULT_LOADS,
  LOAD_2L,
  LOAD_L,
  LOAD_L4,
  LOADS,
  controllerNames,
  convergedPoliciesPerSite,
  initialCreates,
  listRequests,
  nativeDomain,
  scenarioOf,
  totalRecords,
  totalSites,
  type Load,
} from './load.ts';
import { formatProfile, summarizeProfile, type ProfileSummary } from './profile-summary.ts';
import { ROOT, SimProcess } from './sim-process.ts';
import { duration, megabytes, sample, table, type Sample } from './stats.ts';

const CONCURRENCY = 4;

/**
 * Issue 13's targets, by CPU time (dnssync's / the floor's): they hold on any machine, busy or
 * not, many cores or two; and peak RSS at L, and at 2L against L (memory must not grow with
 * sites × records). SPEC §8's by wall time, still reported: no-op ≤ 1.5 × and initial ≤ 1.3 ×
 * the floor's wall time (its peak RSS target, 512 MB at L, is issue 13's 256 MB now); history
 * and orphans, each ≤ 100 ms (issue 13 item 5; SPEC §8 allows orphans 1 s).
 */
const TARGETS = {
  noopOverFetchCpu: 1.5,
  initialOverPostCpu: 1.6,
  peakRssMb: 256,
  peakRss2LOverL: 1.25,
  noopOverFetch: 1.5,
  initialOverPost: 1.3,
  historyMs: 100,
  orphansMs: 100,
};

interface Check {
  what: string;
  ok: boolean;
  detail: string;
}

/** What one measurement of a phase yields. */
interface Measured {
  /** Wall time, ms. */
  ms: number;
  /** CPU time (user + system) of the measured process. */
  cpuMs?: number | null;
  /** Its main thread's busy time over the same span. */
  mainBusyMs?: number | null;
  /** Its main thread's own CPU time over the same span. */
  mainCpuMs?: number | null;
  /** Its worker threads' own CPU time (dnssync's write thread); absent for a floor, which has none. */
  workerCpuMs?: number | null;
  /** The simulator's CPU time meanwhile. */
  simCpuMs?: number | null;
  maxRssKb?: number | null;
  totalChanges?: number | null;
  /** Requests the simulator answered meanwhile (its /__sim/stats). */
  requests?: number | null;
}

type Metric = Sample & {
  unit: string;
  cpu?: Sample;
  /** Main thread busy, ms. */
  mainBusy?: Sample;
  /** Main thread busy / wall time. */
  mainBusyShare?: Sample;
  /** Main thread CPU time, ms. */
  mainCpu?: Sample;
  /** Worker threads' CPU time (dnssync's write thread), ms. */
  workerCpu?: Sample;
  /** CPU time of every other thread (V8's and libuv's helpers: garbage collection, the compiler), ms. */
  helperCpu?: Sample;
  simCpu?: Sample;
  /** Requests per second per controller: the simulator's count over the wall time. */
  requestsPerSecondPerController?: Sample;
  note?: string;
};

interface LoadResult {
  load: string;
  shape: {
    controllers: number;
    sitesPerController: number[];
    sites: number;
    recordsPerSite: number;
    records: number;
    policiesWhenConverged: number;
    initialCreates: number;
    listRequestsPerSync: number;
    changedOrigins: number;
    /** Every API answer waits this long (0: none). */
    latencyMs: number;
    /** At that latency and concurrency, the most requests per second per controller any client gets (null without latency). */
    latencyBoundPerController: number | null;
    /** Only the floors, the initial and the no-op syncs were run. */
    compareOnly: boolean;
  };
  /**
   * Wall time (ms) per measurement, with the CPU time (user + system) of the measured process
   * (`cpu`), its main thread's busy time (`mainBusy`, and its share of the wall time), the
   * simulator's CPU time meanwhile (`simCpu`) and the requests per second per controller, where known.
   */
  metrics: Record<string, Metric>;
  /** Peak RSS of the dnssync process per phase, MB (max over the runs). */
  peakRssMb: Record<string, number>;
  /** Rows changed by one dnssync run (SQLite total_changes()), median per phase. */
  rowsChanged: Record<string, number>;
  database: { afterInitialBytes: number; finalBytes: number; files: Record<string, number>; rows: Record<string, number> };
  simulator: { peakRssMb: number | null };
  /** Medians by CPU time (issue 13's targets; other load on the machine disturbs them less), and by wall time (SPEC §8's). */
  ratios: { noopOverFetch: number; initialOverPost: number; noopOverFetchCpu: number; initialOverPostCpu: number };
  /** Against TARGETS; peakRss only at L, peakRssOverL only at 2L when L was run too. */
  verdicts: {
    noopOverFetchCpu: boolean;
    initialOverPostCpu: boolean;
    noopOverFetch: boolean;
    initialOverPost: boolean;
    peakRss?: boolean;
    peakRssOverL?: boolean;
    history?: boolean;
    orphans?: boolean;
  };
  /** Highest peak RSS of any dnssync run of this load, MB, and the phase it was in. */
  peakRss: { mb: number; phase: string };
  /** At 2L, when L was run too: its peak RSS over L's. */
  peakRssOverL?: number;
  checks: Check[];
  profiles?: Record<string, ProfileSummary>;
  commands: { history: boolean; orphans: boolean };
}

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    load: { type: 'string', multiple: true },
    runs: { type: 'string', default: '5' },
    profile: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    sources: { type: 'boolean', default: false },
  },
});
/**
 * What runs: the checkout's sources, or the bundle the package and the image ship; the sources
 * where the bundle cannot be built (an install without dev dependencies, as device-bench packs).
 */
const LAYOUT = flags.sources || flags.profile || !canBundle() ? 'sources' : 'bundle';
const RUNS = Math.max(1, Number.parseInt(flags.runs!, 10) || 5);
const PROFILE_ROOT = join(ROOT, 'bench', 'profiles');

function log(message: string) {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

function check(checks: Check[], what: string, ok: boolean, detail: string) {
  checks.push({ what, ok, detail });
  if (!ok) log(`CHECK FAILED: ${what}: ${detail}`);
}

/** dbCount, or null where the database has no such table (a dnssync before it). */
function tryCount(db: string, sql: string): number | null {
  try {
    return dbCount(db, sql);
  } catch {
    return null;
  }
}

function dbCount(db: string, sql: string): number {
  const conn = new DatabaseSync(db, { readOnly: true });
  try {
    return Number((conn.prepare(sql).get() as { n: number }).n);
  } finally {
    conn.close();
  }
}

function dbFiles(db: string): Record<string, number> {
  const files: Record<string, number> = {};
  for (const suffix of ['', '-wal', '-shm']) if (existsSync(db + suffix)) files[`dnssync.db${suffix}`] = statSync(db + suffix).size;
  return files;
}

/** Database size as SPEC §8 counts it: the file plus its -wal. */
function dbBytes(db: string): number {
  const files = dbFiles(db);
  return (files['dnssync.db'] ?? 0) + (files['dnssync.db-wal'] ?? 0);
}

/** The summary line dnssync prints last: created N, updated N, deleted N, skipped N, failed N. */
function summaryOf(run: DnssyncRun): Record<string, number> | null {
  const match = /created (\d+), updated (\d+), deleted (\d+), skipped (\d+), failed (\d+)\s*$/.exec(run.tail);
  if (!match) return null;
  const [, created, updated, deleted, skipped, failed] = match.map(Number);
  return { created: created!, updated: updated!, deleted: deleted!, skipped: skipped!, failed: failed! };
}

function describeRun(run: DnssyncRun): string {
  return `exit ${run.code ?? run.signal}${run.code !== 0 ? `: ${run.stderr.trim().split('\n').slice(-3).join(' | ')}` : ''}`;
}

/** Commands the dnssync CLI registers, from `dnssync --help`. */
async function availableCommands(scratch: string): Promise<Set<string>> {
  const help = await dnssync(['--help'], scratch);
  const section = help.tail.split(/^Commands:$/m)[1] ?? '';
  return new Set([...section.matchAll(/^ {2}(\w[\w-]*)/gm)].map((m) => m[1]!));
}

/** Runs `work` and tells how much CPU time the simulator used meanwhile (null where /proc is missing). */
async function withSimCpu<T>(sim: SimProcess, work: () => Promise<T>): Promise<T & { simCpuMs: number | null }> {
  const before = sim.cpuMs();
  const result = await work();
  const after = sim.cpuMs();
  return { ...result, simCpuMs: before === null || after === null ? null : after - before };
}

class Phase {
  readonly ms: number[] = [];
  readonly cpuMs: number[] = [];
  readonly mainBusyMs: number[] = [];
  readonly mainBusyShare: number[] = [];
  readonly mainCpuMs: number[] = [];
  readonly workerCpuMs: number[] = [];
  readonly helperCpuMs: number[] = [];
  readonly simCpuMs: number[] = [];
  readonly rssKb: number[] = [];
  readonly changes: number[] = [];
  readonly perSecond: number[] = [];
  private readonly controllers: number;
  constructor(controllers: number) {
    this.controllers = controllers;
  }
  add(run: Measured) {
    this.ms.push(run.ms);
    if (run.cpuMs != null) this.cpuMs.push(run.cpuMs);
    if (run.mainBusyMs != null) {
      this.mainBusyMs.push(run.mainBusyMs);
      this.mainBusyShare.push(run.mainBusyMs / run.ms);
    }
    if (run.mainCpuMs != null) this.mainCpuMs.push(run.mainCpuMs);
    if (run.workerCpuMs != null) this.workerCpuMs.push(run.workerCpuMs);
    if (run.cpuMs != null && run.mainCpuMs != null) this.helperCpuMs.push(run.cpuMs - run.mainCpuMs - (run.workerCpuMs ?? 0));
    if (run.simCpuMs != null) this.simCpuMs.push(run.simCpuMs);
    if (run.maxRssKb != null) this.rssKb.push(run.maxRssKb);
    if (run.totalChanges != null) this.changes.push(run.totalChanges);
    if (run.requests != null && run.ms > 0) this.perSecond.push(run.requests / (run.ms / 1000) / this.controllers);
  }
}

/**
 * Each run over the floor measured just before it, pair by pair: the machine's speed drifts from
 * one minute to the next, and a pair drifts together. Their median is the ratio the targets are
 * checked against (a ratio of the two medians could set one pair's sync against another's floor).
 */
function pairedRatio(runs: Sample, floors: Sample): Sample {
  if (runs.samples.length !== floors.samples.length) return sample([runs.median / floors.median]);
  return sample(runs.samples.map((x, i) => x / floors.samples[i]!));
}

async function benchLoad(load: Load, scratchRoot: string): Promise<LoadResult> {
  const dir = join(scratchRoot, load.name.replace('/', '-'));
  mkdirSync(dir, { recursive: true });
  const scenarioFile = join(dir, 'scenario.json');
  writeFileSync(scenarioFile, JSON.stringify(scenarioOf(load)));
  const checks: Check[] = [];
  const phases: Record<string, Phase> = {};
  const phase = (name: string) => (phases[name] ??= new Phase(load.sitesPerController.length));
  const sites = totalSites(load);
  const records = totalRecords(load);
  const creates = initialCreates(load);
  const lists = listRequests(load);
  const changed = Math.max(1, Math.round(records / 100));
  const initialRuns = Math.min(load.initialRuns, RUNS);
  const latencyMs = load.latencyMs ?? 0;
  const profileDir = (name: string) => (flags.profile ? join(PROFILE_ROOT, `${load.name.replace('/', '-')}-${name}`) : undefined);
  let simPeakKb: number | null = null;
  const noteSim = (sim: SimProcess) => {
    const { hwmKb } = sim.memory();
    if (hwmKb !== null) simPeakKb = Math.max(simPeakKb ?? 0, hwmKb);
  };

  log(
    `${load.name}: ${load.sitesPerController.length} controllers, ${sites} sites, ${records} records, ${creates} creates, ${lists} list requests per sync` +
      (latencyMs > 0 ? `, ${latencyMs} ms per request` : ''),
  );
  const servesLatency = (sim: SimProcess) =>
    check(checks, "simulator answers after the load's latency", sim.controllers.every((c) => (c.latencyMs ?? 0) === latencyMs), `${sim.controllers.map((c) => c.latencyMs).join(', ')} ms, expected ${latencyMs}`);

  const targetFile = (sim: SimProcess) => {
    const file = join(dir, 'target.json');
    writeFileSync(file, JSON.stringify({ concurrency: CONCURRENCY, controllers: sim.controllers.map(({ name, url, apiKey }) => ({ name, url, apiKey })) }));
    return file;
  };

  // 1. The bare POST loop, on a fresh simulator.
  const barePost = async (r: number) => {
    const sim = await SimProcess.start(scenarioFile);
    try {
      await sim.clearStats();
      if (r === 0) servesLatency(sim);
      const post = await withSimCpu(sim, () =>
        floor<{ ms: number; cpuMs: number; mainBusyMs: number; mainCpuMs: number; requests: number; created: number; failed: number; readMs: number }>('./bare-post.ts', targetFile(sim)),
      );
      const stats = await sim.stats();
      // The loop's own time and its POSTs (the reading before it is neither timed nor counted).
      phase('barePost').add({ ms: post.report.ms, cpuMs: post.report.cpuMs, mainBusyMs: post.report.mainBusyMs, mainCpuMs: post.report.mainCpuMs, simCpuMs: post.simCpuMs, requests: stats.byMethod.POST ?? 0 });
      check(checks, 'bare POST loop creates every replica', post.report.created === creates && post.report.failed === 0, `${post.report.created} created, ${post.report.failed} failed, expected ${creates}`);
      check(checks, 'bare POST loop request count', (stats.byMethod.POST ?? 0) === creates, `${stats.byMethod.POST ?? 0} POST at the simulator`);
      log(`${load.name}: bare POST loop ${duration(post.report.ms)} (${creates} creates)`);
      noteSim(sim);
    } finally {
      await sim.stop();
    }
  };

  // 2. The initial sync, on a fresh simulator and a fresh database (the last one stays for the rest),
  // each right after a bare POST loop: the machine's speed drifts from minute to minute, and a
  // floor measured beside its sync drifts with it.
  let sim: SimProcess | null = null;
  const db = join(dir, 'dnssync.db');
  const config = join(dir, 'dnssync.json');
  let afterInitialBytes = 0;
  try {
    for (let r = 0; r < initialRuns; r++) {
      await sim?.stop();
      await barePost(r);
      sim = await SimProcess.start(scenarioFile);
      for (const suffix of ['', '-wal', '-shm']) rmSync(db + suffix, { force: true });
      const controllers = sim.controllers.map((c) => {
        const apiKeyFile = join(dir, `${c.name}.key`);
        writeFileSync(apiKeyFile, `${c.apiKey}\n`, { mode: 0o600 });
        return { name: c.name, url: c.url, apiKeyFile };
      });
      writeFileSync(config, JSON.stringify({ controllers, sync: { concurrency: CONCURRENCY, orphanGracePeriod: '15m' } }, null, 2));
      await sim.clearStats();
      const run = await withSimCpu(sim, () => dnssync(['sync', '--config', config, '--db', db], dir, { profileDir: profileDir('initial') }));
      const stats = await sim.stats();
      phase('initial').add({ ...run, requests: stats.total });
      const summary = summaryOf(run);
      check(checks, 'initial sync succeeds', run.code === 0, describeRun(run));
      check(checks, 'initial sync creates every replica', summary?.created === creates && (stats.byMethod.POST ?? 0) === creates, `summary ${JSON.stringify(summary)}, ${stats.byMethod.POST ?? 0} POST, expected ${creates}`);
      check(checks, 'initial sync sends no PUT or DELETE', !stats.byMethod.PUT && !stats.byMethod.DELETE, JSON.stringify(stats.byMethod));
      log(`${load.name}: initial sync ${duration(run.ms)}, peak RSS ${megabytes((run.maxRssKb ?? 0) * 1024)}, ${describeRun(run)}`);
      noteSim(sim);
    }
    afterInitialBytes = dbBytes(db);
    const sync = () => ['sync', '--config', config, '--db', db];
    const counts = () => ({
      runs: dbCount(db, 'SELECT count(*) AS n FROM runs'),
      events: dbCount(db, 'SELECT count(*) AS n FROM sync_events'),
    });

    // 2b. The first sync after the initial one reads, observes and plans every site; finding them
    // all in step, it records so (in_step), and the no-op syncs after it plan nothing.
    {
      await sim!.clearStats();
      const run = await withSimCpu(sim!, () => dnssync(sync(), dir, { profileDir: profileDir('settle') }));
      const stats = await sim!.stats();
      phase('settle').add({ ...run, requests: stats.total });
      check(checks, 'the sync after the initial one succeeds', run.code === 0, describeRun(run));
      check(checks, 'it sends exactly the list requests', (stats.byMethod.GET ?? 0) === lists && stats.total === lists, `${JSON.stringify(stats.byMethod)}, expected ${lists} GET`);
      const inStep = tryCount(db, 'SELECT count(*) AS n FROM in_step WHERE site_id <> 0');
      check(checks, 'it records every site in step', inStep === sites, `${inStep ?? 'no in_step table'} sites recorded, expected ${sites}`);
      log(`${load.name}: sync after the initial one ${duration(run.ms)}, peak RSS ${megabytes((run.maxRssKb ?? 0) * 1024)}`);
      noteSim(sim!);
    }

    // 3. Bare fetch and no-op sync, interleaved on the converged simulator.
    for (let r = 0; r < RUNS; r++) {
      await sim!.clearStats();
      const fetch = await withSimCpu(sim!, () =>
        floor<{ ms: number; cpuMs: number; mainBusyMs: number; mainCpuMs: number; requests: number; policies: number }>('./bare-fetch.ts', targetFile(sim!)),
      );
      const fetchStats = await sim!.stats();
      phase('bareFetch').add({ ms: fetch.ms, cpuMs: fetch.report.cpuMs, mainBusyMs: fetch.report.mainBusyMs, mainCpuMs: fetch.report.mainCpuMs, simCpuMs: fetch.simCpuMs, requests: fetchStats.total });
      phase('bareFetchWork').add({ ms: fetch.report.ms, requests: fetchStats.total });
      check(checks, 'bare fetch reads every list page', fetch.report.requests === lists && fetchStats.total === lists && fetch.report.policies === sites * convergedPoliciesPerSite(load), `${fetch.report.requests} requests (${fetchStats.total} at the simulator), ${fetch.report.policies} policies; expected ${lists}`);

      const before = counts();
      await sim!.clearStats();
      const run = await withSimCpu(sim!, () => dnssync(sync(), dir, { profileDir: r === 0 ? profileDir('noop') : undefined }));
      const stats = await sim!.stats();
      const after = counts();
      phase('noop').add({ ...run, requests: stats.total });
      check(checks, 'no-op sync succeeds', run.code === 0, describeRun(run));
      check(checks, 'no-op sends exactly the list requests', (stats.byMethod.GET ?? 0) === lists && stats.total === lists, `${JSON.stringify(stats.byMethod)}, expected ${lists} GET`);
      check(checks, 'no-op sends no write', stats.total === (stats.byMethod.GET ?? 0), JSON.stringify(stats.byMethod));
      check(checks, 'no-op adds one run row and no event', after.runs === before.runs + 1 && after.events === before.events, `runs ${before.runs} → ${after.runs}, events ${before.events} → ${after.events}`);
      log(`${load.name}: bare fetch ${duration(fetch.ms)} (work ${duration(fetch.report.ms)}), no-op ${duration(run.ms)}, peak RSS ${megabytes((run.maxRssKb ?? 0) * 1024)}`);
      noteSim(sim!);
    }

    // Steps 4–6 (not for a load that only compares the syncs with their floors).
    let historyDomain = nativeDomain(controllerNames(load)[0]!, 1, 1);
    const commands = { history: false, orphans: false };
    if (!load.compareOnly) {
      // 4. Incremental: 1% of the origins edited (ttl), then sync: exactly their replicas are updated.
      // The edited sites are spread over each controller's list, the last site included: the sites
      // read before the first of them are passed over as unchanged, then read again.
      const controllers = controllerNames(load);
      const perController = Math.ceil(changed / controllers.length);
      for (let r = 0; r < RUNS; r++) {
        for (let j = 0; j < changed; j++) {
          const c = j % controllers.length;
          const controller = controllers[c]!;
          const count = load.sitesPerController[c]!;
          const s = count - Math.floor((Math.floor(j / controllers.length) * count) / perController);
          const i = (r % load.recordsPerSite) + 1;
          const domain = nativeDomain(controller, s, i);
          const policy = (await sim!.policies(controller, `site-${s}`)).find((p) => p.domain === domain);
          if (!policy) throw new Error(`no native ${domain} at ${controller}/site-${s}`);
          await sim!.updatePolicy(controller, `site-${s}`, policy.id, { ttlSeconds: load.ttlSeconds + 1 + r });
          if (r === 0 && j === 0) historyDomain = domain;
        }
        const before = counts();
        await sim!.clearStats();
        const run = await dnssync(sync(), dir, { profileDir: r === 0 ? profileDir('incremental') : undefined });
        const stats = await sim!.stats();
        const after = counts();
        phase('incremental').add({ ...run, requests: stats.total });
        const updates = changed * (sites - 1);
        const summary = summaryOf(run);
        check(checks, 'incremental sync succeeds', run.code === 0, describeRun(run));
        check(checks, 'incremental writes exactly the changed records', (stats.byMethod.PUT ?? 0) === updates && !stats.byMethod.POST && !stats.byMethod.DELETE && summary?.updated === updates, `${JSON.stringify(stats.byMethod)}, summary ${JSON.stringify(summary)}, expected ${updates} PUT`);
        // The sites read before the first changed one were passed over as unchanged and are read again.
        check(checks, 'incremental reads every list page, a passed-over site twice at most', (stats.byMethod.GET ?? 0) >= lists && (stats.byMethod.GET ?? 0) <= 2 * lists, `${stats.byMethod.GET ?? 0} GET, expected ${lists} to ${2 * lists}`);
        check(checks, 'incremental adds one UPDATED event per write', after.events - before.events === updates && after.runs === before.runs + 1, `events +${after.events - before.events}, runs +${after.runs - before.runs}`);
        log(`${load.name}: incremental (${changed} origins, ${updates} PUT) ${duration(run.ms)}`);
      }

      // 5. 1% of the origins deleted at their site: they become orphans whose replicas the grace
      // period keeps (no write), so that `orphans` has something to list.
      const removed: string[] = [];
      for (let j = 0; j < changed; j++) {
        const c = j % controllers.length;
        const controller = controllers[c]!;
        const s = (Math.floor(j / controllers.length) % load.sitesPerController[c]!) + 1;
        const domain = nativeDomain(controller, s, load.recordsPerSite);
        const policy = (await sim!.policies(controller, `site-${s}`)).find((p) => p.domain === domain)!;
        await sim!.removePolicy(controller, `site-${s}`, policy.id);
        removed.push(domain);
      }
      {
        await sim!.clearStats();
        const run = await dnssync(sync(), dir);
        const stats = await sim!.stats();
        phase('orphaning').add({ ...run, requests: stats.total });
        const orphans = dbCount(db, 'SELECT count(*) AS n FROM dns_records WHERE orphaned_at IS NOT NULL');
        check(checks, 'deleted origins become orphans, no write within the grace period', run.code === 0 && stats.total === (stats.byMethod.GET ?? 0) && orphans === changed, `${describeRun(run)}, ${JSON.stringify(stats.byMethod)}, ${orphans} orphans`);
      }

      // 6. history and orphans, read-only, on the database left by L.
      const available = await availableCommands(dir);
      commands.history = available.has('history');
      commands.orphans = available.has('orphans');
      if (!commands.history) log(`${load.name}: history: n/a (command not available)`);
      if (!commands.orphans) log(`${load.name}: orphans: n/a (command not available)`);
      // Round by round, so that the machine's drift reaches the three alike; --version is the fixed
      // cost of starting dnssync at all, for reading the others. Each is timed bare (no hook, which
      // a user never pays for) and then run with the hook for its CPU time and peak RSS.
      const short: Array<{ name: string; args: string[]; output: (run: DnssyncRun) => boolean }> = [];
      if (commands.history) short.push({ name: 'history', args: ['history', '--record', historyDomain, '--db', db], output: (run) => run.stdoutBytes > 0 });
      if (commands.orphans) short.push({ name: 'orphans', args: ['orphans', '--db', db], output: (run) => removed.every((d) => run.tail.includes(d) || run.stdoutBytes > 8000) });
      short.push({ name: 'startup', args: ['--version'], output: () => true });
      for (let r = 0; r < RUNS; r++) {
        for (const { name, args, output } of short) {
          const timed = await dnssync(args, dir, { bare: true });
          const run = await dnssync(args, dir, { profileDir: r === 0 && name !== 'startup' ? profileDir(name) : undefined });
          phase(name).add({ ...run, ms: timed.ms });
          if (name !== 'startup') check(checks, `${name} succeeds`, [timed, run].every((x) => x.code === 0 && output(x)), `${describeRun(run)}, ${run.stdoutBytes} bytes`);
        }
      }
    }

    const finalFiles = dbFiles(db);
    const rows: Record<string, number> = {};
    for (const t of ['dns_records', 'record_origins', 'replicas', 'runs', 'sync_events']) rows[t] = dbCount(db, `SELECT count(*) AS n FROM ${t}`);
    noteSim(sim!);

    const metrics: LoadResult['metrics'] = {};
    const notes: Record<string, string> = {
      barePost: 'in-process time of the POST loop (reading the natives first is not counted)',
      bareFetch: 'wall time of the bare-fetch process (node start-up included, as for dnssync)',
      bareFetchWork: 'in-process time of the bare fetch alone',
      initial: 'wall time of dnssync sync',
      settle: 'wall time of dnssync sync, the first after the initial one (reads and plans every site, records them in step)',
      noop: 'wall time of dnssync sync, after one that left every site in step',
      incremental: `wall time of dnssync sync, ${changed} origins' ttl edited (${changed * (sites - 1)} PUT)`,
      orphaning: `wall time of dnssync sync after ${changed} origins were deleted (orphaned, no write)`,
      history: `wall time of dnssync history --record ${historyDomain}`,
      orphans: 'wall time of dnssync orphans',
      startup: 'wall time of dnssync --version',
    };
    for (const [name, p] of Object.entries(phases)) {
      metrics[name] = {
        ...sample(p.ms),
        unit: 'ms',
        ...(p.cpuMs.length > 0 && { cpu: sample(p.cpuMs) }),
        ...(p.mainBusyMs.length > 0 && { mainBusy: sample(p.mainBusyMs), mainBusyShare: sample(p.mainBusyShare) }),
        ...(p.mainCpuMs.length > 0 && { mainCpu: sample(p.mainCpuMs) }),
        ...(p.workerCpuMs.length > 0 && { workerCpu: sample(p.workerCpuMs) }),
        ...(p.helperCpuMs.length > 0 && { helperCpu: sample(p.helperCpuMs) }),
        ...(p.simCpuMs.length > 0 && { simCpu: sample(p.simCpuMs) }),
        ...(p.perSecond.length > 0 && { requestsPerSecondPerController: sample(p.perSecond) }),
        ...(notes[name] && { note: notes[name] }),
      };
    }
    const peakRssMb: Record<string, number> = {};
    const rowsChanged: Record<string, number> = {};
    for (const [name, p] of Object.entries(phases)) {
      if (p.rssKb.length > 0 && name !== 'startup') peakRssMb[name] = Math.max(...p.rssKb) / 1024;
      if (p.changes.length > 0 && ['initial', 'settle', 'noop', 'incremental', 'orphaning'].includes(name)) rowsChanged[name] = sample(p.changes).median;
    }

    let profiles: Record<string, ProfileSummary> | undefined;
    if (flags.profile) {
      profiles = {};
      for (const name of ['initial', 'settle', 'noop', 'incremental', 'history', 'orphans']) {
        const folder = profileDir(name)!;
        if (!existsSync(folder)) continue;
        const file = readdirSync(folder).filter((f) => f.endsWith('.cpuprofile')).sort()[0];
        if (file) profiles[name] = summarizeProfile(join(folder, file), 15);
      }
    }

    const ratios = {
      noopOverFetch: pairedRatio(metrics.noop!, metrics.bareFetch!).median,
      initialOverPost: pairedRatio(metrics.initial!, metrics.barePost!).median,
      noopOverFetchCpu: pairedRatio(metrics.noop!.cpu!, metrics.bareFetch!.cpu!).median,
      initialOverPostCpu: pairedRatio(metrics.initial!.cpu!, metrics.barePost!.cpu!).median,
    };
    const [peakPhase, peakMb] = Object.entries(peakRssMb).sort((a, b) => b[1] - a[1])[0] ?? ['', 0];
    return {
      load: load.name,
      shape: {
        controllers: load.sitesPerController.length,
        sitesPerController: load.sitesPerController,
        sites,
        recordsPerSite: load.recordsPerSite,
        records,
        policiesWhenConverged: sites * convergedPoliciesPerSite(load),
        initialCreates: creates,
        listRequestsPerSync: lists,
        changedOrigins: changed,
        latencyMs,
        latencyBoundPerController: latencyMs > 0 ? (CONCURRENCY * 1000) / latencyMs : null,
        compareOnly: load.compareOnly ?? false,
      },
      metrics,
      peakRssMb,
      rowsChanged,
      database: { afterInitialBytes, finalBytes: dbBytes(db), files: finalFiles, rows },
      simulator: { peakRssMb: simPeakKb === null ? null : simPeakKb / 1024 },
      ratios,
      verdicts: {
        noopOverFetchCpu: ratios.noopOverFetchCpu <= TARGETS.noopOverFetchCpu,
        initialOverPostCpu: ratios.initialOverPostCpu <= TARGETS.initialOverPostCpu,
        noopOverFetch: ratios.noopOverFetch <= TARGETS.noopOverFetch,
        initialOverPost: ratios.initialOverPost <= TARGETS.initialOverPost,
        ...(load === LOAD_L && { peakRss: peakMb <= TARGETS.peakRssMb }),
        ...(metrics.history && { history: metrics.history.median <= TARGETS.historyMs }),
        ...(metrics.orphans && { orphans: metrics.orphans.median <= TARGETS.orphansMs }),
      },
      peakRss: { mb: peakMb, phase: peakPhase },
      checks,
      ...(profiles && { profiles }),
      commands,
    };
  } finally {
    await sim?.stop();
  }
}

const times = (x: number) => `${x.toFixed(2)}×`;
const percent = (x: number) => `${(x * 100).toFixed(0)}%`;
const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');

function report(results: LoadResult[]): string {
  const out: string[] = [];
  for (const r of results) {
    const m = r.metrics;
    const s = r.shape;
    const perController = new Set(s.sitesPerController).size === 1 ? String(s.sitesPerController[0]) : s.sitesPerController.join(', ');
    out.push(
      `\n${r.load}: ${s.controllers} controllers × ${perController} sites (${s.sites} sites), ${s.records} records, ` +
        `${s.policiesWhenConverged.toLocaleString('en')} policies when converged, ${s.initialCreates.toLocaleString('en')} creates, ` +
        `${s.listRequestsPerSync} list requests per sync` +
        (s.compareOnly ? '' : `, ${s.changedOrigins} origins changed per incremental run`) +
        (s.latencyMs > 0 ? `; every request answered after ${s.latencyMs} ms` : ''),
    );
    const row = (label: string, key: string, extra: string[] = ['', '', '', '']) => {
      const metric = m[key];
      if (!metric) return [label, 'n/a', '', '', '0', '', '', '', ...extra];
      const cpu = metric.cpu ? duration(metric.cpu.median) : '';
      const busy = metric.mainBusy && metric.mainBusyShare ? `${duration(metric.mainBusy.median)} ${percent(metric.mainBusyShare.median)}` : '';
      const rate = metric.requestsPerSecondPerController ? metric.requestsPerSecondPerController.median.toFixed(0) : '';
      return [label, duration(metric.median), duration(metric.min), duration(metric.max), String(metric.samples.length), cpu, busy, rate, ...extra];
    };
    const rss = r.peakRss.mb;
    const rssTarget =
      r.load === 'L'
        ? [`≤ ${TARGETS.peakRssMb} MB`, verdict(r.verdicts.peakRss!)]
        : r.load === '2L'
          ? [`≤ ${TARGETS.peakRss2LOverL}× L`, r.verdicts.peakRssOverL === undefined ? '(run L too)' : verdict(r.verdicts.peakRssOverL)]
          : ['', ''];
    const rows = [
      ['measurement', 'median', 'min', 'max', 'runs', 'cpu', 'main busy', 'req/s/ctl', 'wall ratio', 'cpu ratio', 'target', 'verdict'],
      row('bare fetch (floor, process)', 'bareFetch'),
      row('  bare fetch, work only', 'bareFetchWork'),
      row('bare POST loop (floor)', 'barePost'),
      row('sync after initial (full)', 'settle'),
      row('no-op sync', 'noop', [`${times(r.ratios.noopOverFetch)} fetch`, times(r.ratios.noopOverFetchCpu), `cpu ≤ ${TARGETS.noopOverFetchCpu}×`, verdict(r.verdicts.noopOverFetchCpu)]),
      row('initial sync', 'initial', [`${times(r.ratios.initialOverPost)} POST`, times(r.ratios.initialOverPostCpu), `cpu ≤ ${TARGETS.initialOverPostCpu}×`, verdict(r.verdicts.initialOverPostCpu)]),
    ];
    if (!s.compareOnly) {
      rows.push(
        row('incremental sync (1%)', 'incremental'),
        row('sync after 1% origins deleted', 'orphaning'),
        r.commands.history
          ? row('history --record', 'history', ['', '', `≤ ${TARGETS.historyMs} ms`, verdict(r.verdicts.history!)])
          : ['history --record', 'n/a (command not available)', '', '', '', '', '', '', '', '', `≤ ${TARGETS.historyMs} ms`, ''],
        r.commands.orphans
          ? row('orphans', 'orphans', ['', '', `≤ ${TARGETS.orphansMs} ms`, verdict(r.verdicts.orphans!)])
          : ['orphans', 'n/a (command not available)', '', '', '', '', '', '', '', '', `≤ ${TARGETS.orphansMs} ms`, ''],
        row('dnssync --version (startup)', 'startup'),
      );
    }
    rows.push(
      ['peak RSS of dnssync', `${rss.toFixed(0)} MB`, '', '', '', '', '', '', `(${r.peakRss.phase})`, r.peakRssOverL === undefined ? '' : `${times(r.peakRssOverL)} L`, ...rssTarget],
      ['database (file + wal)', megabytes(r.database.finalBytes), '', '', '', '', '', '', `${megabytes(r.database.afterInitialBytes)} after initial`, '', '', ''],
    );
    out.push(table(rows));
    out.push(
      `by wall time, against SPEC §8's targets: no-op ${times(r.ratios.noopOverFetch)} bare fetch (≤ ${TARGETS.noopOverFetch}×: ${verdict(r.verdicts.noopOverFetch)}), ` +
        `initial ${times(r.ratios.initialOverPost)} bare POST loop (≤ ${TARGETS.initialOverPost}×: ${verdict(r.verdicts.initialOverPost)})`,
    );
    const pairs = (label: string, key: string, floor: string) => {
      const cpu = m[key]?.cpu && m[floor]?.cpu ? pairedRatio(m[key]!.cpu!, m[floor]!.cpu!).samples : [];
      return cpu.length > 1 ? `${label} ${cpu.map(times).join(', ')}` : null;
    };
    const paired = [pairs('initial', 'initial', 'barePost'), pairs('no-op', 'noop', 'bareFetch')].filter(Boolean);
    if (paired.length > 0) out.push(`cpu ratio of each pair, a floor then its sync (the column is their median): ${paired.join('; ')}`);
    if (m.startup && (m.history || m.orphans)) {
      const net = (key: string) => (m[key] ? `${key} ${duration(m[key]!.median - m.startup!.median)}` : null);
      out.push(`net of start-up (median minus dnssync --version): ${[net('history'), net('orphans')].filter(Boolean).join(', ')}`);
    }
    const busy = (key: string, label: string) => {
      const x = m[key];
      if (!x?.cpu || !x.simCpu) return null;
      const cores = (x.cpu.median + x.simCpu.median) / x.median;
      return `${label} ${cores.toFixed(2)} (${duration(x.cpu.median)} + simulator ${duration(x.simCpu.median)} in ${duration(x.median)})`;
    };
    const cores = [busy('barePost', 'bare POST loop'), busy('initial', 'initial'), busy('bareFetch', 'bare fetch'), busy('noop', 'no-op')].filter(Boolean);
    if (cores.length > 0) out.push(`CPUs kept busy (process + simulator CPU time over wall time, medians; ${cpus().length} here): ${cores.join('; ')}`);
    const mainCpu = (key: string, label: string, floor?: string) => {
      const x = m[key]?.mainCpu?.median;
      const f = floor ? m[floor]?.mainCpu?.median : undefined;
      return x === undefined ? null : `${label} ${duration(x)}${f ? ` (${times(x / f)})` : ''}`;
    };
    const mains = [mainCpu('barePost', 'bare POST loop'), mainCpu('initial', 'initial', 'barePost'), mainCpu('bareFetch', 'bare fetch'), mainCpu('noop', 'no-op', 'bareFetch')].filter(Boolean);
    if (mains.length > 0) out.push(`main thread's own CPU time (medians; with cores to spare, the least wall time it allows): ${mains.join(', ')}`);
    const beside = (key: string, label: string) => {
      const x = m[key];
      if (!x?.helperCpu) return null;
      const worker = x.workerCpu && x.workerCpu.median > 0 ? `write thread ${duration(x.workerCpu.median)}, ` : '';
      return `${label} ${worker}helpers ${duration(x.helperCpu.median)}`;
    };
    const besides = [beside('barePost', 'bare POST loop'), beside('initial', 'initial'), beside('bareFetch', 'bare fetch'), beside('noop', 'no-op')].filter(Boolean);
    if (besides.length > 0) out.push(`CPU time beside the main thread (medians; helpers: V8's and libuv's threads, garbage collection and the compiler): ${besides.join('; ')}`);
    if (s.latencyBoundPerController !== null) {
      const reached = (key: string, label: string) => {
        const rate = m[key]?.requestsPerSecondPerController?.median;
        return rate === undefined ? null : `${label} ${rate.toFixed(0)} (${percent(rate / s.latencyBoundPerController!)})`;
      };
      out.push(
        `latency bound: ${CONCURRENCY} requests in flight per controller ÷ ${s.latencyMs} ms = ${s.latencyBoundPerController.toFixed(0)} requests/s per controller at most; reached: ` +
          [reached('barePost', 'bare POST loop'), reached('initial', 'initial'), reached('bareFetchWork', 'bare fetch (work)'), reached('noop', 'no-op')].filter(Boolean).join(', '),
      );
    }
    out.push(
      `peak RSS by phase: ${Object.entries(r.peakRssMb).map(([k, v]) => `${k} ${v.toFixed(0)} MB`).join(', ')}; simulator ${r.simulator.peakRssMb?.toFixed(0) ?? '?'} MB`,
      `rows changed per run (total_changes): ${Object.entries(r.rowsChanged).map(([k, v]) => `${k} ${v}`).join(', ')}`,
      `database rows: ${Object.entries(r.database.rows).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    );
    const failed = r.checks.filter((c) => !c.ok);
    out.push(failed.length === 0 ? `checks: all ${r.checks.length} passed` : `checks: ${failed.length} of ${r.checks.length} FAILED:\n${failed.map((c) => `  - ${c.what}: ${c.detail}`).join('\n')}`);
    if (r.profiles) for (const [name, p] of Object.entries(r.profiles)) out.push(`\nprofile, ${r.load} ${name}:\n${formatProfile(p)}`);
  }
  const scale = scaling(results);
  if (scale) {
    out.push(
      `\n2L against L: peak RSS ${scale['2L'].toFixed(0)} MB against ${scale.L.toFixed(0)} MB = ${times(scale.ratio)} ` +
        `(target ≤ ${TARGETS.peakRss2LOverL}×: ${verdict(scale.met)}; 2L has twice L's policies)`,
    );
  }
  return out.join('\n');
}

/** 2L's peak RSS against L's, when both were run (it is also written into 2L's result). */
function scaling(results: LoadResult[]): { L: number; '2L': number; ratio: number; target: number; met: boolean } | null {
  const l = results.find((r) => r.load === LOAD_L.name);
  const l2 = results.find((r) => r.load === LOAD_2L.name);
  if (!l || !l2) return null;
  const ratio = l2.peakRss.mb / l.peakRss.mb;
  l2.peakRssOverL = ratio;
  l2.verdicts.peakRssOverL = ratio <= TARGETS.peakRss2LOverL;
  return { L: l.peakRss.mb, '2L': l2.peakRss.mb, ratio, target: TARGETS.peakRss2LOverL, met: ratio <= TARGETS.peakRss2LOverL };
}

function gitCommit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

async function main() {
  const started = new Date();
  const scratch = mkdtempSync(join(tmpdir(), 'dnssync-bench-'));
  const unknown = (flags.load ?? []).filter((name) => !LOADS.some((l) => l.name === name));
  if (unknown.length > 0) throw new Error(`--load ${unknown.join(', ')}: expected one of ${LOADS.map((l) => l.name).join(', ')}`);
  // --load names the loads (run in LOADS's order, so L before 2L); --quick alone is L/4.
  const loads = flags.load ? LOADS.filter((l) => flags.load!.includes(l.name)) : flags.quick ? [LOAD_L4] : DEFAULT_LOADS;
  const loadBefore = loadavg()[0]!;
  const results: LoadResult[] = [];
  if (flags.profile) rmSync(PROFILE_ROOT, { recursive: true, force: true });
  try {
    if (LAYOUT === 'bundle') useDnssync(await shippedLayout(join(scratch, 'package')));
    log(`dnssync: ${LAYOUT === 'bundle' ? 'the bundle npm run build makes, as the package and the image ship it' : `the checkout's sources${canBundle() ? '' : ' (no esbuild here to bundle them)'}`}`);
    for (const load of loads) results.push(await benchLoad(load, scratch));
  } finally {
    if (!flags.keep) rmSync(scratch, { recursive: true, force: true });
    else log(`scratch kept: ${scratch}`);
  }
  const finished = new Date();
  const scale = scaling(results);
  const document = {
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    command: `node bench/run.ts ${process.argv.slice(2).join(' ')}`.trim(),
    runs: RUNS,
    profiled: flags.profile,
    layout: LAYOUT,
    benchNodeOptions: process.env.BENCH_NODE_OPTIONS ?? null,
    machine: {
      node: process.version,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? null,
      memoryMb: Math.round(totalmem() / 1024 / 1024),
      platform: process.platform,
      loadAverageBefore: loadBefore,
      loadAverageAfter: loadavg()[0]!,
    },
    commit: gitCommit(),
    concurrency: CONCURRENCY,
    targets: TARGETS,
    /** 2L's peak RSS against L's (MB), when both were run. */
    peakRss2LOverL: scale,
    loads: results,
  };
  writeFileSync(join(ROOT, 'bench', 'results.json'), `${JSON.stringify(document, null, 2)}\n`);
  const busy = loadBefore > 1 ? `\nnote: the machine was busy before the benchmark started (1-minute load average ${loadBefore.toFixed(2)}); wall times are noisy, the CPU-time column less so.` : '';
  const ran = LAYOUT === 'bundle' ? 'dnssync as it ships (the bundle of npm run build)' : "the checkout's sources";
  process.stdout.write(`${report(results)}${busy}\n\nbench/results.json written; ran ${ran}; took ${duration(finished.getTime() - started.getTime())}${flags.profile ? ' (profiled: timings inflated)' : ''}\n`);
  await getGlobalDispatcher().close();
  return results.every((r) => r.checks.every((c) => c.ok)) ? 0 : 1;
}

process.exitCode = await main();
