import type { Settings } from '../../config/types.ts';
import { DEFAULT_SYNC } from '../../config/types.ts';
import { siteSelector } from '../../planner/filters.ts';
import type { LockHolder } from '../../store/lock.ts';
import type { OrphanRow } from '../../store/orphans.ts';
import type { ControllerRow, RefusalRow, RunSummary, SiteRow } from '../../store/status.ts';
import type { Output } from '../output.ts';
import { tableTime } from './time.ts';
import { replicasGo, showReplicasGo } from './orphan-fate.ts';
import { shortType } from '../../domain/policy.ts';

export interface StatusInput {
  database: string;
  config: Settings | null;
  lastRun: RunSummary | null;
  lastFinishedRun: RunSummary | null;
  lock: (LockHolder & { stale: boolean }) | null;
  controllers: ControllerRow[];
  sites: SiteRow[];
  refusals: RefusalRow[];
  orphans: OrphanRow[];
  now: number;
}

/**
 * How a controller or site fared in the last finished run. The database keeps when each was last
 * read (a run stamps them with its start), not why a read failed: that is in the run's log.
 * - ok: that run read it;
 * - failed: that run did not, though the config (or, with none, nothing known) says it should;
 * - excluded: the config's sites/excludeSites leave the site out;
 * - not configured: the config has no such controller any more;
 * - gone: its controller no longer lists the site;
 * - unknown: no run has finished yet.
 */
export type Health = 'ok' | 'failed' | 'excluded' | 'not configured' | 'gone' | 'unknown';

/** The `status --json` document; the table is printed from it too. */
export type StatusReport = ReturnType<typeof statusReport>;

export function statusReport(input: StatusInput) {
  const { config, lastFinishedRun: judged } = input;
  const sync = config?.sync ?? DEFAULT_SYNC;
  const configured = config && new Map(config.controllers.map((c) => [c.host, c]));
  const reached = (at: string | null) => judged !== null && at !== null && at >= judged.startedAt;

  const controllerHealth = new Map<string, Health>();
  for (const c of input.controllers) {
    const health: Health = configured && !configured.has(c.host) ? 'not configured' : !judged ? 'unknown' : reached(c.lastContact) ? 'ok' : 'failed';
    controllerHealth.set(c.host, health);
  }
  const sites = input.sites.map((s) => {
    const controller = controllerHealth.get(s.controllerHost);
    const selected = configured?.get(s.controllerHost);
    let health: Health;
    if (s.goneAt !== null) health = 'gone';
    else if (controller === 'not configured' || controller === 'unknown') health = controller;
    else if (reached(s.lastSynced)) health = 'ok';
    else if (selected && !siteSelector(selected)({ id: s.uuid, name: s.name, internalReference: s.internalReference })) health = 'excluded';
    else health = 'failed';
    return { ...s, health };
  });

  const running = input.lastRun !== null && input.lastRun.outcome === null && input.lock !== null && !input.lock.stale;
  return {
    database: input.database,
    configFile: config?.file ?? null,
    policy: sync.policy,
    gracePeriodMs: sync.orphanGracePeriodMs,
    lastRun: input.lastRun && { ...input.lastRun, running },
    /** The run the controllers' and sites' status is judged by: the last that finished. */
    statusOfRun: judged?.id ?? null,
    lock: input.lock,
    controllers: input.controllers.map((c) => {
      const own = sites.filter((s) => s.controllerHost === c.host && s.health !== 'gone');
      return {
        name: c.name,
        url: c.url,
        version: c.version,
        lastContact: c.lastContact,
        status: controllerHealth.get(c.host)!,
        sites: own.length,
        sitesFailed: own.filter((s) => s.health === 'failed').length,
      };
    }),
    sites: sites.map((s) => ({
      controller: s.controller,
      name: s.name,
      internalReference: s.internalReference,
      uuid: s.uuid,
      status: s.health,
      origins: s.origins,
      replicas: s.replicas,
      lastSynced: s.lastSynced,
      goneAt: s.goneAt,
    })),
    refusals: input.refusals,
    orphans: input.orphans.map((o) => ({ ...o, replicasGo: replicasGo(o.orphanedAt, o.replicas, sync, input.now) })),
  };
}

export function renderStatus(report: StatusReport, output: Output): void {
  const { style } = output;
  const heading = (text: string) => {
    output.line();
    output.line(style.bold(text));
  };
  renderRun(report, output);

  heading(report.statusOfRun === null ? 'Controllers' : `Controllers (as of run ${report.statusOfRun})`);
  if (report.controllers.length === 0) output.line('none known yet');
  else {
    output.table(
      ['name', 'url', 'version', 'last contact', 'status', 'sites'],
      report.controllers.map((c) => [c.name, c.url, c.version ?? '', tableTime(c.lastContact), health(c.status, output), c.sitesFailed > 0 ? `${c.sites} (${c.sitesFailed} failed)` : c.sites]),
    );
    if (report.controllers.some((c) => c.status === 'failed' || c.sitesFailed > 0)) {
      output.line(style.gray(`failed: not read by run ${report.statusOfRun}; the database keeps no reason: see that run's log, or run 'dnssync check --online'`));
    }
  }

  heading('Sites');
  if (report.sites.length === 0) output.line('none known yet');
  else {
    output.table(
      ['site', 'origins', 'replicas', 'last synced', 'status'],
      report.sites.map((s) => [
        `${s.controller} / ${s.name}`,
        s.origins,
        s.replicas,
        tableTime(s.lastSynced) || 'never',
        s.goneAt ? `gone since ${tableTime(s.goneAt)}` : health(s.status, output),
      ]),
    );
  }

  heading('Open refusals');
  if (report.refusals.length === 0) output.line('none');
  else {
    output.table(
      ['site', 'type', 'domain', 'target', 'code', 'since', 'last tried'],
      report.refusals.map((r) => [`${r.controller} / ${r.site}`, shortType(r.type), r.domain, r.target, r.code.slice(r.code.lastIndexOf('.') + 1), tableTime(r.refusedAt), tableTime(r.triedAt)]),
    );
  }

  heading('Orphans');
  if (report.orphans.length === 0) output.line('none');
  else {
    output.table(
      ['type', 'domain', 'target', 'last origin', 'orphaned since', 'replicas go', 'replicas'],
      report.orphans.map((o) => [
        shortType(o.type),
        o.domain,
        o.target,
        o.lastOriginSite ? `${o.lastOriginController} / ${o.lastOriginSite}` : '',
        tableTime(o.orphanedAt),
        showReplicasGo(o.replicasGo),
        o.replicas,
      ]),
    );
    if (report.configFile === null) output.line(style.gray(`no config file found: grace period ${report.gracePeriodMs / 60_000} min and policy ${report.policy} assumed`));
  }
}

function renderRun(report: StatusReport, output: Output): void {
  const run = report.lastRun;
  const { style } = output;
  if (run === null) {
    output.line(`No run yet: 'dnssync sync' records one in ${report.database}`);
  } else {
    const outcome = run.outcome ?? (run.running ? 'running' : 'unfinished: no outcome recorded (the process ended without one)');
    const colour = run.outcome === 'success' ? style.green : run.outcome === null && run.running ? style.yellow : style.red;
    const ended = run.finishedAt ? `, finished ${tableTime(run.finishedAt)}` : '';
    const code = run.exitCode === null ? '' : ` (exit ${run.exitCode})`;
    output.line(`${style.bold(`Last run ${run.id}`)}: started ${tableTime(run.startedAt)}${ended}: ${colour(outcome)}${code}`);
    const { planned: p, done: d } = run;
    output.line(`  planned: ${p.create} create, ${p.update} update, ${p.delete} delete, ${p.skip} skip`);
    output.line(`  done:    created ${d.created}, updated ${d.updated}, deleted ${d.deleted}, skipped ${d.skipped}, failed ${d.failed}`);
    output.line(`  sites:   ${run.sitesOk} read, ${run.sitesFailed} failed`);
  }
  const lock = report.lock;
  if (lock) {
    const who = `host ${lock.host}, pid ${lock.pid}, since ${tableTime(lock.acquiredAt)}, last heartbeat ${tableTime(lock.heartbeatAt)}`;
    output.line(lock.stale ? `A stale lock is left by ${who}: the next sync takes it over` : `A sync holds the lock: ${who}`);
  }
}

function health(value: Health, output: Output): string {
  const { style } = output;
  return value === 'ok' ? style.green(value) : value === 'failed' ? style.red(value) : value;
}
