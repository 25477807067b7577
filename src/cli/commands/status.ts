import { Command } from 'commander';
import { hostname } from 'node:os';
import type { CommandResult } from '../../domain/exit-codes.ts';
import { SyncLock } from '../../store/lock.ts';
import { OrphanRepository } from '../../store/orphans.ts';
import { StatusRepository } from '../../store/status.ts';
import type { App, Runner } from '../app.ts';

interface StatusOptions {
  json?: boolean;
}

export function statusCommand(run: Runner): Command {
  return new Command('status')
    .description('the last run, each controller and site, open refusals and orphans: from the database alone, no controller asked')
    .option('--json', 'print one JSON document')
    .action(run(status));
}

async function status(app: App, options: StatusOptions): Promise<CommandResult> {
  const store = await app.openStore({ create: false, readOnly: true });
  try {
    // The config is optional: it tells excluded sites from failed ones, and the orphans' grace period.
    const config = await app.loadSettingsIfPresent();
    const repo = new StatusRepository(store.db);
    const lock = new SyncLock(store.db, store.path, { host: hostname(), pid: process.pid });
    const holder = lock.holder();
    const { statusReport, renderStatus } = await import('../render/status.ts');
    const report = statusReport({
      database: store.path,
      config,
      lastRun: repo.lastRun(),
      lastFinishedRun: repo.lastFinishedRun(),
      lock: holder && { ...holder, stale: lock.isStale(holder) },
      controllers: repo.controllers(),
      sites: repo.sites(),
      refusals: repo.refusals(),
      orphans: new OrphanRepository(store.db).list(),
      now: Date.now(),
    });
    if (options.json) app.output.json(report);
    else renderStatus(report, app.output);
    return { kind: 'done' };
  } finally {
    store.close();
  }
}
