import { Command, InvalidArgumentError } from 'commander';
import { existsSync } from '../../system/fs.ts';
import { hostname, userInfo } from 'node:os';
import { getExitCode, type CommandResult } from '../../domain/exit-codes.ts';
import type { Interruption, SyncPolicy } from '../../domain/run.ts';
import type { Config, ControllerConfig, SyncConfig } from '../../config/types.ts';
import type { UnifiClient } from '../../unifi/client.ts';
import type { SyncReport } from '../../engine/report.ts';
import type { WriteThreadSetting } from '../../engine/run.ts';
import { UsageError } from '../../domain/errors.ts';
import type { App, Runner } from '../app.ts';
import type { HeapBounds } from '../heap-bounds.ts';
import { collect, positiveInteger } from '../arguments.ts';

interface SyncCommandOptions {
  dryRun?: boolean;
  site: string[];
  policy?: SyncPolicy;
  force?: boolean;
  concurrency?: number;
  failOnChanges?: boolean;
  json?: boolean;
  verbose?: boolean;
  metricsFile?: string;
}

export function syncCommand(run: Runner): Command {
  return new Command('sync')
    .description('discover every site, plan what each should have, apply the difference and record it')
    .option('--dry-run', 'print the plan; send no write and change nothing in the database')
    .option('--site <name|uuid>', 'apply changes only at this site (repeatable); every site is still read', collect, [])
    .option('--policy <policy>', 'sync, upsert-only (no deletes) or create-only (default: sync.policy)', policyArgument)
    .option('--force', 'apply even when a site would lose more than sync.maxDeletePercent of its replicas')
    .option('--concurrency <n>', 'requests in flight per controller (default: sync.concurrency)', positiveInteger)
    .option('--fail-on-changes', 'exit 6, applying nothing, when there are changes to make (drift check)')
    .option('--json', 'print the run report as one JSON document')
    .option('--verbose', 'list again the conflicts and refused creates that earlier runs reported')
    .option('--metrics-file <path>', 'write Prometheus metrics of the run there (for the node_exporter textfile collector)')
    .action(run(sync));
}

async function sync(app: App, options: SyncCommandOptions): Promise<CommandResult> {
  // A sync allocates much for long: without the bounds, V8's young generation alone takes 128 MB at L.
  // Loaded here, as node:v8 is, so that no other command pays for it.
  const { boundHeap } = await import('../heap-bounds.ts');
  const heap = boundHeap();
  try {
    return await syncBounded(app, options, heap);
  } finally {
    heap.release();
  }
}

async function syncBounded(app: App, options: SyncCommandOptions, heap: HeapBounds): Promise<CommandResult> {
  const writeThread = writeThreadSetting(app.io.env.DNSSYNC_WRITE_THREAD);
  const config = await app.loadConfig({
    ...(options.policy && { policy: options.policy }),
    ...(options.concurrency !== undefined && { concurrency: options.concurrency }),
  });
  const dryRun = options.dryRun === true;
  // The sync engine, HTTP client and report load only for this command: the others start faster.
  const [{ runSync }, { UnifiClient }, { logFailures, renderSyncReport, syncReportJson }, { metricsText, writeAtomically }, { storeCounts }, { awaitsFirstSync }] = await Promise.all([
    import('../../engine/run.ts'),
    import('../../unifi/client.ts'),
    import('../render/sync-report.ts'),
    import('../render/metrics.ts'),
    import('../../store/stats.ts'),
    import('../../store/legacy-evidence.ts'),
  ]);
  // A dry run reads the database as it is and writes nothing, not even a new file.
  const store = dryRun
    ? existsSync(app.dbPath)
      ? await app.openStore({ create: false, readOnly: true, verify: true })
      : null
    : await app.openStore({ create: true });

  const firstAfterLegacy = store !== null && awaitsFirstSync(store.db);
  let interruption: Interruption | null = null;
  const onSignal = (signal: Interruption) => {
    if (interruption) app.exitNow(getExitCode({ kind: 'signal', signal })); // asked twice: the intents make this safe
    interruption = signal;
    app.logger.warn(`${signal}: sending no new write; waiting for the ones in flight`);
  };
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  const progress = app.io.stderr.isTTY && !app.quiet ? createProgress(app) : null;
  try {
    const report = await runSync(
      { config, dryRun, sites: options.site, force: options.force === true, failOnChanges: options.failOnChanges === true },
      {
        store,
        clientFor: (controller) => newClient(UnifiClient, app, config, controller, () => interruption !== null),
        interruption: () => interruption,
        identity: { host: hostname(), pid: process.pid, user: currentUser() },
        onSiteDiscovered: progress ?? undefined,
        onKeeping: () => heap.holdOldGeneration(),
        writeThread,
      },
    );
    progress?.('', '', 'done');
    logFailures(report, app.logger);
    if (report.inStep) app.logger.debug('every site lists what it did when the last sync left them in step: nothing to plan', { sites: report.plan.sites.length });
    if (report.lockTakenOver) app.logger.warn('took over a stale lock', { host: report.lockTakenOver.host, pid: report.lockTakenOver.pid });
    if (options.metricsFile && store && !dryRun) writeAtomically(options.metricsFile, metricsText(report, storeCounts(store.db)));
    if (options.json) app.output.json(syncReportJson(report));
    else renderSyncReport(report, app.output, { quiet: app.quiet, verbose: options.verbose === true });
    if (firstAfterLegacy && report.orphaned.length > 0) await announceOrphans(app, report, config.sync);
    return { kind: 'run', outcome: report.outcome, interruption };
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    store?.close();
  }
}

/** The first sync after a legacy conversion orphans what the tool took for native and dnssync does not sync: said, with when. */
async function announceOrphans(app: App, report: SyncReport, sync: SyncConfig): Promise<void> {
  const { orphanNoticeLines } = await import('../render/orphan-notice.ts');
  const n = report.orphaned.length;
  const header = report.dryRun
    ? `this first sync after the legacy conversion would make ${n === 1 ? '1 record an orphan' : `${n} records orphans`}`
    : `this first sync after the legacy conversion made ${n === 1 ? '1 record an orphan' : `${n} records orphans`}`;
  const go =
    sync.policy !== 'sync'
      ? `never while the policy is ${sync.policy}`
      : report.dryRun
        ? `${sync.orphanGracePeriodMs / 60_000} min after the first sync (sync.orphanGracePeriod)`
        : sync.orphanGracePeriodMs === 0
          ? 'in this run (sync.orphanGracePeriod is 0)'
          : `at the first sync after ${new Date(Date.parse(report.startedAt) + sync.orphanGracePeriodMs).toISOString()} (sync.orphanGracePeriod)`;
  for (const line of orphanNoticeLines(report.orphaned, header, go)) app.logger.warn(line.trim());
}

/** The UniFi client of one controller, as the config says; `holdWrites` stops new writes (a signal). */
export function newClient(
  Client: typeof UnifiClient,
  app: App,
  config: Config,
  controller: ControllerConfig,
  holdWrites: () => boolean,
): UnifiClient {
  return new Client({
    controller,
    concurrency: config.sync.concurrency,
    requestTimeoutMs: config.sync.requestTimeoutMs,
    writesPerSecond: controller.writesPerSecond ?? config.sync.writesPerSecond,
    logger: app.logger,
    holdWrites,
  });
}

/** Per-site progress on a terminal: one line, rewritten in place on stderr. */
function createProgress(app: App): (controller: string, site: string, status: string) => void {
  let count = 0;
  return (controller, site, status) => {
    if (status === 'done') {
      if (count > 0) app.io.stderr.write('\n');
      return;
    }
    count++;
    app.io.stderr.write(`\r\x1b[Kdiscovered ${count} site(s), last ${controller} / ${site}: ${status}`);
  };
}

/** DNSSYNC_WRITE_THREAD: where apply writes (engine/run.ts, applyWrites); unset or empty is auto. */
function writeThreadSetting(value: string | undefined): WriteThreadSetting {
  if (!value) return 'auto';
  if (value === 'auto' || value === 'on' || value === 'off') return value;
  throw new UsageError(`DNSSYNC_WRITE_THREAD: expected auto, on or off, got '${value}'`);
}

function policyArgument(value: string): SyncPolicy {
  if (value === 'sync' || value === 'upsert-only' || value === 'create-only') return value;
  throw new InvalidArgumentError('expected sync, upsert-only or create-only');
}

/** The user for the run row; a container uid without a passwd entry has no name, only its number. */
function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return String(process.getuid?.() ?? 'unknown');
  }
}
