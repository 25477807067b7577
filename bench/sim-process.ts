// The simulator in a process of its own (as a real controller would be), driven over its admin API.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import type { Policy, RequestCounts } from '../fixtures/simulator/index.ts';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SIM_MAIN = fileURLToPath(new URL('../fixtures/simulator/main.ts', import.meta.url));

export interface SimSite {
  id: string;
  internalReference: string;
  name: string;
  policies: number;
}

export interface SimController {
  name: string;
  url: string;
  apiKey: string;
  tls: boolean;
  /** What every API answer waits, ms (the scenario's latencyMs). */
  latencyMs: number;
  sites: SimSite[];
}

export class SimProcess {
  readonly child: ChildProcess;
  readonly controllers: SimController[];
  private readonly stderr: () => string;

  private constructor(
    child: ChildProcess,
    controllers: SimController[],
    stderr: () => string,
  ) {
    this.child = child;
    this.controllers = controllers;
    this.stderr = stderr;
  }

  /** Starts `fixtures/simulator/main.ts` on `scenarioFile` (ephemeral ports, no request log: counts only). */
  static async start(scenarioFile: string, timeoutMs = 120_000): Promise<SimProcess> {
    const child = spawn(process.execPath, [SIM_MAIN, '--scenario', scenarioFile, '--json', '--ephemeral-ports', '--log-limit', '0'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    const controllers = await new Promise<SimController[]>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`simulator did not start within ${timeoutMs} ms: ${stderr}`));
      }, timeoutMs);
      const onData = (chunk: Buffer) => {
        out += chunk.toString();
        const newline = out.indexOf('\n');
        if (newline < 0) return;
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        child.stdout!.resume();
        try {
          resolve((JSON.parse(out.slice(0, newline)) as { controllers: SimController[] }).controllers);
        } catch (error) {
          reject(error as Error);
        }
      };
      child.stdout!.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`simulator exited with ${code} before it was ready: ${stderr}`));
      });
    });
    return new SimProcess(child, controllers, () => stderr);
  }

  get pid(): number {
    return this.child.pid!;
  }

  controller(name: string): SimController {
    const found = this.controllers.find((c) => c.name === name);
    if (!found) throw new Error(`no controller ${name}`);
    return found;
  }

  /** Request counts summed over every controller (exact even with --log-limit 0). */
  async stats(): Promise<RequestCounts> {
    const sum: RequestCounts = { total: 0, byMethod: {}, byStatus: {} };
    for (const c of this.controllers) {
      const counts = await this.admin<RequestCounts>(c.name, 'GET', '/stats');
      sum.total += counts.total;
      for (const [k, v] of Object.entries(counts.byMethod)) sum.byMethod[k] = (sum.byMethod[k] ?? 0) + v;
      for (const [k, v] of Object.entries(counts.byStatus)) sum.byStatus[k] = (sum.byStatus[k] ?? 0) + v;
    }
    return sum;
  }

  async clearStats(): Promise<void> {
    for (const c of this.controllers) await this.admin(c.name, 'DELETE', '/requests');
  }

  /** Every policy of a site, unpaged (admin API). */
  policies(controller: string, site: string): Promise<Policy[]> {
    return this.admin<{ data: Policy[] }>(controller, 'GET', `/sites/${encodeURIComponent(site)}/policies`).then((r) => r.data);
  }

  /** Merges `changes` into a policy, as a person editing it in the console would. */
  updatePolicy(controller: string, site: string, id: string, changes: Partial<Policy>): Promise<Policy> {
    return this.admin<Policy>(controller, 'PUT', `/sites/${encodeURIComponent(site)}/policies/${id}`, changes);
  }

  removePolicy(controller: string, site: string, id: string): Promise<unknown> {
    return this.admin(controller, 'DELETE', `/sites/${encodeURIComponent(site)}/policies/${id}`);
  }

  /** Resident set size of the simulator process now and at its peak (kB), from /proc. */
  memory(): { rssKb: number | null; hwmKb: number | null } {
    try {
      const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
      const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) || null;
      return { rssKb: kb('VmRSS'), hwmKb: kb('VmHWM') };
    } catch {
      return { rssKb: null, hwmKb: null };
    }
  }

  /** CPU time (user + system, ms) the simulator process has used so far, from /proc; null elsewhere. */
  cpuMs(): number | null {
    try {
      // Fields after the parenthesised command name: utime and stime are the 12th and 13th.
      const fields = readFileSync(`/proc/${this.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
    } catch {
      return null;
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }

  private async admin<T = unknown>(controller: string, method: 'GET' | 'PUT' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const { url } = this.controller(controller);
    const res = await request(`${url}/__sim${path}`, {
      method,
      ...(body !== undefined && { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    const text = await res.body.text();
    if (res.statusCode >= 300) throw new Error(`simulator admin ${method} ${path}: ${res.statusCode} ${text} ${this.stderr()}`);
    return JSON.parse(text) as T;
  }
}
