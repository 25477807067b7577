// Running the measured processes: dnssync (the real CLI) and the floor scripts, each a child
// process of its own, timed from spawn to exit.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT } from './sim-process.ts';

/** The bin/dnssync that runs: the checkout's (its sources) until useDnssync names another. */
let bin = join(ROOT, 'bin', 'dnssync');

/** Runs dnssync from this bin/dnssync from now on (bench/layout.ts). */
export function useDnssync(path: string): void {
  bin = path;
}
const HOOK = new URL('./child-hook.mjs', import.meta.url).href;

export interface ChildRun {
  ms: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Bytes written to stdout (kept only at the end: `tail`). */
  stdoutBytes: number;
  tail: string;
  stderr: string;
}

export interface DnssyncRun extends ChildRun {
  /** Peak RSS of the dnssync process (getrusage maxrss), kB. */
  maxRssKb: number | null;
  /** CPU time (user + system) of the dnssync process, ms. */
  cpuMs: number | null;
  /** Its main thread's busy time: start-up before the event loop plus the loop's active time (main-thread.mjs), ms. */
  mainBusyMs: number | null;
  /** Its main thread's own CPU time (process.threadCpuUsage), ms. */
  mainCpuMs: number | null;
  /** Its worker threads' own CPU time (the write thread's, store/write-thread.ts), ms; 0 without one. */
  workerCpuMs: number | null;
  /** Event-loop utilization over the process's life, start-up not counted. */
  elu: number | null;
  /** Rows changed by its SQLite connections (total_changes()). */
  totalChanges: number | null;
}

const CLEAN_ENV = ['DNSSYNC_CONFIG', 'DNSSYNC_DB', 'DB_PATH', 'CONFIG_PATH', 'DNSSYNC_LOG_FORMAT', 'DNSSYNC_LOG_LEVEL', 'LOG_LEVEL', 'FORCE_COLOR'];

function run(args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdoutBytes = 0;
    let tail = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      stdoutBytes += chunk.length;
      tail = (tail + chunk.toString()).slice(-8000);
    });
    child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-8000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ ms: performance.now() - started, code, signal, stdoutBytes, tail, stderr });
    });
  });
}

export interface DnssyncOptions {
  /** Write a V8 CPU profile of the process into this folder. */
  profileDir?: string;
  timeoutMs?: number;
  /**
   * Without child-hook.mjs: nothing measured but the wall time. Preloading the hook costs a start
   * about 7 ms (15 alternating starts each of `orphans` at L, 2026-11-27), which a user never pays.
   */
  bare?: boolean;
}

/** `node bin/dnssync ARGS` on this Node, as a cron job would run it (stdout a pipe, logs JSON on stderr). */
export async function dnssync(args: string[], scratch: string, options: DnssyncOptions = {}): Promise<DnssyncRun> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  for (const name of CLEAN_ENV) delete env[name];
  const out = join(scratch, `child-${process.pid}-${Date.now()}.json`);
  // BENCH_NODE_OPTIONS: extra Node options for the dnssync processes only (e.g. --max-old-space-size=384).
  const nodeOptions = [process.env.NODE_OPTIONS ?? '', options.bare ? '' : `--import=${HOOK}`, process.env.BENCH_NODE_OPTIONS ?? ''];
  if (options.profileDir) {
    mkdirSync(options.profileDir, { recursive: true });
    nodeOptions.push('--cpu-prof', `--cpu-prof-dir=${options.profileDir}`);
  }
  env.NODE_OPTIONS = nodeOptions.filter(Boolean).join(' ');
  if (!options.bare) env.DNSSYNC_BENCH_OUT = out;
  const result = await run([bin, ...args], env, options.timeoutMs ?? 3_600_000);
  type Measured = { maxRssKb: number; cpuMs: number; mainBusyMs: number; mainCpuMs: number; workerCpuMs: number; elu: number; totalChanges: number };
  let measured: Measured | null = null;
  try {
    measured = JSON.parse(readFileSync(out, 'utf8')) as Measured;
    rmSync(out);
  } catch {
    // bare, or the process died before its exit handler ran
  }
  return {
    ...result,
    maxRssKb: measured?.maxRssKb ?? null,
    cpuMs: measured?.cpuMs ?? null,
    mainBusyMs: measured?.mainBusyMs ?? null,
    mainCpuMs: measured?.mainCpuMs ?? null,
    workerCpuMs: measured?.workerCpuMs ?? null,
    elu: measured?.elu ?? null,
    totalChanges: measured?.totalChanges ?? null,
  };
}

/**
 * `node -e 0` on this Node, in dnssync's environment: Node's own start and exit, the floor of every
 * short command, timed in the same rounds so that a slow minute of the machine shows in it too.
 */
export function nodeAlone(): Promise<ChildRun> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NODE_OPTIONS;
  return run(['-e', '0'], env, 60_000);
}

/** A floor script (bench/bare-*.ts), started as dnssync is (Node erasing the types); its last stdout line is its JSON report. */
export async function floor<T>(script: string, targetFile: string, timeoutMs = 3_600_000): Promise<ChildRun & { report: T }> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NODE_OPTIONS;
  const result = await run([fileURLToPath(new URL(script, import.meta.url)), targetFile], env, timeoutMs);
  if (result.code !== 0) throw new Error(`${script} exited with ${result.code ?? result.signal}: ${result.stderr}`);
  const lines = result.tail.trim().split('\n');
  return { ...result, report: JSON.parse(lines[lines.length - 1]!) as T };
}
