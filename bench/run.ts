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
import { dnssync, floor, nodeAlone, useDnssync, type DnssyncRun } from './child.ts';
import { canBundle, canRunSources, shippedLayout } from './layout.ts';
import {
  DEFAULT_LOADS,
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
import { summarizeProfile, type ProfileSummary } from './profile-summary.ts';
import { report } from './report.ts';
import { CONCURRENCY, Phase, TARGETS, metricsOf, peaksOf, ratiosOf, scaling, verdictsOf, type Check, type LoadResult } from './results.ts';
import { ROOT, SimProcess } from './sim-process.ts';
import { duration, megabytes } from './stats.ts';

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
 * where esbuild is missing to build it. An install without dev dependencies (as device-bench packs
 * the project) can run neither: carry node_modules/esbuild, @esbuild, yaml and commander there (bench/README).
 */
const LAYOUT = flags.sources || flags.profile || !canBundle() ? 'sources' : 'bundle';
if (LAYOUT === 'sources' && !canRunSources()) {
  process.stderr.write('bench: the sources import yaml and commander, dev dependencies not installed here; install the dev dependencies (npm ci), or at least esbuild, yaml and commander to bundle dnssync\n');
  process.exit(1);
}
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
  // The same config in YAML, as users write it, for `orphans` as an installation runs it (the image sets DNSSYNC_CONFIG).
  const yamlConfig = join(dir, 'dnssync.yaml');
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
      const settings = { controllers, sync: { concurrency: CONCURRENCY, orphanGracePeriod: '15m' } };
      writeFileSync(config, JSON.stringify(settings, null, 2));
      writeFileSync(yamlConfig, yamlOf(settings));
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
      if (commands.orphans) {
        const listed = (run: DnssyncRun) => removed.every((d) => run.tail.includes(d) || run.stdoutBytes > 8000);
        short.push({ name: 'orphans', args: ['orphans', '--db', db], output: listed });
        short.push({ name: 'orphansConfig', args: ['orphans', '--config', yamlConfig, '--db', db], output: listed });
      }
      short.push({ name: 'startup', args: ['--version'], output: () => true });
      for (let r = 0; r < RUNS; r++) {
        for (const { name, args, output } of short) {
          const timed = await dnssync(args, dir, { bare: true });
          const run = await dnssync(args, dir, { profileDir: r === 0 && name !== 'startup' ? profileDir(name) : undefined });
          phase(name).add({ ...run, ms: timed.ms });
          if (name !== 'startup') check(checks, `${name} succeeds`, [timed, run].every((x) => x.code === 0 && output(x)), `${describeRun(run)}, ${run.stdoutBytes} bytes`);
        }
        phase('node').add({ ms: (await nodeAlone()).ms });
      }
    }

    const finalFiles = dbFiles(db);
    const rows: Record<string, number> = {};
    for (const t of ['dns_records', 'record_origins', 'replicas', 'runs', 'sync_events']) rows[t] = dbCount(db, `SELECT count(*) AS n FROM ${t}`);
    noteSim(sim!);

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
      orphans: 'wall time of dnssync orphans, no config file found',
      orphansConfig: 'wall time of dnssync orphans --config dnssync.yaml (the settings read, no key)',
      startup: 'wall time of dnssync --version',
      node: 'wall time of node -e 0 (Node alone), in the same rounds as the short commands',
    };
    const metrics = metricsOf(phases, notes);
    const { peakRssMb, rowsChanged } = peaksOf(phases);

    let profiles: Record<string, ProfileSummary> | undefined;
    if (flags.profile) {
      profiles = {};
      for (const name of ['initial', 'settle', 'noop', 'incremental', 'history', 'orphans', 'orphansConfig']) {
        const folder = profileDir(name)!;
        if (!existsSync(folder)) continue;
        const file = readdirSync(folder).filter((f) => f.endsWith('.cpuprofile')).sort()[0];
        if (file) profiles[name] = summarizeProfile(join(folder, file), 15);
      }
    }

    const ratios = ratiosOf(metrics);
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
      verdicts: verdictsOf(ratios, metrics, load === LOAD_L ? peakMb : null),
      peakRss: { mb: peakMb, phase: peakPhase },
      checks,
      ...(profiles && { profiles }),
      commands,
    };
  } finally {
    await sim?.stop();
  }
}

function gitCommit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

/** Plain data (mappings, lists, strings, numbers) as block YAML, each string quoted as JSON quotes it. */
function yamlOf(value: unknown, indent = ''): string {
  if (Array.isArray(value)) return value.map((item) => `${indent}- ${yamlOf(item, `${indent}  `).trimStart()}`).join('');
  if (value !== null && typeof value === 'object') {
    return Object.entries(value)
      .map(([key, item]) => (item !== null && typeof item === 'object' ? `${indent}${key}:\n${yamlOf(item, `${indent}  `)}` : `${indent}${key}: ${yamlOf(item)}`))
      .join('');
  }
  return `${JSON.stringify(value)}\n`;
}

async function main() {
  const started = new Date();
  const scratch = mkdtempSync(join(tmpdir(), 'dnssync-bench-'));
  // Node's compile cache of its own, filled by the first runs as a user's is: the shared one in
  // /tmp collects an entry for every temporary build ever run here, and with 43,674 of them, start-up
  // series ran 2-3 times slower in wall time at the same CPU time (README, Packaging).
  process.env.NODE_COMPILE_CACHE ??= join(scratch, 'compile-cache');
  const unknown = (flags.load ?? []).filter((name) => !LOADS.some((l) => l.name === name));
  if (unknown.length > 0) throw new Error(`--load ${unknown.join(', ')}: expected one of ${LOADS.map((l) => l.name).join(', ')}`);
  // --load names the loads (run in LOADS's order, so L before 2L); --quick alone is L/4.
  const loads = flags.load ? LOADS.filter((l) => flags.load!.includes(l.name)) : flags.quick ? [LOAD_L4] : DEFAULT_LOADS;
  const loadBefore = loadavg()[0]!;
  const results: LoadResult[] = [];
  if (flags.profile) rmSync(PROFILE_ROOT, { recursive: true, force: true });
  try {
    if (LAYOUT === 'bundle') useDnssync(await shippedLayout(join(scratch, 'package')));
    log(`dnssync: ${LAYOUT === 'bundle' ? 'the bundle npm run build makes, as the package and the image ship it' : `the checkout's sources${canBundle() ? '' : ' (no esbuild, yaml or commander here to bundle them)'}`}`);
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
