import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { dirname, join, posix, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { before, test } from 'node:test';
import dockerignoreModule from '@balena/dockerignore';
import { validate } from 'dockerfile-utils';
import { tempDir } from '../support/tmp.ts';
import { byKeyword, copies, dockerUser, dockerWorkdir, dockerfileText, finalStage, jsonArgs, runText, stages, type Stage } from './dockerfile.ts';
import { ROOT } from './manifests.ts';

// A CommonJS package whose types say `export default`: at run time the default import is the factory itself.
const dockerignore = dockerignoreModule as unknown as typeof dockerignoreModule.default;

const all = stages();
const runtime = finalStage(all);
const ignore = dockerignore().add(readFileSync(join(ROOT, '.dockerignore'), 'utf8'));
/** Whether a path of the repository reaches the build context. */
const inContext = (path: string) => !ignore.ignores(path.split(sep).join('/'));
/** The image's dist/: what `npm run build` makes, bundled here into a temp folder (unchecked: npm test type-checks). */
const built = join(tempDir('dnssync-build-'), 'dist');
before(() => {
  const build = spawnSync(process.execPath, ['scripts/build.ts', '--out', built, '--no-check'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(build.status, 0, build.stderr);
});

test('the Dockerfile parses and lints clean (dockerfile-utils: no errors, no warnings)', () => {
  assert.deepEqual(
    validate(dockerfileText()).map((d) => `line ${d.range.start.line + 1}: ${d.message}`),
    [],
  );
});

test('the lint does catch a broken Dockerfile, so passing it means something', () => {
  const broken = dockerfileText().replace(/^USER /m, 'USRE ').replace(/^COPY --from=/m, 'COPY --form=');
  assert.notEqual(broken, dockerfileText());
  assert.ok(validate(broken).length > 0);
});

test('multi-stage, every stage on an official Node 24 slim or alpine image', () => {
  assert.ok(all.length >= 2, `${all.length} stage(s)`);
  for (const s of all) {
    assert.match(s.baseImage, /^node:24(?:\.\d+){0,2}-(?:alpine(?:3\.\d+)?|(?:bookworm|trixie)-slim|slim)(?:@sha256:[0-9a-f]{64})?$/, `stage ${s.name}`);
  }
  assert.equal(new Set(all.map((s) => s.name)).size, all.length, 'stage names are unique');
});

test('production dependencies only: npm ci --omit=dev with the lockfile, in the stage node_modules comes from', () => {
  const nodeModules = copies(runtime).filter((c) => c.sources.some((s) => /(^|\/)node_modules\/?$/.test(s)));
  assert.equal(nodeModules.length, 1, 'node_modules is copied once into the runtime');
  const fromName = nodeModules[0]!.from;
  assert.ok(fromName, 'node_modules comes from an earlier stage (COPY --from)');
  const deps = all.find((s) => s.name === fromName);
  assert.ok(deps && deps !== runtime, `stage ${fromName} exists`);
  const installs = byKeyword(deps, 'RUN').map(runText).filter((r) => /\bnpm\b/.test(r));
  assert.equal(installs.length, 1);
  assert.match(installs[0]!, /\bnpm ci\b/);
  assert.match(installs[0]!, /(^|\s)--omit=dev(\s|$)/);
  assert.ok(copies(deps).some((c) => c.sources.includes('package-lock.json')), 'npm ci gets the lockfile');
  for (const s of all) {
    for (const r of byKeyword(s, 'RUN').map(runText)) {
      assert.doesNotMatch(r, /\bnpm (install|i|add)\b|--include=dev|--production=false/, `stage ${s.name}: ${r}`);
    }
  }
});

test('dist is built in the image: a build stage runs npm ci (no install script) and npm run build on the sources', () => {
  const dist = copies(runtime).filter((c) => c.sources.some((s) => /(^|\/)dist\/?$/.test(s)));
  assert.equal(dist.length, 1, 'dist is copied once into the runtime');
  const build = all.find((s) => s.name === dist[0]!.from);
  assert.ok(build && build !== runtime, 'dist comes from an earlier stage');
  const runs = byKeyword(build, 'RUN').map(runText);
  const ci = runs.findIndex((r) => /\bnpm ci\b/.test(r));
  assert.ok(ci >= 0 && runs.findIndex((r) => /\bnpm run build\b/.test(r)) > ci, runs.join(' | '));
  // The `node` devDependency's install script would download a second Node; esbuild needs none.
  assert.match(runs[ci]!, /(^|\s)--ignore-scripts(\s|$)/);
  assert.doesNotMatch(runs[ci]!, /--omit=dev/, 'the build needs typescript and esbuild');
  const fromContext = copies(build).filter((c) => c.from === null).flatMap((c) => c.sources);
  for (const needed of ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'scripts/build.ts', 'src']) {
    assert.ok(fromContext.includes(needed), `the build stage copies ${needed}`);
  }
  // No src/ in the runtime: bin/dnssync runs the sources wherever src/ is beside it.
  assert.ok(![...imageLayout(runtime).values()].includes('src'), 'the runtime has no src/');
});

test('the lockfile makes every package the built code imports a production package; tsx, esbuild, the node pin and the bundled yaml and commander are dev-only', () => {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  // The Node 24 pin for dev machines must stay out of the image (which has its own Node 24), and so
  // must the tools that only the sources need (tsx, for Node 22 and 23 in a checkout) or the build.
  for (const dev of ['node', 'tsx', 'esbuild', 'yaml', 'commander']) assert.equal(lock.packages[`node_modules/${dev}`]?.dev, true, `${dev} is dev-only`);
  // bin/dnssync loads tsx only to run the sources, which the image does not have.
  assert.deepEqual(runtimeImports(['bin/dnssync']), ['tsx']);
  const needed = new Set(runtimeImports(filesUnder(built).filter((f) => f.endsWith('.js'))));
  assert.deepEqual([...needed], ['undici']);
  // yaml and commander, dev dependencies, are bundled (they start faster as chunks), and their licences go with them.
  const licences = readFileSync(join(built, 'THIRD-PARTY-LICENSES'), 'utf8');
  assert.match(licences, /^yaml\n\nCopyright Eemeli Aro/m);
  assert.match(licences, /^commander\n\n\(The MIT License\)\n\nCopyright \(c\) 2011 TJ Holowaychuk/m);
  for (const name of needed) {
    assert.ok(name in pkg.dependencies, `${name} is a production dependency in package.json`);
    const entry = lock.packages[`node_modules/${name}`];
    assert.ok(entry, `${name} is in the lockfile`);
    assert.notEqual(entry.dev, true, `${name} is installed by npm ci --omit=dev`);
  }
});

test("the bundled commander loads node:child_process only to spawn, and spawns with it", () => {
  const chunks = filesUnder(built).filter((f) => f.endsWith('.js') && readFileSync(f, 'utf8').includes('lazy-child-process:'));
  assert.equal(chunks.length, 1, 'one chunk holds the stand-in (scripts/build.ts)');
  // An executable subcommand, which dnssync has none of, is where commander spawns (command() with a description returns the parent).
  const script = `const { Command } = await import(${JSON.stringify(pathToFileURL(chunks[0]!).href)});
    new Command('x').command('say', 'a program', { executableFile: '/bin/echo' }).parse(['node', 'x', 'say', 'spawned']);`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stdout, 'spawned\n');
});

test('runs as a numeric non-root user that has a passwd entry and owns /data', () => {
  const { uid, gid } = dockerUser();
  assert.ok(uid > 0, `uid ${uid}`);
  if (gid !== null) assert.ok(gid > 0);
  const runs = byKeyword(runtime, 'RUN').map(runText).join(' && ');
  // dnssync records the user name of each run (os.userInfo()), which fails for a uid without one.
  assert.match(runs, new RegExp(`\\b(adduser|useradd)\\b[^&]*(-u|--uid) ${uid}\\b`));
  assert.match(runs, new RegExp(`\\bchown (-R )?${uid}(:\\d+)? /data\\b`));
});

test('WORKDIR /data and VOLUME /data, declared after /data is prepared; no HEALTHCHECK', () => {
  assert.equal(dockerWorkdir(), '/data');
  const volumes = byKeyword(runtime, 'VOLUME');
  assert.equal(volumes.length, 1);
  const paths = jsonArgs(volumes[0]!) ?? volumes[0]!.getArguments().map((a) => a.getValue());
  assert.deepEqual(paths, ['/data']);
  // Changes to a volume's folder after VOLUME are thrown away: the chown must come first.
  const lineOf = (i: { getRange(): { start: { line: number } } }) => i.getRange().start.line;
  const chown = byKeyword(runtime, 'RUN').find((r) => /\bchown\b[^&]*\/data\b/.test(runText(r)));
  assert.ok(chown && lineOf(chown) < lineOf(volumes[0]!));
  for (const s of all) assert.equal(byKeyword(s, 'HEALTHCHECK').length, 0, `stage ${s.name}`);
});

test('the image leaves Node options alone: a sync sizes V8 heap itself (src/cli/heap-bounds.ts), which a NODE_OPTIONS sizing would override', () => {
  assert.equal(imageEnv(runtime).NODE_OPTIONS, undefined);
});

test('no ENV shadows the legacy DB_PATH: DNSSYNC_DB is left unset, the database is ./dnssync.db in /data', () => {
  const env = imageEnv(runtime);
  assert.equal(env.DNSSYNC_DB, undefined);
  assert.equal(env.DB_PATH, undefined);
  assert.equal(env.DNSSYNC_CONFIG, undefined);
});

test('ENTRYPOINT is tini (from the distro) running dnssync, which is on PATH; CMD is sync', () => {
  const entrypoints = byKeyword(runtime, 'ENTRYPOINT');
  const cmds = byKeyword(runtime, 'CMD');
  assert.equal(entrypoints.length, 1);
  assert.equal(cmds.length, 1);
  const entrypoint = jsonArgs(entrypoints[0]!);
  assert.ok(entrypoint, 'ENTRYPOINT in exec form, so signals reach tini');
  const alpine = runtime.baseImage.includes('alpine');
  const tini = alpine ? '/sbin/tini' : '/usr/bin/tini';
  assert.deepEqual(entrypoint, [tini, '--', 'dnssync']);
  assert.deepEqual(jsonArgs(cmds[0]!), ['sync']);
  const runs = byKeyword(runtime, 'RUN').map(runText).join(' && ');
  assert.match(runs, alpine ? /\bapk add\b[^&]*\btini\b/ : /\bapt-get install\b[^&]*\btini\b/);
  // bin/dnssync is copied and linked into /usr/local/bin, which is on the image's PATH.
  const link = /\bln -s (\S+) \/usr\/local\/bin\/dnssync\b/.exec(runs);
  assert.ok(link, 'dnssync is linked into /usr/local/bin');
  assert.equal(sourceOf(imageLayout(runtime), link[1]!), 'bin/dnssync', `${link[1]} is the repository's bin/dnssync`);
});

test('everything the image copies from the context survives .dockerignore, and nothing else does', () => {
  const fromContext = copies(runtime)
    .concat(all.flatMap((s) => (s === runtime ? [] : copies(s))))
    .filter((c) => c.from === null)
    .flatMap((c) => c.sources);
  assert.ok(fromContext.length > 0);
  for (const source of fromContext) {
    assert.ok(existsSync(join(ROOT, source)), `${source} exists`);
    for (const file of filesUnder(source)) assert.ok(inContext(file), `${file} reaches the build context`);
  }
  for (const kept of [
    'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'scripts/build.ts', 'bin/dnssync', 'src/cli/main.ts',
    'src/store/migrations/0001_initial.sql',
  ]) {
    assert.ok(inContext(kept), kept);
  }
  for (const left of [
    'node_modules/tsx/package.json', 'dist/main.js', '.git/HEAD', 'test/deploy/dockerfile.test.ts', 'fixtures/tls/key.pem',
    'bench/results.json', 'dnssync.db', 'dnssync.db-wal', 'src/dnssync.db', 'data/dns_sync.db.legacy-20250101T000000Z',
    'dnssync.yaml', 'dnssync.json', '.tmp/x', 'coverage/lcov.info', '.env', 'home.key',
  ]) {
    assert.ok(!inContext(left), `${left} is kept out of the build context`);
  }
});

test('every file bin/dnssync and the bundle load at run time is inside what the image has', () => {
  const layout = imageLayout(runtime);
  const shipped = (imagePath: string) => {
    const source = sourceOf(layout, imagePath);
    if (source === 'dist' || source?.startsWith('dist/')) return existsSync(join(built, source.slice('dist'.length)));
    return source !== undefined && existsSync(join(ROOT, source)) && inContext(source);
  };
  const bin = [...layout].find(([, source]) => source === 'bin')![0];
  const fromBin = relativeTargets('bin/dnssync').filter((t) => !t.startsWith('../src/'));
  assert.deepEqual(fromBin, ['../dist/main.js'], 'outside a checkout, bin/dnssync loads the bundle');
  for (const target of fromBin) assert.ok(shipped(posix.resolve(bin, target)), `bin/dnssync → ${target}`);
  // Files the code reads beside itself (new URL(…, import.meta.url)): every chunk of the bundle sits
  // directly in dist/, so each path is taken from there (../package.json, ./migrations/).
  const dist = [...layout].find(([, source]) => source === 'dist')![0];
  for (const file of sourceFiles('src')) {
    for (const target of [...readFileSync(join(ROOT, file), 'utf8').matchAll(/new URL\(\s*['"]([^'"]+)['"]\s*,\s*import\.meta\.url\s*\)/g)].map((m) => m[1]!)) {
      const imagePath = posix.join(dist, target);
      assert.ok(shipped(imagePath), `${file} reads ${target}, which is not at ${imagePath} in the image`);
      const source = sourceOf(layout, imagePath)!;
      if (target.endsWith('/')) assert.ok(readdirSync(source.startsWith('dist') ? join(built, source.slice(4)) : join(ROOT, source)).length > 0, `${imagePath} is empty`);
    }
  }
});

test('the image layout works: dnssync through its PATH link runs from /data and puts ./dnssync.db there', () => {
  const root = tempDir('dnssync-image-');
  const layout = imageLayout(runtime);
  // The files the Dockerfile copies from the context, at the paths it copies them to.
  for (const [target, source] of layout) {
    if (source === 'node_modules') continue;
    mkdirSync(dirname(join(root, target)), { recursive: true });
    cpSync(source === 'dist' ? built : join(ROOT, source), join(root, target), { recursive: true });
  }
  const nodeModules = [...layout].find(([, source]) => source === 'node_modules');
  assert.ok(nodeModules, 'the runtime has node_modules');
  symlinkSync(join(ROOT, 'node_modules'), join(root, nodeModules[0]), 'dir');
  const link = /\bln -s (\S+) (\S+)/.exec(byKeyword(runtime, 'RUN').map(runText).join(' && '))!;
  mkdirSync(dirname(join(root, link[2]!)), { recursive: true });
  symlinkSync(join(root, link[1]!), join(root, link[2]!));
  const data = join(root, dockerWorkdir());
  mkdirSync(data, { recursive: true });

  const env = { PATH: process.env.PATH ?? '', HOME: data, ...imageEnv(runtime) };
  const run = (args: string[], extra: Record<string, string> = {}) =>
    spawnSync(process.execPath, [join(root, link[2]!), ...args], { cwd: data, env: { ...env, ...extra }, encoding: 'utf8', timeout: 60_000 });

  const version = run(['--version']);
  assert.equal(version.status, 0, version.stderr);
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  assert.match(version.stdout, new RegExp(pkg.version.replaceAll('.', '\\.')));

  const migrate = run(['migrate', '--log-format', 'json']);
  assert.equal(migrate.status, 0, migrate.stderr);
  assert.ok(statSync(join(data, 'dnssync.db')).isFile(), 'the default database is ./dnssync.db in the working directory');

  // A legacy user's DB_PATH is honoured: nothing in the image overrides it.
  const legacy = run(['migrate', '--log-format', 'json'], { DB_PATH: join(data, 'dns_sync.db') });
  assert.equal(legacy.status, 0, legacy.stderr);
  assert.ok(existsSync(join(data, 'dns_sync.db')));
});

// ---- helpers ----------------------------------------------------------------------------------

/** Packages that these files (repository paths, or absolute) import (type-only imports excepted), sorted. */
function runtimeImports(files: string[]): string[] {
  const names = new Set<string>();
  for (const file of files) {
    const text = readFileSync(resolve(ROOT, file), 'utf8');
    // require() too (esbuild may rename it require2): src/unifi/undici.ts loads the parts of undici it uses so.
    for (const m of text.matchAll(/^\s*(?:import|export)\s+(?!type\s)[^;]*?\sfrom\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]|\b(?:import|require\w*)\(\s*['"]([^'"]+)['"]\s*\)/gm)) {
      const spec = m[1] ?? m[2] ?? m[3]!;
      if (spec.startsWith('.') || spec.startsWith('node:')) continue;
      names.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
    }
  }
  return [...names].sort();
}

/** The relative paths a file imports. */
function relativeTargets(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return [...text.matchAll(/\bfrom\s+['"](\.[^'"]+)['"]|\bimport\(\s*['"](\.[^'"]+)['"]\s*\)/g)].map((m) => m[1] ?? m[2]!);
}

function sourceFiles(dir: string): string[] {
  return filesUnder(dir).filter((f) => f.endsWith('.ts'));
}

/** Files under a repository path (the path itself if it is a file), relative, with `/`. */
function filesUnder(path: string): string[] {
  const full = resolve(ROOT, path);
  if (!statSync(full).isDirectory()) return [path];
  return readdirSync(full, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(ROOT, join(e.parentPath, e.name)).split(sep).join('/'));
}

/** Absolute image path → what is there: a repository path copied from the context, or `node_modules` from a stage. */
function imageLayout(stage: Stage): Map<string, string> {
  const layout = new Map<string, string>();
  let workdir = '/';
  for (const instruction of stage.instructions) {
    const keyword = instruction.getKeyword();
    if (keyword === 'WORKDIR') workdir = posix.resolve(workdir, instruction.getArgumentsContent()!.trim());
    if (keyword !== 'COPY') continue;
    const [copy] = copies({ ...stage, instructions: [instruction] });
    const { from, sources, destination } = copy!;
    const dest = posix.resolve(workdir, destination);
    for (const source of sources) {
      const intoDir = destination.endsWith('/') || sources.length > 1;
      const target = intoDir ? posix.join(dest, posix.basename(source)) : dest;
      layout.set(target, from === null ? source.replace(/\/$/, '') : posix.basename(source));
    }
  }
  return layout;
}

/** The repository path that ends up at an image path, through the copied folders. */
function sourceOf(layout: Map<string, string>, imagePath: string): string | undefined {
  for (const [target, source] of layout) {
    if (imagePath === target) return source;
    if (imagePath.startsWith(`${target}/`)) return posix.join(source, imagePath.slice(target.length + 1));
  }
  return undefined;
}

/** The ENV of a stage and the stages it is built on (key=value form). */
function imageEnv(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  const chain: Stage[] = [];
  for (let s: Stage | undefined = stage; s; s = all.find((p) => p.name === s!.from)) chain.unshift(s);
  for (const s of chain) {
    for (const instruction of byKeyword(s, 'ENV')) {
      for (const m of (instruction.getArgumentsContent() ?? '').matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S*)/g)) {
        env[m[1]!] = m[2]!.replace(/^"|"$/g, '');
      }
    }
  }
  return env;
}
