import { Command, InvalidArgumentError } from 'commander';
import { hostname } from 'node:os';
import { parseDuration } from '../../config/duration.ts';
import { UsageError } from '../../domain/errors.ts';
import type { CommandResult } from '../../domain/exit-codes.ts';
import type { EventStatus } from '../../domain/run.ts';
import { ambiguousSite, chooseSites } from '../../domain/site-names.ts';
import { EVENT_STATUSES, HistoryRepository, type HistorySite } from '../../store/history.ts';
import type { App, Runner } from '../app.ts';
import { positiveInteger } from '../arguments.ts';
import { renderEvents, renderRuns } from '../render/history.ts';

interface HistoryOptions {
  record?: string;
  site?: string;
  controller?: string;
  status?: EventStatus;
  run?: number;
  since?: string;
  limit: number;
  runs?: boolean;
  json?: boolean;
}

export function historyCommand(run: Runner): Command {
  return new Command('history')
    .description('who synced what, when: events newest first, or with --runs the runs')
    .option('--record <domain>', 'events of this domain, exact or a glob (*.home.arpa)')
    .option('--site <name|uuid>', 'events at this site (name, internalReference or uuid; CONTROLLER/SITE where several controllers have it)')
    .option('--controller <name>', 'events at the sites of this controller (its name or host)')
    .option('--status <status>', `one of ${EVENT_STATUSES.join(', ')}`, statusArgument)
    .option('--run <id>', 'events of this run', positiveInteger)
    .option('--since <when>', 'a duration back from now (24h, 7d) or an ISO time')
    .option('--limit <n>', 'at most this many rows', positiveInteger, 50)
    .option('--runs', 'list runs instead: start, duration, outcome, planned and done counts')
    .option('--json', 'JSON lines, one object per row')
    .action(run(history));
}

async function history(app: App, options: HistoryOptions): Promise<CommandResult> {
  const since = options.since === undefined ? undefined : parseSince(options.since);
  if (options.runs) {
    // A run reads every controller and site, so events' filters say nothing about it.
    for (const flag of ['record', 'site', 'controller', 'status'] as const) {
      if (options[flag] !== undefined) throw new UsageError(`--${flag} does not apply to --runs (a run covers every controller and site)`);
    }
  }
  const store = await app.openStore({ create: false, readOnly: true });
  try {
    const repo = new HistoryRepository(store.db);
    const json = options.json === true;
    if (options.runs) {
      const filter = { runId: options.run, since };
      const runs = repo.runs({ ...filter, limit: options.limit }, { host: hostname(), pid: process.pid });
      renderRuns(runs, app.output, json, runs.length < options.limit ? runs.length : repo.runsCount(filter));
      return { kind: 'done' };
    }
    const siteKeys = chosenSites(repo, app.dbPath, options.site, options.controller)?.map((s) => s.key);
    const filter = { record: options.record, siteKeys, status: options.status, runId: options.run, since };
    const events = repo.events({ ...filter, limit: options.limit });
    // Counted only when the limit may have cut: the count walks the same index the rows came from.
    renderEvents(events, app.output, json, events.length < options.limit ? events.length : repo.eventsCount(filter));
    return { kind: 'done' };
  } finally {
    store.close();
  }
}

/**
 * The sites --site and --controller choose together, or undefined for every site. --controller
 * alone is all its sites; with --site it also tells apart sites of the same name on several
 * controllers, as CONTROLLER/SITE does.
 */
function chosenSites(repo: HistoryRepository, dbPath: string, site: string | undefined, controller: string | undefined): HistorySite[] | undefined {
  if (site === undefined && controller === undefined) return undefined;
  let sites = repo.sites();
  if (controller !== undefined) {
    const wanted = fold(controller);
    const known = repo.controllers();
    const matched = new Set(known.filter((c) => fold(c.name) === wanted || fold(c.host) === wanted).map((c) => c.host));
    if (matched.size === 0) {
      const names = known.map((c) => c.name).join(', ');
      throw new UsageError(`--controller ${controller}: no such controller in ${dbPath}${names ? ` (known: ${names})` : ''}`);
    }
    sites = sites.filter((s) => matched.has(s.controllerHost));
  }
  if (site === undefined) return sites;
  const choice = chooseSites(sites, site);
  if (choice.kind === 'ambiguous') throw new UsageError(ambiguousSite('--site', site, choice.candidates));
  if (choice.kind === 'none') throw new UsageError(`--site ${site}: no such site${controller !== undefined ? ` on controller ${controller}` : ''} in ${dbPath}`);
  return choice.sites;
}

/** `24h`, `7d`, `90m` back from now, or an ISO 8601 time; as stored timestamps compare. */
export function parseSince(value: string, now = Date.now()): string {
  try {
    return new Date(now - parseDuration(value)).toISOString();
  } catch {
    const time = Date.parse(value);
    if (Number.isNaN(time)) throw new UsageError(`--since ${value}: expected a duration (24h, 7d) or an ISO time (2026-11-01T00:00:00Z)`);
    return new Date(time).toISOString();
  }
}

function statusArgument(value: string): EventStatus {
  const status = value.toUpperCase() as EventStatus;
  if (!EVENT_STATUSES.includes(status)) throw new InvalidArgumentError(`expected one of ${EVENT_STATUSES.join(', ')}`);
  return status;
}

/** Names fold as everywhere in dnssync: ASCII letters only. */
function fold(text: string): string {
  return text.replace(/[A-Z]/g, (c) => c.toLowerCase());
}
