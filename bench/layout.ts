// A folder laid out as dnssync ships, for the benchmarks: the checkout's bin/dnssync (pointed at
// the layout's entry), package.json and node_modules (a link), and a dist/ the caller makes. With
// no src/ beside it, bin/dnssync runs dist/, as the npm package and the image do.
import { cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { ROOT } from './sim-process.ts';

/** Builds the layout in `dir`, bin/dnssync loading dist/<entry>; returns the path of its bin/dnssync. */
export async function layout(dir: string, entry: string, make: (dist: string) => unknown): Promise<string> {
  mkdirSync(join(dir, 'bin'), { recursive: true });
  const bin = readFileSync(join(ROOT, 'bin', 'dnssync'), 'utf8');
  if (!bin.includes("'../dist/main.js'")) throw new Error('bin/dnssync no longer loads ../dist/main.js');
  writeFileSync(join(dir, 'bin', 'dnssync'), bin.replace("'../dist/main.js'", `'../dist/${entry}'`));
  cpSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  await make(join(dir, 'dist'));
  return join(dir, 'bin', 'dnssync');
}

/**
 * The dev dependencies that src/ imports and `npm run build` inlines (scripts/build.ts): the
 * sources need them, and so does the build. An install without dev dependencies lacks them.
 */
const INLINED = ['yaml', 'commander'];

/** Whether the bundle can be built here: esbuild and the packages it inlines are dev dependencies. */
export function canBundle(): boolean {
  return ['esbuild', ...INLINED].every(installed);
}

/** Whether the sources can run here: they import the packages that only the bundle carries. */
export function canRunSources(): boolean {
  return INLINED.every(installed);
}

function installed(name: string): boolean {
  try {
    createRequire(import.meta.url).resolve(name);
    return true;
  } catch {
    return false;
  }
}

/** The package's layout: the bundle `npm run build` makes (its type check left to `npm test`). */
export function shippedLayout(dir: string): Promise<string> {
  return layout(dir, 'main.js', (dist) => execFileSync(process.execPath, ['scripts/build.ts', '--out', dist, '--no-check'], { cwd: ROOT, stdio: 'inherit' }));
}
