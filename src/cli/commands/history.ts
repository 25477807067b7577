import { Command, InvalidArgumentError } from 'commander';
import { parseDuration } from '../../config/duration.ts';
import { UsageError } from '../../domain/errors.ts';
import type { CommandResult } from '../../domain/exit-codes.ts';
import type { EventStatus } from '../../domain/run.ts';
import { EVENT_STATUSES, HistoryRepository } from '../../store/history.ts';
import type { App, Runner } from '../app.ts';
import { positiveInteger } from '../arguments.ts';
import { renderEvents, renderRuns } from '../render/history.ts';

interface HistoryOptions {
  record?: string;
  site?: string;
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
    .option('--site <name|uuid>', 'events at this site (name, internalReference or uuid)')
    .option('--status <status>', `one of ${EVENT_STATUSES.join(', ')}`, statusArgument)
    .option('--run <id>', 'events of this run', positiveInteger)
    .option('--since <when>', 'a duration back from now (24h, 7d) or an ISO time')
    .option('--limit <n>', 'at most this many rows', positiveInteger, 50)
    .option('--runs', 'list runs instead: start, duration, mode, outcome, counts')
    .option('--json', 'JSON lines, one object per row')
    .action(run(history));
}

async function history(app: App, options: HistoryOptions): Promise<CommandResult> {
  const since = options.since === undefined ? undefined : parseSince(options.since);
  const store = await app.openStore({ create: false, readOnly: true });
  try {
    const repo = new HistoryRepository(store.db);
    if (options.runs) {
      for (const flag of ['record', 'site', 'status'] as const) {
        if (options[flag] !== undefined) throw new UsageError(`--${flag} does not apply to --runs`);
      }
      renderRuns(repo.runs({ runId: options.run, since, limit: options.limit }), app.output, options.json === true);
      return { kind: 'done' };
    }
    let siteKeys: number[] | undefined;
    if (options.site !== undefined) {
      siteKeys = repo.siteKeys(options.site);
      if (siteKeys.length === 0) throw new UsageError(`--site ${options.site}: no such site in ${app.dbPath}`);
    }
    const events = repo.events({ record: options.record, siteKeys, status: options.status, runId: options.run, since, limit: options.limit });
    renderEvents(events, app.output, options.json === true);
    return { kind: 'done' };
  } finally {
    store.close();
  }
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
