import type { HistoryEvent, RunRow } from '../../store/history.ts';
import type { Output } from '../output.ts';
import { tableTime, tableTimesIn } from './time.ts';
import { shortType } from '../../domain/policy.ts';

/**
 * Events as a table, or as JSON lines for scripts (each line an event as stored, format version
 * 1). `total`: how many the filters match, for the line that says the limit cut the list.
 */
export function renderEvents(events: HistoryEvent[], output: Output, json: boolean, total = events.length): void {
  // One column for where: CONTROLLER/SITE, as --site takes it (every console has a "Default").
  const where = (e: HistoryEvent) => (e.site === null ? '' : e.controller === null ? e.site : `${e.controller}/${e.site}`);
  renderRows(events, output, json, 'no events', ['time', 'run', 'status', 'type', 'domain', 'target', 'site', 'reason'], (e) => [
    tableTime(e.timestamp),
    e.runId ?? '',
    e.status,
    shortType(e.type),
    e.domain,
    e.target,
    where(e),
    tableTimesIn(e.reason ?? ''),
  ]);
  if (!json) shownOf(events.length, total, 'events', output);
}

/**
 * Runs as a table (what the plan said beside what was done; a run whose process died shows as
 * interrupted), or as JSON lines (format version 1).
 */
export function renderRuns(runs: RunRow[], output: Output, json: boolean, total = runs.length): void {
  const head = ['run', 'started', 'duration', 'outcome', 'planned', 'done', 'sites ok/failed', 'host', 'pid'];
  renderRows(runs, output, json, 'no runs', head, (r) => {
    // The counts are written when a run finishes: an unfinished one has none to show (its events,
    // `history --run ID`, say what it did).
    const finished = r.finishedAt !== null;
    return [
      r.id,
      tableTime(r.startedAt),
      finished ? duration(Date.parse(r.finishedAt!) - Date.parse(r.startedAt)) : '',
      r.outcome ?? (r.state === 'finished' ? '' : r.state),
      finished ? counts([[r.plannedCreate, 'create'], [r.plannedUpdate, 'update'], [r.plannedDelete, 'delete'], [r.plannedSkip, 'skip']]) : '',
      finished ? counts([[r.created, 'created'], [r.updated, 'updated'], [r.deleted, 'deleted'], [r.skipped, 'skipped'], [r.failed, 'failed']]) : '',
      finished ? `${r.sitesOk}/${r.sitesFailed}` : '',
      r.host,
      r.pid,
    ];
  });
  if (!json) shownOf(runs.length, total, 'runs', output);
}

/** "6 create, 1 skip": the counts that are not 0, or "nothing". */
function counts(pairs: Array<[n: number, word: string]>): string {
  const said = pairs.filter(([n]) => n > 0).map(([n, word]) => `${n} ${word}`);
  return said.length ? said.join(', ') : 'nothing';
}

/** The line after a table that --limit cut: "showing 50 of 1,234 events". */
function shownOf(shown: number, total: number, what: string, output: Output): void {
  if (total > shown) output.line(output.style.gray(`showing ${grouped(shown)} of ${grouped(total)} ${what} (--limit shows more)`));
}

/** 1234567 → "1,234,567"; toLocaleString loaded ICU's number formats for it, 20 ms of history's 100. */
function grouped(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
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

function duration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  // Whole seconds first, so that 119.6 s is 2 min 0 s, never 1 min 60 s.
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}
