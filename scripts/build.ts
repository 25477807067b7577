// `npm run build` (also prepack, and the image's build stage): type-checks src/ and bundles it into
// dist/ for the npm package and the image, which cannot run TypeScript (Node strips no types under
// node_modules). One bundle with its chunks starts ~25 ms faster than the same code compiled file
// by file (README, Packaging). The production dependencies stay packages, imported from
// node_modules; a package src/ imports that package.json keeps for development only is bundled
// (yaml: one chunk loads in 8 ms where its 70 files took 27; commander: see lazyChildProcess),
// their licences in THIRD-PARTY-LICENSES.
//   node scripts/build.ts [--out DIR] [--no-check]     (tests bundle into a temp folder, unchecked)
import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build, type Plugin } from 'esbuild';

process.chdir(fileURLToPath(new URL('..', import.meta.url)));
const { values } = parseArgs({ options: { out: { type: 'string', default: 'dist' }, 'no-check': { type: 'boolean', default: false } } });
const out = values.out;
const { dependencies } = JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies: Record<string, string> };

if (!values['no-check']) {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
}
/**
 * commander requires node:child_process when it loads, for subcommands that are programs of their
 * own, which dnssync has none of; it and what it pulls in (dgram, the socket list) cost every
 * command ~2 ms. The bundle gives commander a stand-in that loads the module at its first spawn.
 */
const lazyChildProcess: Plugin = {
  name: 'lazy-child-process',
  setup(build) {
    build.onResolve({ filter: /^node:child_process$/ }, ({ importer }) =>
      /[\\/]node_modules[\\/]commander[\\/]/.test(importer) ? { path: 'node:child_process', namespace: 'lazy-child-process' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'lazy-child-process' }, () => ({
      contents: "module.exports = { get spawn() { return require('node:child_process').spawn; } };",
      loader: 'js',
    }));
  },
};

// From scratch: a chunk of an earlier build must not live on in the package.
rmSync(out, { recursive: true, force: true });
const { metafile } = await build({
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
  external: Object.keys(dependencies),
  plugins: [lazyChildProcess],
  // A bundled CommonJS package's require() of a Node module (yaml's of node:process) needs one.
  banner: { js: "import { createRequire as __dnssyncRequire } from 'node:module'; const require = __dnssyncRequire(import.meta.url);" },
  metafile: true,
  logLevel: 'warning',
});
const bundled = new Set(Object.keys(metafile.inputs).flatMap((input) => /^node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input)?.[1] ?? []));
const licences = [...bundled].sort().map((name) => `${name}\n\n${readFileSync(`node_modules/${name}/LICENSE`, 'utf8').trim()}\n`);
writeFileSync(`${out}/THIRD-PARTY-LICENSES`, `The packages bundled into these files, and their licences:\n\n${licences.join('\n---\n\n')}`);
// Every chunk sits directly in dist/, one level down, so engine/version.ts finds `../package.json`
// (the package's); store/migrations.ts reads `./migrations/` beside itself, now dist/migrations/.
cpSync('src/store/migrations', `${out}/migrations`, { recursive: true, filter: (path) => !path.endsWith('.ts') });
