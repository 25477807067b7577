import { Command } from 'commander';
import { hostname } from 'node:os';
import type { CommandResult } from '../../domain/exit-codes.ts';
import type { App, Runner } from '../app.ts';

interface RepairOptions {
  check?: boolean;
  json?: boolean;
}


export function repairCommand(run: Runner): Command {
  return new Command('repair')
    .description('check the database and fix what can be fixed, after writing a backup (needs no config file)')
    .option('--check', 'only report: open read-only, change nothing, exit 1 when there is a problem')
    .option('--json', 'print one JSON document')
    .action(run(repair));
}

async function repair(app: App, options: RepairOptions): Promise<CommandResult> {
  const identity = { host: hostname(), pid: process.pid };
  // Loaded for this command only: every other command starts faster without them.
  const [{ checkDatabase, repairDatabase }, { renderRepairReport, repairReportJson }] = await Promise.all([
    import('../../repair/index.ts'),
    import('../render/repair-report.ts'),
  ]);
  const report = options.check ? checkDatabase(app.dbPath, identity) : repairDatabase(app.dbPath, identity);
  if (options.json) app.output.json(repairReportJson(report));
  else renderRepairReport(report, app.output);
  app.logger.info(options.check ? 'repair --check finished' : 'repair finished', {
    state: report.state,
    findings: report.findings.length,
    remaining: report.remaining,
    ...(report.backup && { backup: report.backup }),
    ...(report.recovered?.path && { recovered: report.recovered.path }),
  });
  return { kind: 'repair', remaining: report.remaining };
}
