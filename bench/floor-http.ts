// What the floors share: plain undici Pools (as dnssync's transport uses, `concurrency`
// connections each), raw GET/POST of the Integration API, and nothing else.
import { readFileSync } from 'node:fs';
import { Pool } from 'undici';
import type { Page } from '../src/unifi/types.ts';

export const API = '/proxy/network/integration/v1';
export const PAGE_LIMIT = 200;

export interface FloorTarget {
  controllers: Array<{ name: string; url: string; apiKey: string }>;
  /** Requests in flight per controller, as dnssync's sync.concurrency. */
  concurrency: number;
}

export interface ListedPolicy {
  id: string;
  type: string;
  enabled: boolean;
  domain: string;
  ipv4Address?: string;
  ttlSeconds?: number;
  metadata?: { origin?: string };
}

export function readTarget(file: string | undefined): FloorTarget {
  if (!file) throw new Error('usage: <target.json>');
  return JSON.parse(readFileSync(file, 'utf8')) as FloorTarget;
}

export class Api {
  readonly pool: Pool;
  requests = 0;

  readonly url: string;
  private readonly apiKey: string;

  constructor(
    url: string,
    apiKey: string,
    concurrency: number,
  ) {
    this.url = url;
    this.apiKey = apiKey;
    this.pool = new Pool(new URL(url).origin, { connections: concurrency, pipelining: 1 });
  }

  async get<T>(path: string): Promise<T> {
    this.requests += 1;
    const res = await this.pool.request({ method: 'GET', path: `${API}${path}`, headers: { 'x-api-key': this.apiKey, accept: 'application/json' } });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`GET ${path}: ${res.statusCode} ${text.slice(0, 200)}`);
    return JSON.parse(text) as T;
  }

  async post<T>(path: string, body: unknown): Promise<{ status: number; body: T }> {
    this.requests += 1;
    const res = await this.pool.request({
      method: 'POST',
      path: `${API}${path}`,
      headers: { 'x-api-key': this.apiKey, accept: 'application/json', 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await res.body.text();
    return { status: res.statusCode, body: JSON.parse(text) as T };
  }

  /** Every item of a paged list, page after page (limit 200), as dnssync reads it. */
  async all<T>(path: string): Promise<T[]> {
    const items: T[] = [];
    for (let offset = 0; ; ) {
      const page = await this.get<Page<T>>(`${path}?offset=${offset}&limit=${PAGE_LIMIT}`);
      for (const item of page.data) items.push(item);
      offset += page.data.length;
      if (offset >= page.totalCount || page.data.length === 0) return items;
    }
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

/** Runs `work` over `items`, `limit` at a time. */
export async function inParallel<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export { mainThread } from './main-thread.mjs';

/** The main thread's busy time since `start` (a performance.eventLoopUtilization() taken then), ms. */
export function mainBusySince(start: ReturnType<typeof performance.eventLoopUtilization>): number {
  return performance.eventLoopUtilization(start).active;
}

/** CPU time (user + system) the main thread has used so far, ms: what it works, even while other threads or processes hold the cores. */
export function mainCpuMs(): number {
  const { user, system } = process.threadCpuUsage();
  return (user + system) / 1000;
}

/** CPU time (user + system) this process has used so far, ms. */
export function cpuMs(): number {
  const usage = process.resourceUsage();
  return (usage.userCPUTime + usage.systemCPUTime) / 1000;
}
