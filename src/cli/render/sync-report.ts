import { resultOf } from '../../engine/apply.ts';
import type { Action } from '../../planner/plan.ts';
import type { SyncReport } from '../../engine/run.ts';
import type { Logger } from '../../log/logger.ts';
import type { Output } from '../output.ts';

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
    summary: report.counts,
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
          const result = applied && resultOf(a, applied);
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

/** A plan table for each site with something to do (its first 50 rows), then the summary line. */
export function renderSyncReport(report: SyncReport, output: Output): void {
  const exceptions = report.applied?.exceptions;
  const { style } = output;
  const color = { create: style.green, update: style.yellow, delete: style.red, skip: style.gray } as const;
  const wentWrong = (a: Action) => {
    const outcome = exceptions?.get(a)?.outcome;
    return outcome === 'failed' || (outcome === 'skipped' && a.kind !== 'skip');
  };
  let budget = ROWS_IN_ALL;
  for (const sitePlan of report.plan.sites) {
    if (sitePlan.actions.length === 0) continue;
    const { site } = sitePlan;
    const heading = style.bold(`${site.controllerName} / ${site.name}`) + style.gray(` (${site.uuid})`);
    // What went wrong first; a table of thousands of rows helps nobody (--json has them all).
    const rows = [...sitePlan.actions.filter(wentWrong), ...sitePlan.actions.filter((a) => !wentWrong(a))];
    const shown = Math.min(rows.length, ROWS_PER_SITE, budget);
    if (shown === 0) {
      output.line(`${heading}: ${actionCounts(rows)}${style.gray(' (all of them with --json)')}`);
      continue;
    }
    budget -= shown;
    output.line(heading);
    output.table(
      ['action', 'type', 'domain', 'target', 'reason'],
      rows.slice(0, shown).map((a) => {
        const result = exceptions?.get(a);
        const label = wentWrong(a) ? style.red(result!.outcome) : color[a.kind](a.kind);
        return [label, a.record.type.replace('_RECORD', ''), a.record.domain, a.record.target, result?.reason ?? a.reason ?? ''];
      }),
    );
    if (rows.length > shown) output.line(style.gray(`… and ${rows.length - shown} more at this site (all of them with --json)`));
  }
  for (const r of report.plan.refusals) {
    const what =
      r.limit === 'deletes'
        ? `would delete ${r.count} of ${r.of} replicas`
        : `would lose ${r.count} of its ${r.of} origins at once (a listing that left policies out looks like this)`;
    output.line(style.red(`${r.site.controllerName} / ${r.site.name}: ${what}, over sync.maxDeletePercent`));
  }
  const { created, updated, deleted, skipped, failed } = report.counts;
  output.line(`created ${created}, updated ${updated}, deleted ${deleted}, skipped ${skipped}, failed ${failed}`);
  const note = {
    refused: 'refused by the delete limit: nothing was applied (use --force to apply)',
    drift: 'changes to make: nothing was applied (--fail-on-changes)',
    interrupted: 'stopped by a signal: in-flight changes were recorded, the rest was not sent',
  }[report.outcome as string];
  if (report.dryRun) output.line('dry run: nothing was sent or recorded');
  else if (note) output.line(note);
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
