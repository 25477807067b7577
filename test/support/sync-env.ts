import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after } from 'node:test';
import { startSimulator, TLS_CERT_FILE, type Scenario, type Simulator } from '../../fixtures/simulator/index.ts';
import { runCli, startCli, type CliOptions, type CliResult, type RunningCli } from './cli.ts';
import { tempDir } from './tmp.ts';

export interface SyncEnv {
  sim: Simulator;
  dir: string;
  db: string;
  configFile: string;
  /** Runs `dnssync sync` (plus `args`) against the simulator with this env's config and database. */
  sync(args?: string[], options?: CliOptions): Promise<CliResult>;
  /** Runs any dnssync command with this env's config and database. */
  cli(args: string[], options?: CliOptions): Promise<CliResult>;
  /** Starts `dnssync sync` without waiting, to signal or kill it. */
  start(args?: string[], options?: CliOptions): RunningCli;
  /** A read-only query on the database file. */
  query<T>(sql: string, ...params: Array<string | number | null>): T[];
  /** Every identity `type domain target` at a site, sorted, as the controller holds it. */
  identities(controller: string, site: string): string[];
}

export interface EnvOptions {
  /** The config's `sync:` section. */
  sync?: Record<string, unknown>;
  /** Extra keys per controller (by simulator name). */
  controllers?: Record<string, Record<string, unknown>>;
}

/** A simulator on loopback, a config that points at it (keys in files), and a fresh database path. */
export async function syncEnv(scenario: Scenario, options: EnvOptions = {}): Promise<SyncEnv> {
  const dir = tempDir();
  const sim = await startSimulator(scenario, { ephemeralPorts: true });
  after(() => sim.close());
  const controllers = sim.controllers.map((c) => {
    const apiKeyFile = join(dir, `${c.name}.key`);
    writeFileSync(apiKeyFile, `${c.apiKey}\n`, { mode: 0o600 });
    return { name: c.name, url: c.url, apiKeyFile, ...(c.tls && { tls: { caFile: TLS_CERT_FILE } }), ...options.controllers?.[c.name] };
  });
  const configFile = join(dir, 'dnssync.json');
  writeFileSync(configFile, JSON.stringify({ controllers, sync: { orphanGracePeriod: '15m', ...options.sync } }, null, 2));
  const db = join(dir, 'dnssync.db');
  const withEnv = (args: string[]) => [...args, '--config', configFile, '--db', db];
  const cli = (args: string[], cliOptions?: CliOptions) => runCli(withEnv(args), cliOptions);
  return {
    sim,
    dir,
    db,
    configFile,
    cli,
    sync: (args = [], cliOptions) => cli(['sync', ...args], cliOptions),
    start: (args = [], cliOptions) => startCli(withEnv(['sync', ...args]), cliOptions),
    query: <T>(sql: string, ...params: Array<string | number | null>) => {
      const conn = new DatabaseSync(db, { readOnly: true });
      try {
        return conn.prepare(sql).all(...params) as T[];
      } finally {
        conn.close();
      }
    },
    identities: (controller, site) =>
      sim
        .policies(controller, site)
        .map((p) => `${p.type} ${p.domain} ${p.ipv4Address ?? p.ipv6Address ?? p.targetDomain ?? p.text ?? p.ipAddress ?? ''}`)
        .sort(),
  };
}

/** Write requests (POST, PUT, DELETE) the simulator received. */
export function writes(sim: Simulator): number {
  return sim.requests().filter((r) => r.method !== 'GET').length;
}

/** Waits (up to 10 s) until `condition` holds, e.g. the simulator has seen a request; fails naming `what`. */
export async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400 && !condition(); i++) await new Promise((r) => setTimeout(r, 25));
  assert.ok(condition(), `timed out waiting for ${what}`);
}
