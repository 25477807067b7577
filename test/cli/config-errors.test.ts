import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../support/cli.ts';
import { tempDir } from '../support/tmp.ts';

const dir = tempDir();
const keyFile = join(dir, 'key');
writeFileSync(keyFile, 'a-secret-key-value-1234567890\n');

const controller = (extra: string) => `controllers:\n  - url: https://10.0.0.1\n    apiKeyFile: ${keyFile}\n${extra}`;

const cases: Array<[name: string, file: string, text: string, expected: RegExp]> = [
  ['an unknown key', 'unknown.yaml', controller('    tls:\n      verfy: true\n'), /unknown\.yaml:\d+: controllers\[0\]\.tls\.verfy: unknown key/],
  ['a wrong type', 'type.yaml', controller('sync:\n  concurrency: many\n').replace(/^/, ''), /type\.yaml:\d+: sync\.concurrency: /],
  ['a negative concurrency', 'neg.yaml', controller('sync:\n  concurrency: -2\n'), /neg\.yaml:\d+: sync\.concurrency: /],
  ['a missing key file', 'nokey.yaml', 'controllers:\n  - url: https://10.0.0.1\n    apiKeyFile: /nonexistent/key\n', /nokey\.yaml:\d+: controllers\[0\]\.apiKeyFile: .*\/nonexistent\/key/],
  ['an empty key', 'empty.yaml', `controllers:\n  - url: https://10.0.0.1\n    apiKeyFile: ${join(dir, 'emptykey')}\n`, /empty\.yaml:\d+: controllers\[0\]\.apiKeyFile: .*empty/],
  ['an unset key variable', 'env.yaml', 'controllers:\n  - url: https://10.0.0.1\n    apiKeyEnv: DNSSYNC_TEST_UNSET_KEY\n', /env\.yaml:\d+: controllers\[0\]\.apiKeyEnv: .*DNSSYNC_TEST_UNSET_KEY/],
  ['a bad URL', 'url.yaml', `controllers:\n  - url: ftp://10.0.0.1\n    apiKeyFile: ${keyFile}\n`, /url\.yaml:\d+: controllers\[0\]\.url: /],
  ['a bad duration', 'dur.yaml', controller('sync:\n  orphanGracePeriod: soon\n'), /dur\.yaml:\d+: sync\.orphanGracePeriod: /],
  ['FORWARD_DOMAIN', 'fwd.yaml', controller('sync:\n  recordTypes: [A_RECORD, FORWARD_DOMAIN]\n'), /fwd\.yaml:\d+: sync\.recordTypes\[1\]: .*never synced/],
  ['broken YAML', 'broken.yaml', 'controllers:\n  - url: [unclosed\n', /broken\.yaml:\d+: /],
  ['broken JSON', 'broken.json', '{"controllers": [ {"url": "https://x"}, ]', /broken\.json:\d+: /],
  ['an unknown extension', 'config.toml', 'controllers = []', /config\.toml: /],
  ['no controllers', 'none.yaml', 'controllers: []\n', /none\.yaml:\d+: controllers: /],
];

describe('sync with a broken config exits 2 with one line naming the file, key and problem', () => {
  writeFileSync(join(dir, 'emptykey'), '\n');
  for (const [name, file, text, expected] of cases) {
    it(name, async () => {
      const path = join(dir, file);
      writeFileSync(path, text);
      const result = await runCli(['sync', '--config', path, '--db', join(dir, 'x.db'), '--log-format', 'text']);
      assert.equal(result.code, 2, result.stderr);
      assert.equal(result.stdout, '');
      const lines = result.stderr.trim().split('\n').filter((l) => !l.startsWith('warn:'));
      assert.equal(lines.length, 1, result.stderr);
      assert.match(lines[0]!, /^error: /);
      assert.match(lines[0]!, expected);
      assert.ok(!result.stderr.includes('a-secret-key-value'), 'no secret in the message');
    });
  }

  it('a missing config file, and no config at all', async () => {
    const missing = await runCli(['sync', '--config', join(dir, 'nope.yaml'), '--db', join(dir, 'x.db')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /nope\.yaml.*not found/);
    const none = await runCli(['sync', '--db', join(dir, 'x.db')], { cwd: dir });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /no config file found/);
  });

  it('a bad --policy or --concurrency is a usage error', async () => {
    const policy = await runCli(['sync', '--policy', 'yolo', '--log-format', 'text']);
    assert.equal(policy.code, 2);
    assert.match(policy.stderr, /--policy.*expected sync, upsert-only or create-only/);
    const concurrency = await runCli(['sync', '--concurrency', '-1', '--log-format', 'text']);
    assert.equal(concurrency.code, 2);
  });
});
