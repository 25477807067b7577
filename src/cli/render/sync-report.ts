import { exceptionOf, resultOf } from '../../engine/apply.ts';
import type { SiteRef } from '../../domain/state.ts';
import type { Action } from '../../planner/plan.ts';
import type { SyncReport } from '../../engine/report.ts';
import type { Logger } from '../../log/logger.ts';
import type { Output } from '../output.ts';
import { tableTime, tableTimesIn } from './time.ts';
import { shortType } from '../../domain/policy.ts';

/** The run report as one JSON document (`sync --json`): plain data, never a secret. */
export function syncReportJson(report: SyncReport): unknown {
  const { applied } = report;
  return {
    runId: report.runId,
    dryRun: report.dryRun,
    outcome: report.outcome,
    exitCode: report.exitCode,
    startedAt: report.startedAt,
    finishedAt: report.finishedAt,
    planned: report.planned,
    summary: report.done,
    orphansWaiting: report.orphansWaiting,
    controllers: report.controllers,
    sites: report.sites.map(({ site, status, error }) => {
      const planned = report.plan.sites.find((p) => p.site.key === site.key);
      return {
        controller: site.controllerName,
        name: site.name,
        internalReference: site.internalReference,
        uuid: site.uuid,
        status,
        ...(error && { error }),
        actions: (planned?.actions ?? []).map((a) => {
          const result = applied && resultOf(site, a, applied);
          return {
            action: a.kind,
            type: a.record.type,
            domain: a.record.domain,
            target: a.record.target,
            ...(a.reason && { reason: a.reason }),
            ...(result && { outcome: result.outcome, ...(result.reason && { reason: result.reason }) }),
          };
        }),
      };
    }),
    refusals: report.plan.refusals.map((r) => ({ controller: r.site.controllerName, site: r.site.name, limit: r.limit, count: r.count, of: r.of })),
  };
}

const ROWS_PER_SITE = 50;
/** Past this many rows in all, a site gets one line: a first sync of 200 sites would print 10,000. */
const ROWS_IN_ALL = 1000;

export interface RenderOptions {
  /** --quiet: nothing when there is nothing to do, else only the summary. */
  quiet?: boolean;
  /** --verbose: conflicts and refusals that earlier runs already reported are listed again. */
  verbose?: boolean;
}

/**
 * The plan (or, after a real run, what became of each row) for each site with something to say,
 * at most 50 rows a site, then one summary line: what was done, or what the plan says when nothing
 * was applied. A run with nothing to do prints one line.
 */
export function renderSyncReport(report: SyncReport, output: Output, options: RenderOptions = {}): void {
  const { planned } = report;
  const nothingToDo = planned.create + planned.update + planned.delete === 0 && report.plan.refusals.length === 0;
  if (options.quiet && nothingToDo) return;
  if (!options.quiet) renderTables(report, output, options.verbose === true);
  const { style } = output;
  for (const r of report.plan.refusals) {
    const share = Math.round((r.count * 100) / r.of);
    // Applied anyway: the run was forced past the limit.
    const forced = report.applied !== null;
    const what =
      r.limit === 'deletes'
        ? `${forced ? 'deletes' : 'would delete'} ${r.count} of ${r.of} replicas`
        : `${forced ? 'ends' : 'would end'} ${r.count} of the ${r.of} origins it holds (a listing that left policies out looks like this)`;
    const over = `${share} %, over sync.maxDeletePercent (${report.maxDeletePercent} %)${forced ? ', applied with --force' : ''}`;
    output.line((forced ? style.yellow : style.red)(`${r.site.controllerName} / ${r.site.name}: ${what}: ${over}`));
  }
  if (nothingToDo) {
    output.line(noChanges(report));
  } else if (report.applied) {
    const { created, updated, deleted, skipped, failed } = report.done;
    output.line(`created ${created}, updated ${updated}, deleted ${deleted}, skipped ${skipped}, failed ${failed}`);
  } else {
    output.line(`Plan: ${planned.create} to create, ${planned.update} to update, ${planned.delete} to delete, ${planned.skip} skipped`);
  }
  const note = {
    refused: 'refused by the delete limit: nothing was applied (use --force to apply)',
    drift: 'changes to make: nothing was applied (--fail-on-changes)',
    interrupted: 'stopped by a signal: in-flight changes were recorded, the rest was not sent',
  }[report.outcome as string];
  const waiting = report.orphansWaiting;
  if (waiting) {
    const records = waiting.records === 1 ? '1 record' : `${waiting.records} records`;
    const replicas = waiting.replicas === 1 ? (waiting.records === 1 ? 'its 1 replica goes' : 'their 1 replica goes') : `${waiting.records === 1 ? 'its' : 'their'} ${waiting.replicas} replicas go`;
    output.line(`${records} orphaned, ${replicas} ${waiting.records === 1 ? 'at' : 'from'} ${tableTime(waiting.firstGoes)} (dnssync orphans lists them)`);
  }
  if (report.dryRun) output.line('dry run: nothing was sent or recorded');
  else if (note) output.line(note);
}

function renderTables(report: SyncReport, output: Output, verbose: boolean): void {
  const { applied } = report;
  const { style } = output;
  const color = { create: style.green, update: style.yellow, delete: style.red, skip: style.gray } as const;
  const done = { create: 'created', update: 'updated', delete: 'deleted', skip: 'skipped' } as const;
  const wentWrong = (site: SiteRef, a: Action) => {
    const outcome = applied && exceptionOf(applied, site, a)?.outcome;
    return outcome === 'failed' || outcome === 'not-sent' || (outcome === 'skipped' && a.kind !== 'skip');
  };
  let budget = ROWS_IN_ALL;
  for (const sitePlan of report.plan.sites) {
    const news = verbose ? sitePlan.actions : sitePlan.actions.filter((a) => !report.knownSkips.has(a));
    if (news.length === 0) continue;
    const { site } = sitePlan;
    const heading = style.bold(`${site.controllerName} / ${site.name}`) + style.gray(` (${site.uuid})`);
    // What went wrong first; a table of thousands of rows helps nobody (--json has them all).
    const rows = [...news.filter((a) => wentWrong(site, a)), ...news.filter((a) => !wentWrong(site, a))];
    const shown = Math.min(rows.length, ROWS_PER_SITE, budget);
    if (shown === 0) {
      output.line(`${heading}: ${actionCounts(rows)}${style.gray(' (all of them with --json)')}`);
      continue;
    }
    budget -= shown;
    output.line(heading);
    output.table(
      [report.applied ? 'outcome' : 'action', 'type', 'domain', 'target', 'reason'],
      rows.slice(0, shown).map((a) => {
        const result = applied ? exceptionOf(applied, site, a) : undefined;
        const label = result ? style.red(result.outcome) : report.applied ? color[a.kind](done[a.kind]) : color[a.kind](a.kind);
        return [label, shortType(a.record.type), a.record.domain, a.record.target, tableTimesIn(result?.reason ?? a.reason ?? '')];
      }),
    );
    if (rows.length > shown) output.line(style.gray(`… and ${rows.length - shown} more at this site (all of them with --json)`));
  }
}

/** "No changes: 5 sites in step, 2 known conflicts." */
function noChanges(report: SyncReport): string {
  const inStep = report.plan.sites.length;
  const skips = report.planned.skip;
  const known = report.knownSkips.size;
  const parts = [`${inStep} site${inStep === 1 ? '' : 's'} in step`];
  if (known > 0) parts.push(`${known} known conflict${known === 1 ? '' : 's'} or refusal${known === 1 ? '' : 's'}`);
  if (skips > known) parts.push(`${skips - known} new skip${skips - known === 1 ? '' : 's'}`);
  return `No changes: ${parts.join(', ')}.`;
}

/** Each controller and site that could not be synced, once, as an error on the log (stderr). */
export function logFailures(report: SyncReport, logger: Logger): void {
  for (const c of report.controllers) if (c.status === 'failed') logger.error(c.error ?? `controller ${c.name} failed`);
  for (const s of report.sites) if (s.status === 'failed') logger.error(`site ${s.site.name} on ${s.site.controllerName}: ${s.error}`);
}

/** "1990 create, 2 update" for a site's actions. */
function actionCounts(actions: Action[]): string {
  const counts = new Map<string, number>();
  for (const a of actions) counts.set(a.kind, (counts.get(a.kind) ?? 0) + 1);
  return [...counts].map(([kind, n]) => `${n} ${kind}`).join(', ');
}
