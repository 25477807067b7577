import { Command } from 'commander';
import { existsSync } from 'node:fs';
import type { App } from '../app.ts';
import { ExitCode } from '../exit-codes.ts';
import type { Runner } from '../main.ts';
import { openStore } from '../../store/database.ts';
import { migrationStatus } from '../../store/migrations.ts';

interface MigrateOptions {
  status?: boolean;
  json?: boolean;
}

export function migrateCommand(run: Runner): Command {
  return new Command('migrate')
    .description('apply pending database migrations (every command also does this on open)')
    .option('--status', 'list applied and pending migrations and the schema version; changes nothing')
    .option('--json', 'print one JSON document')
    .action(run(migrate));
}

function migrate(app: App, options: MigrateOptions): number {
  return options.status ? showStatus(app, options) : applyMigrations(app, options);
}

function applyMigrations(app: App, options: MigrateOptions): number {
  const store = openStore(app.dbPath, { create: true });
  const status = migrationStatus(store.db);
  store.close();
  const applied = store.applied.map((m) => ({ version: m.version, name: m.name }));
  if (options.json) {
    app.output.json({ database: app.dbPath, applied, schemaVersion: status.schemaVersion });
  } else if (applied.length === 0) {
    app.output.line(`${app.dbPath}: up to date, schema version ${status.schemaVersion}`);
  } else {
    const names = applied.map((m) => `${pad(m.version)} ${m.name}`).join(', ');
    app.output.line(`${app.dbPath}: applied ${applied.length} migration(s) (${names}), schema version ${status.schemaVersion}`);
  }
  return ExitCode.Success;
}

function showStatus(app: App, options: MigrateOptions): number {
  // A missing file stays missing: --status only reads.
  const store = existsSync(app.dbPath) ? openStore(app.dbPath, { create: false, readOnly: true }) : null;
  const status = migrationStatus(store?.db ?? null);
  store?.close();
  if (options.json) {
    app.output.json({ database: app.dbPath, ...status });
    return ExitCode.Success;
  }
  if (!status.exists) app.output.line(`${app.dbPath} does not exist yet; every migration is pending`);
  app.output.table(
    ['version', 'name', 'status', 'applied at', 'checksum'],
    status.migrations.map((m) => [pad(m.version), m.name, m.status, m.appliedAt ?? '', m.checksum.slice(0, 12)]),
  );
  app.output.line(`schema version ${status.schemaVersion} of ${status.latestVersion}`);
  return ExitCode.Success;
}

function pad(version: number): string {
  return String(version).padStart(4, '0');
}
