/**
 * The npm package as a user gets it: `npm pack` (which runs prepack, the build), then
 * `npm install -g --prefix` of the tarball with Node 24 first on the PATH, and the installed
 * dnssync run by name from outside the checkout. The dependencies come from a loopback registry
 * fed from node_modules (registry.ts), so the test needs no network.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, describe, it } from 'node:test';
import type { Scenario } from '../../fixtures/simulator/index.ts';
import { outputOf, type CliResult } from '../support/cli.ts';
import { syncEnv } from '../support/sync-env.ts';
import { tempDir } from '../support/tmp.ts';
import { ROOT } from '../deploy/manifests.ts';
import { latestVersion } from '../../src/store/migrations.ts';
import { npm, startRegistry, type NpmResult, type Registry } from './registry.ts';

const MODULE_TRACE = fileURLToPath(new URL('../architecture/module-trace.mjs', import.meta.url));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
const dir = tempDir('dnssync-package-');
const prefix = join(dir, 'prefix');
const installed = join(prefix, 'lib', 'node_modules', pkg.name);
/** Where the installed dnssync runs: a folder of its own, far from the checkout. */
const work = join(dir, 'work');
let packedFiles: string[];
let install: NpmResult;
let registry: Registry;

before(async () => {
  const packed = await npm(['pack', '--json', '--offline', '--pack-destination', dir], { cwd: ROOT });
  assert.equal(packed.status, 0, packed.stderr);
  const [result] = JSON.parse(packed.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  packedFiles = result!.files.map((f) => f.path).sort();
  registry = await startRegistry(ROOT, join(dir, 'registry'));
  const npmrc = join(dir, 'npmrc');
  writeFileSync(npmrc, '');
  install = await npm(
    [
      'install', '--global', '--prefix', prefix, '--registry', registry.url, '--cache', join(dir, 'cache'), '--userconfig', npmrc,
      '--no-audit', '--no-fund', '--no-update-notifier', join(dir, result!.filename),
    ],
    { cwd: dir },
  );
  mkdirSync(work);
});

/** The installed dnssync, found on the PATH like a user's, with the project's Node 24 before any other. */
function dnssync(args: string[], more: Record<string, string> = {}): Promise<CliResult> {
  // A compile cache in the test's folder: the shared one would keep an entry for every install ever tested.
  const env: Record<string, string> = { PATH: `${join(prefix, 'bin')}:${join(process.execPath, '..')}:/usr/local/bin:/usr/bin:/bin`, HOME: work, NODE_COMPILE_CACHE: join(dir, 'compile-cache'), ...more };
  const child = spawn('dnssync', args, { cwd: work, env, stdio: ['ignore', 'pipe', 'pipe'] });
  return outputOf(child);
}

describe('npm package', () => {
  it('packs only what runs: bin, the bundle and its migrations, schema.sql, README, LICENSE', () => {
    const outside = packedFiles.filter((f) => !f.startsWith('dist/') && !['bin/dnssync', 'package.json', 'schema.sql', 'README.md', 'LICENSE'].includes(f));
    assert.deepEqual(outside, []);
    for (const needed of ['bin/dnssync', 'dist/main.js', 'dist/write-thread-worker.js', 'dist/migrations/0001_initial.sql', 'dist/THIRD-PARTY-LICENSES', 'schema.sql', 'LICENSE']) {
      assert.ok(packedFiles.includes(needed), needed);
    }
    assert.ok(packedFiles.every((f) => !f.endsWith('.ts')), 'no TypeScript: Node strips no types under node_modules');
  });

  it('installs globally from the tarball, with no install script anywhere and no dev tool', () => {
    assert.equal(install.status, 0, install.stderr);
    assert.doesNotMatch(install.stderr, /script/i, 'no warning about install scripts');
    // Every dependency, and nothing else, came from the loopback registry.
    assert.deepEqual(registry.served, ['undici']);
    assert.deepEqual([...new Set(registry.asked)].sort(), registry.served);
    assert.ok(!existsSync(join(installed, 'src')), 'no sources: bin/dnssync runs dist/');
    const deps = readdirSync(join(installed, 'node_modules'), { recursive: true }).map(String).filter((p) => p.endsWith('package.json'));
    assert.ok(deps.length > 0);
    for (const file of deps) {
      const manifest = JSON.parse(readFileSync(join(installed, 'node_modules', file), 'utf8')) as { name?: string; scripts?: Record<string, string> };
      if (!manifest.name) continue;
      assert.ok(!['tsx', 'esbuild', 'typescript', 'node', 'yaml', 'commander'].includes(manifest.name), `${manifest.name} is not installed`);
      for (const hook of ['preinstall', 'install', 'postinstall']) assert.equal(manifest.scripts?.[hook], undefined, `${manifest.name} ${hook}`);
    }
  });

  it('dnssync --version and --help, from the install', async () => {
    const trace = join(dir, 'version-modules.txt');
    const version = await dnssync(['--version'], { NODE_OPTIONS: `--import ${MODULE_TRACE}`, DNSSYNC_TRACE_MODULES: trace });
    assert.equal(version.code, 0, version.stderr);
    assert.equal(version.stdout.trim(), pkg.version);
    // The bundled commander loads node:child_process (and dgram, the socket list) only to spawn (scripts/build.ts).
    const modules = readFileSync(trace, 'utf8').split('\n');
    assert.ok(modules.includes('node:fs'), "the trace sees Node's modules");
    assert.ok(!modules.includes('node:child_process'), 'no node:child_process');
    const help = await dnssync(['--help']);
    assert.equal(help.code, 0, help.stderr);
    for (const command of ['sync', 'migrate', 'history', 'orphans', 'repair', 'completion']) assert.match(help.stdout, new RegExp(`^ {2}${command}\\b`, 'm'));
  });

  it('dnssync migrate creates a new database from the shipped migrations', async () => {
    const db = join(work, 'new', 'dnssync.db');
    mkdirSync(join(work, 'new'));
    const migrate = await dnssync(['migrate', '--db', db, '--log-format', 'json']);
    assert.equal(migrate.code, 0, migrate.stderr);
    // Every migration the checkout has: the package ships them all.
    const latest = latestVersion();
    assert.match(migrate.stdout + migrate.stderr, new RegExp(`applied ${latest} migration\\(s\\).*schema version ${latest}`));
    assert.ok(existsSync(db));
  });

  it("a YAML config, read by the bundle's own yaml (no such package installed), names the line of a problem", async () => {
    assert.ok(!existsSync(join(installed, 'node_modules', 'yaml')));
    const db = join(work, 'yaml', 'dnssync.db');
    mkdirSync(join(work, 'yaml'));
    assert.equal((await dnssync(['migrate', '--db', db])).code, 0);
    const config = join(work, 'yaml', 'dnssync.yaml');
    writeFileSync(config, 'controllers:\n  - url: https://127.0.0.1:8443\n    apiKeyEnv: UNSET_KEY\nsync:\n  orphanGracePeriod: 2h\n');
    const orphans = await dnssync(['orphans', '--json', '--config', config, '--db', db]);
    assert.equal(orphans.code, 0, orphans.stderr);
    assert.equal(JSON.parse(orphans.stdout).gracePeriodMs, 7_200_000);
    writeFileSync(config, 'controllers:\n  - url: https://127.0.0.1:8443\n    apiKeyEnv: UNSET_KEY\nsync:\n  orphanGracePeriods: 2h\n');
    const broken = await dnssync(['orphans', '--config', config, '--db', db]);
    assert.equal(broken.code, 2);
    assert.match(broken.stderr, /dnssync\.yaml:5: sync\.orphanGracePeriods: unknown key/);
  });

  // The second with apply's writes in the bundle's worker thread (dist/write-thread-worker.js).
  for (const writeThread of ['auto', 'on']) {
    it(`dnssync sync converges the simulator (DNSSYNC_WRITE_THREAD=${writeThread})`, async () => {
      const scenario: Scenario = {
        controllers: [
          { name: 'home', sites: [{ internalReference: 'default', policies: [{ type: 'A_RECORD', domain: 'nas.home.arpa', ipv4Address: '10.0.0.10' }] }] },
          { name: 'cabin', tls: true, sites: [{ internalReference: 'default' }, { internalReference: 'shed' }] },
        ],
      };
      const env = await syncEnv(scenario);
      const sync = await dnssync(['sync', '--config', env.configFile, '--db', env.db], { DNSSYNC_WRITE_THREAD: writeThread });
      assert.equal(sync.code, 0, sync.stderr);
      assert.match(sync.stdout, /^created 2, updated 0, deleted 0, skipped 0, failed 0$/m);
      for (const site of ['default', 'shed']) assert.deepEqual(env.identities('cabin', site), ['A_RECORD nas.home.arpa 10.0.0.10']);
    });
  }

  it('on a Node older than 22.13 it says so in one line, with advice for an installed package', async (t) => {
    const old = spawnSync('/usr/bin/env', ['node', '--version'], { encoding: 'utf8', env: { PATH: '/usr/local/bin:/usr/bin:/bin' } });
    if (old.status !== 0 || !/^v(1\d|2[01])\.|^v22\.(\d|1[0-2])\./.test(old.stdout)) return t.skip(`the machine's Node is ${old.stdout.trim() || 'missing'}`);
    const result = spawnSync(join(prefix, 'bin', 'dnssync'), ['--version'], { cwd: work, encoding: 'utf8', env: { PATH: '/usr/local/bin:/usr/bin:/bin' } });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /^dnssync needs Node\.js 22\.13 or newer .*Install Node\.js 24 LTS/);
    assert.equal(result.stderr.trim().split('\n').length, 1);
  });
});
