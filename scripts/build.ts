// `npm run build` (also prepack, and the image's build stage): type-checks src/ and bundles it into
// dist/ for the npm package and the image, which cannot run TypeScript (Node strips no types under
// node_modules). One bundle with its chunks starts ~25 ms faster than the same code compiled file
// by file (README, Packaging). Dependencies stay packages, imported from node_modules.
//   node scripts/build.ts [--out DIR] [--no-check]     (tests bundle into a temp folder, unchecked)
import { execFileSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

process.chdir(fileURLToPath(new URL('..', import.meta.url)));
const { values } = parseArgs({ options: { out: { type: 'string', default: 'dist' }, 'no-check': { type: 'boolean', default: false } } });
const out = values.out;

if (!values['no-check']) {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
}
// From scratch: a chunk of an earlier build must not live on in the package.
rmSync(out, { recursive: true, force: true });
await build({
  // The second entry is the write thread's (store/write-thread.ts), loaded by URL, not imported.
  entryPoints: ['src/cli/main.ts', 'src/store/write-thread-worker.ts'],
  entryNames: '[name]',
  outdir: out,
  bundle: true,
  // Chunks keep each command's engine loaded only when that command runs.
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22.13',
  packages: 'external',
  logLevel: 'warning',
});
// Every chunk sits directly in dist/, one level down, so engine/version.ts finds `../package.json`
// (the package's); store/migrations.ts reads `./migrations/` beside itself, now dist/migrations/.
cpSync('src/store/migrations', `${out}/migrations`, { recursive: true, filter: (path) => !path.endsWith('.ts') });
