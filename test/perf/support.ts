// Counting helpers for the perf tests: the list requests a discovery needs, every row of the
// tables a sync must leave alone, and the rows a dnssync child wrote (write-log-hook.ts).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Simulator } from '../../fixtures/simulator/index.ts';
import type { CliOptions } from '../support/cli.ts';
import type { SyncEnv } from '../support/sync-env.ts';
import type { WriteLogEntry } from './write-log-hook.ts';

export const PAGE_LIMIT = 200;
const pages = (items: number) => Math.max(1, Math.ceil(items / PAGE_LIMIT));

/**
 * The GETs of one discovery of every site of `controllers` (no client lists): per controller
 * 1 info + ceil(sites / 200) sites pages, per site ceil(policies / 200) pages, at least 1.
 */
export function expectedListRequests(sim: Simulator, controllers = sim.controllers.map((c) => c.name)): number {
  let total = 0;
  for (const controller of controllers) {
    const sites = sim.sites(controller);
    total += 1 + pages(sites.length);
    for (const site of sites) total += pages(sim.policies(controller, site.id).length);
  }
  return total;
}

/** How often each site's first policy page was read since the last clearRequests, by `controller/internalReference`. */
export function policyListingReads(sim: Simulator): Map<string, number> {
  const reads = new Map<string, number>();
  for (const { name } of sim.controllers) {
    for (const site of sim.sites(name)) {
      const first = sim.requests({ controller: name, method: 'GET', site: site.id, path: /\/dns\/policies$/ }).filter((r) => r.query.offset === '0');
      reads.set(`${name}/${site.internalReference}`, first.length);
    }
  }
  return reads;
}

/** The same requests one by one, `METHOD path?offset&limit`, sorted: which pages, not just how many. */
export function expectedListPages(sim: Simulator): string[] {
  const list: string[] = [];
  for (const { name } of sim.controllers) {
    const paged = (path: string, items: number) => {
      for (let page = 0; page < pages(items); page++) list.push(`${name} GET ${path}?offset=${page * PAGE_LIMIT}&limit=${PAGE_LIMIT}`);
    };
    list.push(`${name} GET /proxy/network/integration/v1/info`);
    const sites = sim.sites(name);
    paged('/proxy/network/integration/v1/sites', sites.length);
    for (const site of sites) paged(`/proxy/network/integration/v1/sites/${site.id}/dns/policies`, sim.policies(name, site.id).length);
  }
  return list.sort();
}

export function actualRequests(sim: Simulator): string[] {
  return sim
    .requests()
    .map((r) => {
      const query = Object.keys(r.query).length > 0 ? `?${new URLSearchParams(r.query as Record<string, string>)}` : '';
      return `${r.controller} ${r.method} ${r.path}${query}`;
    })
    .sort();
}

export function countByMethod(sim: Simulator): Record<string, number> {
  return sim.requestCounts().byMethod;
}

/** Every row of a table by primary key, with its rowid where it has one, as JSON. */
export type TableSnapshot = Map<string, string>;
export type Snapshot = Record<'dns_records' | 'record_origins' | 'replicas', TableSnapshot>;

export function snapshot(env: SyncEnv): Snapshot {
  const keyed = (rows: Array<Record<string, unknown>>, key: (r: Record<string, unknown>) => string): TableSnapshot =>
    new Map(rows.map((r) => [key(r), JSON.stringify(r)]));
  return {
    // dns_records has a rowid: a rewritten (deleted and re-inserted) row would get a new one.
    dns_records: keyed(env.query('SELECT rowid AS row_id, * FROM dns_records'), (r) => String(r.id)),
    record_origins: keyed(env.query('SELECT * FROM record_origins'), (r) => `${r.record_id}|${r.site_id}`),
    replicas: keyed(env.query('SELECT * FROM replicas'), (r) => `${r.record_id}|${r.site_id}`),
  };
}

export interface TableDiff {
  added: string[];
  removed: string[];
  changed: string[];
}

export function diff(before: TableSnapshot, after: TableSnapshot): TableDiff {
  const result: TableDiff = { added: [], removed: [], changed: [] };
  for (const [key, row] of after) {
    const old = before.get(key);
    if (old === undefined) result.added.push(key);
    else if (old !== row) result.changed.push(key);
  }
  for (const key of before.keys()) if (!after.has(key)) result.removed.push(key);
  for (const list of Object.values(result)) list.sort();
  return result;
}

export function count(env: SyncEnv, table: 'runs' | 'sync_events'): number {
  return env.query<{ n: number }>(`SELECT count(*) AS n FROM ${table}`)[0]!.n;
}

const HOOK = new URL('./write-log-hook.ts', import.meta.url).href;

/** Runs `dnssync sync` with the write-log hook; resolves with the result and every row it wrote. */
export async function syncLoggingWrites(env: SyncEnv, name: string, args: string[] = []) {
  const file = join(env.dir, `${name}.writes.jsonl`);
  const options: CliOptions = { env: { NODE_OPTIONS: `--import=${HOOK}`, DNSSYNC_WRITE_LOG: file } };
  const result = await env.sync(args, options);
  const writes: WriteLogEntry[] = existsSync(file)
    ? readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .flatMap((line) => JSON.parse(line) as WriteLogEntry[])
    : [];
  return { result, writes, logged: existsSync(file) };
}

/** Distinct keys of a table that were written (any operation), sorted. */
export function writtenKeys(writes: WriteLogEntry[], table: string): string[] {
  return [...new Set(writes.filter((w) => w.table === table).map((w) => w.key))].sort();
}
