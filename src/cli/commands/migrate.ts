import { Command } from 'commander';
import { existsSync } from '../../system/fs.ts';
import { resolve } from 'node:path';
import { DatabaseError, UsageError } from '../../domain/errors.ts';
import type { CommandResult } from '../../domain/exit-codes.ts';
import type { LegacyDatabaseError, LegacySummary } from '../../legacy/index.ts';
import { awaitsFirstSync } from '../../store/legacy-evidence.ts';
import { migrationStatus } from '../../store/migrations.ts';
import type { FirstSyncPrediction } from './first-sync.ts';
import type { App, OpenedStore, Runner } from '../app.ts';
import { tableTime } from '../render/time.ts';

interface MigrateOptions {
  status?: boolean;
  importLegacy?: string;
  json?: boolean;
}

export function migrateCommand(run: Runner): Command {
  return new Command('migrate')
    .description(
      'apply pending database migrations (every command also does this on open); convert a legacy unifi-dns-sync database in place, after a backup copy',
    )
    .option('--status', 'list applied and pending migrations and the schema version; changes nothing')
    .option('--import-legacy <path>', 'import a legacy unifi-dns-sync database from another file (read only, never modified)')
    .option('--json', 'print one JSON document')
    .action(run(migrate));
}

function migrate(app: App, options: MigrateOptions): Promise<CommandResult> {
  if (options.status && options.importLegacy !== undefined) throw new UsageError('--status and --import-legacy cannot be used together');
  return options.status ? showStatus(app, options) : applyMigrations(app, options);
}

async function applyMigrations(app: App, options: MigrateOptions): Promise<CommandResult> {
  const source = options.importLegacy === undefined ? undefined : resolve(app.io.cwd, options.importLegacy);
  if (source !== undefined && !existsSync(source)) throw new UsageError(`--import-legacy: no file at ${source}`);
  const store = await app.openStore({ create: true, printsLegacy: true });
  // The legacy conversion loads only when there is a legacy database to report or import.
  const legacy = store.legacy || source !== undefined ? await import('../../legacy/index.ts') : null;
  let imported: LegacySummary | null = null;
  let schemaVersion: number;
  let firstSync: FirstSyncPrediction | null = null;
  try {
    if (source !== undefined) imported = legacy!.importLegacy(store.db, app.dbPath, source);
    schemaVersion = migrationStatus(store.db).schemaVersion;
    // After a conversion, what the first sync will orphan is announced now, not discovered then.
    if (legacy && awaitsFirstSync(store.db)) firstSync = await (await import('./first-sync.ts')).predictFirstSync(app, store);
  } finally {
    store.close();
  }
  const applied = store.applied.map((m) => ({ version: m.version, name: m.name }));
  if (options.json) {
    app.output.json({
      database: app.dbPath,
      applied,
      schemaVersion,
      ...(store.legacy && { legacyConversion: store.legacy }),
      ...(imported && { legacyImport: imported }),
      ...(firstSync && { firstSync: (await import('./first-sync.ts')).firstSyncJson(firstSync) }),
    });
    return { kind: 'done' };
  }
  if (applied.length === 0) {
    app.output.line(`${app.dbPath}: up to date, schema version ${schemaVersion}`);
  } else {
    const names = applied.map((m) => `${pad(m.version)} ${m.name}`).join(', ');
    app.output.line(`${app.dbPath}: applied ${applied.length} migration(s) (${names}), schema version ${schemaVersion}`);
  }
  for (const summary of [store.legacy, imported]) {
    if (summary) for (const line of legacy!.summaryLines(summary)) app.output.line(line);
  }
  if (firstSync) for (const line of (await import('./first-sync.ts')).predictionLines(firstSync)) app.output.line(line);
  return { kind: 'done' };
}

async function showStatus(app: App, options: MigrateOptions): Promise<CommandResult> {
  // A missing file stays missing: --status only reads. A legacy file is reported, not converted.
  let legacy = false;
  let store: OpenedStore | null = null;
  if (existsSync(app.dbPath)) {
    try {
      store = await app.openStore({ create: false, readOnly: true, allowPending: true });
    } catch (error) {
      if (!(error instanceof DatabaseError) || (error as LegacyDatabaseError).shape !== 'legacy') throw error;
      legacy = true;
    }
  }
  const status = migrationStatus(store?.db ?? null);
  store?.close();
  const conversion = legacy ? 'pending' : null;
  if (options.json) {
    app.output.json({ database: app.dbPath, ...status, exists: status.exists || legacy, legacy, conversion });
    return { kind: 'done' };
  }
  if (legacy) {
    app.output.line(
      `${app.dbPath} is a database of the legacy Python tool (unifi-dns-sync): conversion pending; 'dnssync migrate' (or any command that writes) converts it in place after writing a backup copy beside it`,
    );
  } else if (!status.exists) app.output.line(`${app.dbPath} does not exist yet; every migration is pending`);
  app.output.table(
    ['version', 'name', 'status', 'applied at', 'checksum'],
    status.migrations.map((m) => [pad(m.version), m.name, m.status, m.appliedAt ? tableTime(m.appliedAt) : '', m.checksum.slice(0, 12)]),
  );
  app.output.line(`schema version ${status.schemaVersion} of ${status.latestVersion}`);
  return { kind: 'done' };
}

function pad(version: number): string {
  return String(version).padStart(4, '0');
}
