import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/dnssync', import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
  /** Run as this user and group (a test running as root, to meet permissions root would pass). */
  uid?: number;
  gid?: number;
}

export interface RunningCli {
  child: ChildProcess;
  /** Resolves when the process has exited, with everything it printed. */
  done: Promise<CliResult>;
}

/** Starts the real dnssync CLI as a child process (pipes, so no terminal), on this test's Node. */
export function startCli(args: string[], options: CliOptions = {}): RunningCli {
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  // The parent's own settings must not leak into a test.
  for (const name of ['DNSSYNC_CONFIG', 'DNSSYNC_DB', 'DB_PATH', 'CONFIG_PATH', 'DNSSYNC_LOG_FORMAT', 'DNSSYNC_LOG_LEVEL', 'LOG_LEVEL', 'NO_COLOR', 'FORCE_COLOR']) {
    if (!(options.env && name in options.env)) delete env[name];
  }
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete env[key];
  const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'], uid: options.uid, gid: options.gid });
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
  const done = outputOf(child).finally(() => clearTimeout(timer));
  return { child, done };
}

/** Everything a child process prints, with how it ended. */
export function outputOf(child: ChildProcess): Promise<CliResult> {
  return new Promise<CliResult>((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Runs the real dnssync CLI to the end. */
export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return startCli(args, options).done;
}
