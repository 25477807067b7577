// Start-up of dnssync in each layout it could ship in: `node bench/startup.ts [runs]` (default 40).
// Each layout gets the checkout's bin/dnssync (pointed at its own entry), package.json and
// node_modules; `--version`, `history --record x` and `orphans` with a YAML config run
// interleaved, after 3 warm-ups (Node's compile cache filled), with this Node. It printed the
// tables in the README's Packaging section.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { layout, shippedLayout } from './layout.ts';
import { ROOT } from './sim-process.ts';
const runs = Number(process.argv[2] ?? 40);
const tmp = mkdtempSync(join(tmpdir(), 'dnssync-startup-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));
// A compile cache of its own, which the warm-ups fill (see bench/run.ts).
process.env.NODE_COMPILE_CACHE ??= join(tmp, 'compile-cache');
const migrations = join(ROOT, 'src', 'store', 'migrations');

/** main.ts bundled into `dist`, the migrations beside it; `packages: 'external'` leaves every package an import, `external` those named. */
async function bundle(dist: string, options: { packages?: 'external'; external?: string[] }): Promise<void> {
  await build({
    entryPoints: [join(ROOT, 'src', 'cli', 'main.ts')],
    outdir: dist,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node22.13',
    ...options,
    // Some of the packages are CommonJS and call require().
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
    logLevel: 'warning',
  });
  cpSync(migrations, join(dist, 'migrations'), { recursive: true });
}

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
/** Each layout's bin/dnssync. */
const layouts: Record<string, string> = {
  'sources, types erased by Node (a checkout)': join(ROOT, 'bin', 'dnssync'),
  'tsc, one .js per source': await layout(join(tmp, 'tsc'), 'cli/main.js', (dist) => {
    const flags = ['--noEmit', 'false', '--allowImportingTsExtensions', 'false', '--rewriteRelativeImportExtensions', '--noCheck'];
    execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', ...flags, '--rootDir', 'src', '--outDir', dist], { cwd: ROOT, stdio: 'inherit' });
    cpSync(migrations, join(dist, 'store', 'migrations'), { recursive: true });
  }),
  'esbuild bundle, every package imported (npm run build until stop 28)': await layout(join(tmp, 'imported'), 'main.js', (dist) => bundle(dist, { packages: 'external' })),
  'esbuild bundle, yaml inlined (npm run build in stop 28)': await layout(join(tmp, 'yaml'), 'main.js', (dist) => bundle(dist, { external: ['commander', 'undici'] })),
  'esbuild bundle, commander inlined too, as it is': await layout(join(tmp, 'commander'), 'main.js', (dist) => bundle(dist, { external: ['undici'] })),
  "esbuild bundle, commander inlined with its node:child_process loaded at first use (npm run build)": await shippedLayout(join(tmp, 'bundle')),
};

const db = join(tmp, 'dnssync.db');
// The reference load's four controllers, each key in a file (which orphans does not read).
const config = join(tmp, 'orphans.yaml');
const controller = (n: number) => `  - name: c${n}\n    url: https://127.0.0.1:${8442 + n}\n    apiKeyFile: c${n}.key\n`;
writeFileSync(config, `controllers:\n${[1, 2, 3, 4].map(controller).join('')}sync:\n  orphanGracePeriod: 1h\n`);
const commands: Record<string, string[]> = {
  '--version': ['--version'],
  'history --record x': ['history', '--record', 'x', '--db', db],
  'orphans, YAML config': ['orphans', '--config', config, '--db', db],
};
/** Wall-clock and CPU (user + sys, from bash's `time`) milliseconds of one run. */
function once(bin: string, args: string[]): { wall: number; cpu: number } {
  const start = process.hrtime.bigint();
  const script = 'TIMEFORMAT="%3U %3S"; time "$@" >/dev/null 2>&1';
  const result = spawnSync('bash', ['-c', script, 'bash', process.execPath, bin, ...args], { cwd: tmp, encoding: 'utf8' });
  const wall = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${bin} ${args.join(' ')} failed: ${result.stderr}`);
  const [user, sys] = result.stderr.trim().split(' ').map(Number);
  return { wall, cpu: (user! + sys!) * 1000 };
}

once(join(ROOT, 'bin', 'dnssync'), ['migrate', '--db', db]);
const times = new Map<string, Array<{ wall: number; cpu: number }>>();
for (const bin of Object.values(layouts)) for (const args of Object.values(commands)) for (let i = 0; i < 3; i++) once(bin, args);
for (let i = 0; i < runs; i++) {
  for (const [name, bin] of Object.entries(layouts)) {
    for (const [command, args] of Object.entries(commands)) {
      const key = `${name}\t${command}`;
      times.set(key, [...(times.get(key) ?? []), once(bin, args)]);
    }
  }
}
const median = (values: number[]) => values.toSorted((a, b) => a - b)[values.length >> 1]!;
const cell = (samples: Array<{ wall: number; cpu: number }>) => {
  const wall = samples.map((s) => s.wall);
  return `${median(wall).toFixed(0)} (${Math.min(...wall).toFixed(0)}) | ${median(samples.map((s) => s.cpu)).toFixed(0)}`;
};
console.log(`Node ${process.versions.node}, ${runs} runs each; ms: wall median (min) | CPU median\n`);
console.log(`| layout | ${Object.keys(commands).map((c) => `\`dnssync ${c}\` | CPU`).join(' | ')} |`);
console.log(`| --- |${' --- | --- |'.repeat(Object.keys(commands).length)}`);
for (const name of Object.keys(layouts)) {
  console.log(`| ${name} | ${Object.keys(commands).map((c) => cell(times.get(`${name}\t${c}`)!)).join(' | ')} |`);
}
