import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { closest } from '../../src/config/check.ts';
import { runCli } from '../support/cli.ts';
import { matchSnapshot, normalise } from '../support/snapshot.ts';
import { tempDir } from '../support/tmp.ts';

const dir = tempDir();
const keyFile = join(dir, 'key');
writeFileSync(keyFile, 'a-secret-key-value-1234567890\n');

const write = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const check = (path: string, ...args: string[]) => runCli(['check', '--config', path, '--log-format', 'text', ...args]);

/** Nine problems of five kinds, over two controllers and the sync section; line numbers on the right. */
const BROKEN = `controllers:
  - name: home
    url: https://10.0.0.1
    apiKeyFile: /nonexistent/key
    tls:
      verfy: false
      caFile: /nonexistent/ca.pem
    sitess: [default]
  - name: home
    url: https://10.0.0.2
    clients:
      enabled: true
  - url: 5
    apiKeyFile: ${keyFile}
sync:
  polcy: sync
  concurrency: 0
  orphanGracePeriod: soon
controlers: []
`;

const EXPECTED = [
  ':4: controllers[0].apiKeyFile: cannot read key file /nonexistent/key: not found',
  ':6: controllers[0].tls.verfy: unknown key; did you mean verify?',
  ':7: controllers[0].tls.caFile: cannot read CA file /nonexistent/ca.pem: not found',
  ':8: controllers[0].sitess: unknown key; did you mean sites?',
  ':9: controllers[1]: no API key; give one of apiKeyFile, apiKeyEnv or apiKey',
  ':9: controllers[1].name: duplicate controller name "home" (also controllers[0])',
  ':11: controllers[1].clients.domainSuffix: required when clients.enabled is true',
  ':13: controllers[2].url: expected a string, got a number',
  ':16: sync.polcy: unknown key; did you mean policy?',
  ':17: sync.concurrency: must be an integer from 1 to 64',
  ':18: sync.orphanGracePeriod: not a duration: "soon"; expected e.g. 500ms, 30s, 15m, 1h30m, 2d',
  ':19: controlers: unknown key; did you mean controllers?',
];

describe('dnssync check', () => {
  it('reports every problem of the file at once, top to bottom, as file:line: key.path: problem; exit 2', async () => {
    const path = write('broken.yaml', BROKEN);
    const result = await check(path);
    assert.equal(result.code, 2, result.stderr);
    assert.deepEqual(result.stdout.trim().split('\n'), EXPECTED.map((e) => path + e));
    assert.match(result.stderr, /^error: 12 problems in .*broken\.yaml$/m);
  });

  it('--json lists the same problems with their line, key path and problem', async () => {
    const path = write('broken-json.yaml', BROKEN);
    const result = await check(path, '--json');
    assert.equal(result.code, 2, result.stderr);
    const doc = JSON.parse(result.stdout);
    assert.equal(doc.ok, false);
    assert.equal(doc.configFile, path);
    assert.deepEqual(doc.problems.map((p: { line: number; path: string; problem: string; message: string }) => `${p.message === `${path}:${p.line}: ${p.path}: ${p.problem}`}:${p.line}: ${p.path}: ${p.problem}`), EXPECTED.map((e) => `true${e}`));
    assert.deepEqual(doc.controllers, []);
  });

  it('matches the snapshot of its text and --json output for a broken file', async () => {
    const path = write('snapshot.yaml', BROKEN);
    const volatile = { paths: { [dir]: '<dir>' } };
    const text = await check(path);
    const json = await check(path, '--json');
    const doc = JSON.parse(json.stdout);
    delete doc.formatVersion; // added by the output layer, not by this command
    matchSnapshot('check-problems.txt', normalise(text.stdout, volatile));
    matchSnapshot('check-problems.json', normalise(JSON.stringify(doc, null, 2) + '\n', volatile));
  });

  it('a sound file: one line, "config OK: N controllers", exit 0', async () => {
    const path = write('ok.yaml', `controllers:\n  - url: https://10.0.0.1\n    apiKeyFile: ${keyFile}\n  - url: https://10.0.0.2\n    apiKeyFile: ${keyFile}\n`);
    const result = await check(path);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'config OK: 2 controllers\n');
    const one = await check(write('one.yaml', `controllers:\n  - url: https://10.0.0.1\n    apiKeyFile: ${keyFile}\n`));
    assert.equal(one.stdout, 'config OK: 1 controller\n');
  });

  it('checks the legacy controllers.json too', async () => {
    const path = write('controllers.json', '[\n  {"host": "a", "api_key": "k-12345678", "sync_dhcp_clients": true},\n  {"host": "a", "api_key": "k-12345678",\n   "verify_tls": true}\n]');
    const result = await check(path);
    assert.equal(result.code, 2, result.stderr);
    // The legacy tool accepted an unknown key and clients without a suffix, so dnssync does too
    // (warned about): only the repeated host is a problem.
    assert.deepEqual(result.stdout.trim().split('\n'), [`${path}:3: [1].host: same host a as [0]`]);
  });

  it('never prints an inline API key, even one repeated as a key name', async () => {
    const secret = 'inline-secret-0123456789';
    const path = write('secret.json', JSON.stringify({ controllers: [{ url: 'https://10.0.0.1', apiKey: secret, [secret]: 1, tls: { verify: 'no' } }] }, null, 2));
    for (const args of [[], ['--json']]) {
      const result = await check(path, ...args);
      assert.equal(result.code, 2);
      assert.ok(!(result.stdout + result.stderr).includes(secret), result.stdout);
      assert.match(result.stdout, /\[redacted\]/);
    }
  });

  it('a file that cannot be read or parsed is one problem; no config at all is exit 2', async () => {
    const broken = await check(write('broken.json', '{"controllers": [ {"url": "https://x"}, ]'));
    assert.equal(broken.code, 2);
    assert.match(broken.stdout, /^.*broken\.json:1: invalid JSON: .*\n$/);
    const missing = await check(join(dir, 'nope.yaml'));
    assert.equal(missing.code, 2);
    assert.equal(missing.stdout, `${join(dir, 'nope.yaml')}: file not found\n`);
    const none = await runCli(['check'], { cwd: dir });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /no config file found/);
  });

  it('reports what sync reports for each kind of problem: check OK exactly when sync accepts the file', async () => {
    writeFileSync(join(dir, 'emptykey'), '\n');
    const controller = (extra: string) => `controllers:\n  - url: https://10.0.0.1\n    apiKeyFile: ${keyFile}\n${extra}`;
    const files = [
      controller('    tls:\n      verfy: true\n'),
      controller('sync:\n  concurrency: many\n'),
      'controllers:\n  - url: https://10.0.0.1\n    apiKeyFile: /nonexistent/key\n',
      `controllers:\n  - url: https://10.0.0.1\n    apiKeyFile: ${join(dir, 'emptykey')}\n`,
      'controllers:\n  - url: https://10.0.0.1\n    apiKeyEnv: DNSSYNC_TEST_UNSET_KEY\n',
      `controllers:\n  - url: ftp://10.0.0.1\n    apiKeyFile: ${keyFile}\n`,
      controller('sync:\n  recordTypes: [A_RECORD, FORWARD_DOMAIN]\n'),
      `controllers:\n  - url: https://10.0.0.1\n    apiKeyFile: ${keyFile}\n    apiKeyEnv: X\n`,
      `controllers:\n  - url: https://10.0.0.1\n    apiKeyFile: ${keyFile}\n  - url: https://10.0.0.1/\n    apiKeyFile: ${keyFile}\n`,
      'controllers: []\n',
      'just text\n',
      controller('    tls:\n      caFile: key\n'),
      controller(''),
    ];
    for (const [i, text] of files.entries()) {
      const path = write(`same-${i}.yaml`, text);
      const [checked, synced] = await Promise.all([check(path), runCli(['sync', '--dry-run', '--config', path, '--db', join(dir, 'none.db'), '--log-format', 'text'])]);
      if (i === files.length - 1) {
        assert.equal(checked.code, 0, checked.stdout);
        continue;
      }
      assert.equal(checked.code, 2, `${text}\n${checked.stdout}`);
      assert.equal(synced.code, 2, synced.stderr);
      const error = synced.stderr.split('\n').find((l) => l.startsWith('error: '))!.slice('error: '.length);
      const lines = checked.stdout.trim().split('\n').map((l) => l.replace(/; did you mean \w+\?$/, ''));
      assert.ok(lines.includes(error), `sync said:\n${error}\ncheck said:\n${checked.stdout}`);
    }
  });

  it('suggests a known key only when it is close', () => {
    const known = ['url', 'name', 'apiKeyFile', 'apiKeyEnv', 'apiKey', 'tls', 'sites', 'excludeSites', 'recordTypes', 'originScope'];
    assert.equal(closest('apikeyfile', known), 'apiKeyFile');
    assert.equal(closest('tsl', known), 'tls', 'a swap of neighbours is one edit');
    assert.equal(closest('excludeSite', known), 'excludeSites');
    assert.equal(closest('recordType', known), 'recordTypes');
    assert.equal(closest('on', known), null, 'a short key is not stretched into another');
    assert.equal(closest('dryRun', known), null);
    assert.equal(closest('originScop', known), 'originScope');
  });
});
