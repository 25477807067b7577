import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../src/config/load.ts';
import { ConfigError } from '../../src/domain/errors.ts';
import { tempDir, write } from './helpers.ts';

const SECRET = 'Zq7-SECRET-not-for-logs-93xK';

/** Loads and returns every text that leaves the loader: the error message or the warnings. */
function outputs(file: string, text: string, env: NodeJS.ProcessEnv = {}, dir?: string): string {
  try {
    return loadConfig({ path: write(dir!, file, text), env }).warnings.join('\n');
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return [e.message, e.problem, e.file, e.keyPath].join('\n');
  }
}

const cases: [name: string, file: string, text: string][] = [
  ['inline key next to a bad URL', 'c.yaml', `controllers:\n  - url: ftp://h\n    apiKey: ${SECRET}\n`],
  ['inline key with a second key source', 'c.yaml', `controllers:\n  - url: https://h\n    apiKey: ${SECRET}\n    apiKeyEnv: X\n`],
  ['inline key of the wrong type nearby', 'c.yaml', `controllers:\n  - url: https://h\n    apiKey: ${SECRET}\n    tls: {verify: maybe}\n`],
  ['YAML syntax error on the key line', 'c.yaml', `controllers:\n  - url: https://h\n    apiKey: ${SECRET}: x\n`],
  ['YAML syntax error after the key', 'c.yaml', `controllers:\n  - url: https://h\n    apiKey: "${SECRET}\n`],
  ['JSON syntax error in the key', 'c.json', `{"controllers": [{"url": "https://h", "apiKey": ${SECRET}}]}`],
  ['JSON unterminated key string', 'c.json', `{"controllers": [{"url": "https://h", "apiKey": "${SECRET}}]}`],
  ['legacy key as a bare word', 'c.json', `[{"host": "h", "api_key": ${SECRET}}]`],
  ['legacy key next to an unknown key', 'c.json', `[{"host": "h", "api_key": "${SECRET}", "verify": true}]`],
  ['inline key also pasted as a key name', 'c.yaml', `controllers:\n  - url: https://h\n    apiKey: ${SECRET}\n    ${SECRET}: 1\n`],
  ['key pasted into the record types', 'c.yaml', `controllers:\n  - url: https://h\n    apiKey: ${SECRET}\n    recordTypes: [${SECRET}]\n`],
  ['key with a newline inside', 'c.json', `{"controllers": [{"url": "https://h", "apiKey": "${SECRET}\\n${SECRET}"}]}`],
  ['valid config with an inline key (warnings)', 'c.yaml', `controllers:\n  - url: http://h\n    apiKey: ${SECRET}\n    tls: {verify: false}\n`],
  ['valid legacy config (warnings)', 'c.json', `[{"host": "h", "api_key": "${SECRET}", "site": "x"}]`],
];

for (const [name, file, text] of cases) {
  test(`the API key never appears: ${name}`, (t) => {
    const out = outputs(file, text, { K: 'abcdefgh' }, tempDir(t));
    assert.ok(out.length > 0, 'something was reported');
    assert.ok(!out.includes(SECRET), out);
    assert.ok(!out.includes(SECRET.slice(0, 12)), out);
  });
}

test('the API key from a file or variable never appears, even when that file or variable is wrong', (t) => {
  const dir = tempDir(t);
  write(dir, 'two-lines.key', `${SECRET}\n${SECRET}\n`);
  write(dir, 'good.key', `${SECRET}\n`);
  const texts = [
    'controllers: [{url: "https://h", apiKeyFile: two-lines.key}]\n',
    'controllers: [{url: "https://h", apiKeyEnv: TWO}]\n',
    'controllers: [{url: "https://h", apiKeyFile: good.key, tls: {caFile: good.key}}]\n',
    'controllers: [{url: "https://h", apiKeyFile: good.key, tls: {verify: false}}, {url: "https://g", apiKeyEnv: GOOD, clients: {enabled: true}}]\n',
  ];
  for (const text of texts) {
    const out = outputs('c.yaml', text, { TWO: `${SECRET} ${SECRET}`, GOOD: SECRET }, dir);
    assert.ok(out.length > 0);
    assert.ok(!out.includes(SECRET), out);
  }
});
