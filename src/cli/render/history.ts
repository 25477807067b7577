import type { HistoryEvent, RunRow } from '../../store/history.ts';
import type { Output } from '../output.ts';

/** Events as a table, or as JSON lines for scripts. */
export function renderEvents(events: HistoryEvent[], output: Output, json: boolean): void {
  if (json) {
    for (const e of events) output.line(JSON.stringify(e));
    return;
  }
  if (events.length === 0) {
    output.line('no events');
    return;
  }
  output.table(
    ['time (UTC)', 'run', 'status', 'type', 'domain', 'target', 'site', 'controller', 'reason'],
    events.map((e) => [
      shortTime(e.timestamp),
      e.runId ?? '',
      e.status,
      e.type.replace('_RECORD', ''),
      e.domain,
      e.target,
      e.site ?? '',
      e.controller ?? '',
      e.reason ?? '',
    ]),
  );
}

export function renderRuns(runs: RunRow[], output: Output, json: boolean): void {
  if (json) {
    for (const r of runs) output.line(JSON.stringify(r));
    return;
  }
  if (runs.length === 0) {
    output.line('no runs');
    return;
  }
  output.table(
    ['run', 'started (UTC)', 'duration', 'mode', 'outcome', 'created', 'updated', 'deleted', 'skipped', 'failed', 'sites ok/failed', 'host', 'pid'],
    runs.map((r) => [
      r.id,
      shortTime(r.startedAt),
      r.finishedAt ? duration(Date.parse(r.finishedAt) - Date.parse(r.startedAt)) : '',
      r.mode,
      r.outcome ?? (r.finishedAt ? '' : 'unfinished'),
      r.created,
      r.updated,
      r.deleted,
      r.skipped,
      r.failed,
      `${r.sitesOk}/${r.sitesFailed}`,
      r.host,
      r.pid,
    ]),
  );
}

export function shortTime(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z$/, '').replace(/Z$/, '');
}

function duration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}
