import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildLegacyDb } from '../legacy/fixture.ts';
import { runCli } from '../support/cli.ts';
import { tempDir } from '../support/tmp.ts';

const HOOK = fileURLToPath(new URL('./module-trace.mjs', import.meta.url));

/** The modules of src/ that one run of the CLI loads, then Node's own ("node:internal/fs/streams"). */
async function modulesLoaded(args: string[], dir: string): Promise<{ code: number | null; modules: string[] }> {
  const trace = join(dir, `trace-${Math.random().toString(36).slice(2)}.txt`);
  const result = await runCli(args, { env: { NODE_OPTIONS: `--import ${HOOK}`, DNSSYNC_TRACE_MODULES: trace } });
  return { code: result.code, modules: readFileSync(trace, 'utf8').split('\n').filter(Boolean) };
}

const under = (modules: string[], folder: string) => modules.filter((m) => m.startsWith(`src/${folder}/`));

describe('architecture: what a command loads', () => {
  const dir = tempDir('lazy-');

  it('history on a dnssync database loads neither the legacy conversion, nor repair, nor the sync engine', async () => {
    const db = join(dir, 'dnssync.db');
    assert.equal((await runCli(['migrate', '--db', db])).code, 0);
    const { code, modules } = await modulesLoaded(['history', '--db', db, '--record', 'nas.lan'], dir);
    assert.equal(code, 0);
    assert.ok(modules.includes('src/store/history.ts'), 'the trace sees the modules it loads');
    // engine/version.ts is only the version string, which every command can print.
    const loaded = modules.filter((m) => m !== 'src/engine/version.ts');
    for (const folder of ['legacy', 'repair', 'engine', 'planner', 'unifi']) assert.deepEqual(under(loaded, folder), [], folder);
  });

  it("a command loads no other command's module, and --version none", async () => {
    const db = join(dir, 'commands.db');
    assert.equal((await runCli(['migrate', '--db', db])).code, 0);
    const history = await modulesLoaded(['history', '--db', db, '--record', 'nas.lan'], dir);
    assert.equal(history.code, 0);
    assert.deepEqual(under(history.modules, 'cli/commands'), ['src/cli/commands/history.ts']);
    const version = await modulesLoaded(['--version'], dir);
    assert.equal(version.code, 0);
    assert.deepEqual(under(version.modules, 'cli/commands'), []);
    const help = await modulesLoaded(['--help'], dir);
    assert.equal(help.code, 0);
    assert.equal(under(help.modules, 'cli/commands').length, 9, 'help lists every command');
  });

  it("history and --version take node:fs without its ES namespace, which loads fs.promises, the file streams and readline (3 ms)", async () => {
    const db = join(dir, 'builtins.db');
    assert.equal((await runCli(['migrate', '--db', db])).code, 0);
    const namespace = ['node:internal/fs/promises', 'node:internal/fs/streams', 'node:internal/readline/interface'];
    for (const args of [['history', '--db', db, '--record', 'nas.lan'], ['--version']]) {
      const { code, modules } = await modulesLoaded(args, dir);
      assert.equal(code, 0);
      assert.ok(modules.includes('node:fs'), `${args[0]}: the trace sees Node's modules`);
      assert.deepEqual(namespace.filter((m) => modules.includes(m)), [], args[0]);
    }
  });

  it('orphans, status and records read a config without its keys, and so without node:crypto (6 ms to load)', async () => {
    const db = join(dir, 'settings.db');
    assert.equal((await runCli(['migrate', '--db', db])).code, 0);
    const config = join(dir, 'settings.yaml');
    writeFileSync(config, 'controllers:\n  - url: https://127.0.0.1:8443\n    apiKeyFile: home.key\n');
    for (const command of ['orphans', 'status', 'records']) {
      const { code, modules } = await modulesLoaded([command, '--config', config, '--db', db], dir);
      assert.equal(code, 0, command);
      assert.ok(modules.includes('src/config/load.ts'), `${command}: the trace sees the config read`);
      assert.ok(!modules.includes('node:crypto'), `${command} loads no node:crypto`);
    }
    // Where the key is read, it is: sync (here against a controller that is not there) fingerprints it.
    writeFileSync(join(dir, 'home.key'), 'a-key-0123456789\n');
    const sync = await modulesLoaded(['sync', '--dry-run', '--config', config, '--db', db], dir);
    assert.ok(sync.modules.includes('node:crypto'), 'the trace sees node:crypto where it is loaded');
  });

  it('the legacy conversion is loaded when a legacy database is met (history, which only reads, refuses it; migrate converts it), and not after', async () => {
    const legacy = buildLegacyDb(join(dir, 'dns_sync.db'), { home: '127.0.0.1:41234', office: 'LOCALHOST:41235' });
    const before = readFileSync(legacy.path);
    const refused = await modulesLoaded(['history', '--db', legacy.path], dir);
    assert.equal(refused.code, 1);
    assert.ok(readFileSync(legacy.path).equals(before), 'left untouched');
    assert.ok(refused.modules.includes('src/legacy/refuse.ts'));
    const converted = await modulesLoaded(['migrate', '--db', legacy.path], dir);
    assert.equal(converted.code, 0);
    assert.ok(converted.modules.includes('src/legacy/in-place.ts'));
    const after = await modulesLoaded(['history', '--db', legacy.path], dir);
    assert.equal(after.code, 0);
    assert.deepEqual(under(after.modules, 'legacy'), []);
  });
});
