import type { HistoryEvent, RunRow } from '../../store/history.ts';
import type { Output } from '../output.ts';

/** Events as a table, or as JSON lines for scripts. */
export function renderEvents(events: HistoryEvent[], output: Output, json: boolean): void {
  renderRows(events, output, json, 'no events', ['time (UTC)', 'run', 'status', 'type', 'domain', 'target', 'site', 'controller', 'reason'], (e) => [
    shortTime(e.timestamp),
    e.runId ?? '',
    e.status,
    e.type.replace('_RECORD', ''),
    e.domain,
    e.target,
    e.site ?? '',
    e.controller ?? '',
    e.reason ?? '',
  ]);
}

export function renderRuns(runs: RunRow[], output: Output, json: boolean): void {
  const head = ['run', 'started (UTC)', 'duration', 'mode', 'outcome', 'created', 'updated', 'deleted', 'skipped', 'failed', 'sites ok/failed', 'host', 'pid'];
  renderRows(runs, output, json, 'no runs', head, (r) => [
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
  ]);
}

function renderRows<T>(rows: T[], output: Output, json: boolean, empty: string, head: string[], cells: (row: T) => Array<string | number>): void {
  if (json) {
    for (const row of rows) output.line(JSON.stringify(row));
  } else if (rows.length === 0) {
    output.line(empty);
  } else {
    output.table(head, rows.map(cells));
  }
}

export function shortTime(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z$/, '').replace(/Z$/, '');
}

function duration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  // Whole seconds first, so that 119.6 s is 2 min 0 s, never 1 min 60 s.
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}
