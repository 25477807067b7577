/**
 * An npm registry on loopback that serves the project's production dependencies, packed from the
 * checkout's node_modules (which `npm ci` has just filled), so that the install test runs a real
 * `npm install -g` with the public registry left out. npm's cache cannot stand in for it: `npm ci`
 * installs from the lockfile and caches tarballs only, while installing a tarball asks for the full
 * metadata of every dependency (ENOTCACHED with --offline).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { after } from 'node:test';
import { outputOf } from '../support/cli.ts';

export interface Registry {
  url: string;
  /** The package names it serves: the lockfile's production packages. */
  served: string[];
  /** The package names it was asked for, in order. */
  asked: string[];
}

export interface NpmResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs npm with the project's Node first on the PATH and none of the calling npm's settings.
 * Asynchronous: the registry answering it lives in this process.
 */
export function npm(args: string[], options: { cwd: string }): Promise<NpmResult> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !/^npm_/i.test(key)) env[key] = value;
  env.PATH = `${dirname(process.execPath)}:${process.env.PATH}`;
  const child = spawn('npm', args, { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
  return outputOf(child).then(({ code, stdout, stderr }) => ({ status: code, stdout, stderr }));
}

interface Lockfile {
  packages: Record<string, { version?: string; dev?: boolean; optional?: boolean }>;
}

/** Serves every package that `npm ci --omit=dev` would install, as the lockfile has it. */
export async function startRegistry(root: string, dir: string): Promise<Registry> {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as Lockfile;
  const paths = Object.entries(lock.packages)
    .filter(([path, entry]) => path.startsWith('node_modules/') && !entry.dev)
    .map(([path]) => path);
  // Offline and without scripts: only the installed files are packed.
  mkdirSync(dir, { recursive: true });
  const packed = await npm(['pack', '--json', '--offline', '--ignore-scripts', '--pack-destination', dir, ...paths.map((p) => `./${p}`)], { cwd: root });
  assert.equal(packed.status, 0, packed.stderr);
  const results = JSON.parse(packed.stdout) as Array<{ name: string; version: string; filename: string; integrity: string }>;

  const packuments = new Map<string, { name: string; 'dist-tags': { latest: string }; versions: Record<string, unknown> }>();
  const tarballs = new Map<string, string>();
  const asked: string[] = [];
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = tarballs.get(path);
    if (file) return void res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(readFileSync(file));
    asked.push(path.slice(1));
    const doc = packuments.get(path.slice(1));
    if (!doc) return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(doc));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => server.close());
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  results.forEach((result, i) => {
    // The manifest as published (npm keeps it in node_modules), with where to fetch it from here.
    const manifest = JSON.parse(readFileSync(join(root, paths[i]!, 'package.json'), 'utf8')) as Record<string, unknown>;
    const doc = packuments.get(result.name) ?? { name: result.name, 'dist-tags': { latest: result.version }, versions: {} };
    const tarball = `/${result.name}/-/${result.filename}`;
    doc.versions[result.version] = { ...manifest, dist: { tarball: `${url}${tarball}`, integrity: result.integrity } };
    packuments.set(result.name, doc);
    tarballs.set(tarball, join(dir, result.filename));
  });
  return { url: `${url}/`, served: [...packuments.keys()].sort(), asked };
}
