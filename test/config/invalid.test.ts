import assert from 'node:assert/strict';
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../src/config/load.ts';
import { configError, tempDir, write } from './helpers.ts';

/** A valid controller entry, indented for a block list under `controllers:`. */
const C = (extra = '') => `  - url: https://10.0.0.1\n    apiKeyEnv: K\n${extra}`;
const ENV = { K: 'abcdefgh', EMPTY: '' };

interface Case {
  name: string;
  file?: string;
  text: string;
  /** `file:line: keyPath: ` or `file: keyPath: ` that must start the message ({file} = the path). */
  where: string;
  problem: string | RegExp;
}

const cases: Case[] = [
  { name: 'unknown nested key', text: `controllers:\n${C('    tls:\n      verfy: false\n')}`, where: ':5: controllers[0].tls.verfy: ', problem: 'unknown key' },
  { name: 'unknown top-level key', text: `controllers:\n${C()}syncs: {}\n`, where: ':4: syncs: ', problem: 'unknown key' },
  { name: 'unknown sync key', text: `controllers:\n${C()}sync:\n  dryRun: true\n`, where: ':5: sync.dryRun: ', problem: 'unknown key' },
  { name: 'unknown key in JSON', file: 'c.json', text: '{\n  "controllers": [\n    {"url": "https://h", "apiKeyEnv": "K",\n     "site": "default"}\n  ]\n}', where: ':4: controllers[0].site: ', problem: 'unknown key' },
  { name: 'wrong type: string for boolean', text: `controllers:\n${C('    tls: {verify: "yes"}\n')}`, where: ':4: controllers[0].tls.verify: ', problem: 'expected true or false, got a string' },
  { name: 'wrong type: mapping for list', text: `controllers:\n  url: https://h\n`, where: ':1: controllers: ', problem: 'expected a list, got a mapping' },
  { name: 'wrong type: string for number', text: `controllers:\n${C()}sync: {concurrency: "4"}\n`, where: ':4: sync.concurrency: ', problem: 'expected a number, got a string' },
  { name: 'missing url', text: 'controllers:\n  - apiKeyEnv: K\n', where: ':2: controllers[0].url: ', problem: 'required' },
  { name: 'missing controllers', text: 'sync: {}\n', where: ': controllers: ', problem: 'required' },
  { name: 'empty controllers list', text: 'controllers: []\n', where: ':1: controllers: ', problem: 'empty list' },
  { name: 'top level is a list in YAML', text: '- host: h\n', where: ': ', problem: /top level must be a mapping.*\.json/ },
  { name: 'top level is a string', file: 'c.json', text: '"controllers"', where: ': ', problem: 'top level must be a mapping' },
  { name: 'URL with another scheme', text: 'controllers:\n  - url: ftp://h\n    apiKeyEnv: K\n', where: ':2: controllers[0].url: ', problem: 'scheme must be https or http, not ftp' },
  { name: 'URL with a path', text: 'controllers:\n  - url: https://h/proxy/network\n    apiKeyEnv: K\n', where: ':2: controllers[0].url: ', problem: 'no path' },
  { name: 'URL with a query', text: 'controllers:\n  - url: https://h/?x=1\n    apiKeyEnv: K\n', where: ':2: controllers[0].url: ', problem: 'no query' },
  { name: 'URL without scheme', text: 'controllers:\n  - url: 10.0.0.1\n    apiKeyEnv: K\n', where: ':2: controllers[0].url: ', problem: 'not a URL' },
  { name: 'URL without host', text: 'controllers:\n  - url: "https://"\n    apiKeyEnv: K\n', where: ':2: controllers[0].url: ', problem: 'not a URL' },
  { name: 'URL with credentials', text: 'controllers:\n  - url: https://admin:pw@h\n    apiKeyEnv: K\n', where: ':2: controllers[0].url: ', problem: 'user name or password' },
  { name: 'duplicate names', text: `controllers:\n${C('    name: a\n')}  - url: https://10.0.0.2\n    apiKeyEnv: K\n    name: a\n`, where: ':7: controllers[1].name: ', problem: 'duplicate controller name "a" (also controllers[0])' },
  { name: 'duplicate hosts', text: `controllers:\n${C('    name: a\n')}  - name: b\n    url: https://10.0.0.1:443/\n    apiKeyEnv: K\n`, where: ':6: controllers[1].url: ', problem: 'same host 10.0.0.1 as controllers[0]' },
  ...[0, -1, 2.5, 65].map((n) => ({ name: `concurrency ${n}`, text: `controllers:\n${C()}sync:\n  concurrency: ${n}\n`, where: ':5: sync.concurrency: ', problem: 'must be an integer from 1 to 64' })),
  ...[101, -1].map((n) => ({ name: `maxDeletePercent ${n}`, text: `controllers:\n${C()}sync:\n  maxDeletePercent: ${n}\n`, where: ':5: sync.maxDeletePercent: ', problem: 'must be from 0 to 100' })),
  ...[
    ['-1', 'must be a positive number (writes a second), or 0 for no limit'],
    ['-0.5', 'must be a positive number (writes a second), or 0 for no limit'],
    ['.inf', 'expected a number, got Infinity'],
    ['"2"', 'expected a number, got a string'],
  ].map(([v, problem]) => ({ name: `writesPerSecond ${v}`, text: `controllers:\n${C()}sync:\n  writesPerSecond: ${v}\n`, where: ':5: sync.writesPerSecond: ', problem: problem! })),
  { name: 'controller writesPerSecond negative', text: `controllers:\n${C('    writesPerSecond: -2\n')}`, where: ':4: controllers[0].writesPerSecond: ', problem: 'must be a positive number (writes a second), or 0 for no limit' },
  { name: 'controller writesPerSecond a string', text: `controllers:\n${C('    writesPerSecond: ten\n')}`, where: ':4: controllers[0].writesPerSecond: ', problem: 'expected a number, got a string' },
  { name: 'bad duration', text: `controllers:\n${C()}sync:\n  orphanGracePeriod: 15x\n`, where: ':5: sync.orphanGracePeriod: ', problem: 'not a duration: "15x"' },
  { name: 'duration of the wrong type', text: `controllers:\n${C()}sync:\n  orphanGracePeriod: true\n`, where: ':5: sync.orphanGracePeriod: ', problem: 'expected a duration' },
  { name: 'zero request timeout', text: `controllers:\n${C()}sync:\n  requestTimeout: 0\n`, where: ':5: sync.requestTimeout: ', problem: 'must be more than 0' },
  { name: 'bad origin scope', text: `controllers:\n${C()}sync:\n  originScope: tenant\n`, where: ':5: sync.originScope: ', problem: 'must be one of site, controller' },
  { name: 'bad controller origin scope', text: `controllers:\n${C('    originScope: console\n')}`, where: ':4: controllers[0].originScope: ', problem: 'must be one of site, controller' },
  { name: 'bad policy', text: `controllers:\n${C()}sync:\n  policy: mirror\n`, where: ':5: sync.policy: ', problem: 'must be one of sync, upsert-only, create-only' },
  { name: 'unknown record type', text: `controllers:\n${C()}sync:\n  recordTypes: [A_RECORD, PTR_RECORD]\n`, where: ':5: sync.recordTypes[1]: ', problem: 'unknown record type "PTR_RECORD"' },
  { name: 'FORWARD_DOMAIN', text: `controllers:\n${C('    recordTypes:\n      - FORWARD_DOMAIN\n')}`, where: ':5: controllers[0].recordTypes[0]: ', problem: 'FORWARD_DOMAIN is never synced' },
  { name: 'empty record type list', text: `controllers:\n${C()}sync:\n  recordTypes: []\n`, where: ':5: sync.recordTypes: ', problem: 'empty list' },
  { name: 'fingerprint too short', text: `controllers:\n${C('    tls:\n      fingerprint: "sha256:AB:CD"\n')}`, where: ':5: controllers[0].tls.fingerprint: ', problem: 'not a SHA-256 certificate fingerprint' },
  { name: 'fingerprint not hex', text: `controllers:\n${C(`    tls: {fingerprint: "${'zz'.repeat(32)}"}\n`)}`, where: ':4: controllers[0].tls.fingerprint: ', problem: '32 hex bytes' },
  { name: 'fingerprint of another hash', text: `controllers:\n${C(`    tls: {fingerprint: "sha1:${'ab'.repeat(32)}"}\n`)}`, where: ':4: controllers[0].tls.fingerprint: ', problem: '32 hex bytes' },
  { name: 'CA file missing', text: `controllers:\n${C('    tls:\n      caFile: nowhere.pem\n')}`, where: ':5: controllers[0].tls.caFile: ', problem: /cannot read CA file \/.*nowhere\.pem: not found/ },
  { name: 'CA file not PEM', text: `controllers:\n${C('    tls:\n      caFile: c.yaml\n')}`, where: ':5: controllers[0].tls.caFile: ', problem: 'holds no PEM certificate' },
  { name: 'empty site name', text: `controllers:\n${C('    sites: [default, ""]\n')}`, where: ':4: controllers[0].sites[1]: ', problem: 'empty site name' },
  { name: 'blank excluded site name', text: `controllers:\n${C('    excludeSites:\n      - "  "\n')}`, where: ':5: controllers[0].excludeSites[0]: ', problem: 'empty site name' },
  { name: 'empty sites list', text: `controllers:\n${C('    sites: []\n')}`, where: ':4: controllers[0].sites: ', problem: 'leave sites out to sync every site' },
  { name: 'clients enabled without domainSuffix', text: `controllers:\n${C('    clients:\n      enabled: true\n')}`, where: ':4: controllers[0].clients.domainSuffix: ', problem: 'required when clients.enabled is true' },
  { name: 'bad domainSuffix', text: `controllers:\n${C('    clients: {domainSuffix: "home arpa"}\n')}`, where: ':4: controllers[0].clients.domainSuffix: ', problem: 'not a domain name' },
  { name: 'no API key', text: 'controllers:\n  - url: https://h\n', where: ':2: controllers[0]: ', problem: 'no API key; give one of apiKeyFile, apiKeyEnv or apiKey' },
  { name: 'two API keys', text: `controllers:\n${C('    apiKeyFile: k\n')}`, where: ':3: controllers[0].apiKeyEnv: ', problem: 'give only one of apiKeyFile, apiKeyEnv' },
  { name: 'API key file missing', text: 'controllers:\n  - url: https://h\n    apiKeyFile: secrets/home\n', where: ':3: controllers[0].apiKeyFile: ', problem: /cannot read key file \/.*\/secrets\/home: not found/ },
  { name: 'API key file empty', text: 'controllers:\n  - url: https://h\n    apiKeyFile: empty.key\n', where: ':3: controllers[0].apiKeyFile: ', problem: /key file \/.*\/empty\.key is empty/ },
  { name: 'API key file is a folder', text: 'controllers:\n  - url: https://h\n    apiKeyFile: sub\n', where: ':3: controllers[0].apiKeyFile: ', problem: /cannot read key file .*sub: is a directory/ },
  { name: 'API key variable unset', text: 'controllers:\n  - url: https://h\n    apiKeyEnv: HOME_UNIFI_KEY\n', where: ':3: controllers[0].apiKeyEnv: ', problem: 'environment variable HOME_UNIFI_KEY is not set' },
  { name: 'API key variable empty', text: 'controllers:\n  - url: https://h\n    apiKeyEnv: EMPTY\n', where: ':3: controllers[0].apiKeyEnv: ', problem: 'environment variable EMPTY is empty' },
  { name: 'bad variable name', text: 'controllers:\n  - url: https://h\n    apiKeyEnv: "$HOME"\n', where: ':3: controllers[0].apiKeyEnv: ', problem: 'not an environment variable name' },
  { name: 'empty inline API key', text: 'controllers:\n  - url: https://h\n    apiKey: ""\n', where: ':3: controllers[0].apiKey: ', problem: 'empty API key' },
  { name: 'invalid YAML', text: 'controllers:\n  - url: https://h\n    apiKeyEnv: K\n  tls: [\n', where: ':4: ', problem: 'invalid YAML' },
  { name: 'YAML duplicate key', text: 'controllers:\n  - url: https://h\n    url: https://g\n', where: ':3: ', problem: 'invalid YAML: duplicate key' },
  { name: 'two YAML documents', text: `controllers:\n${C()}---\nsync: {}\n`, where: ':4: ', problem: 'more than one YAML document' },
  { name: 'invalid JSON: trailing comma', file: 'c.json', text: '{\n  "controllers": [\n    {"url": "https://h", "apiKeyEnv": "K"},\n  ]\n}\n', where: ':4: ', problem: 'invalid JSON: unexpected character' },
  { name: 'invalid JSON: bare word', file: 'c.json', text: '{\n  "controllers":\n    nope\n}\n', where: ':3: ', problem: 'invalid JSON' },
  { name: 'invalid JSON: cut short', file: 'c.json', text: '{\n  "controllers": [\n', where: ':3: ', problem: 'invalid JSON: unexpected end of file' },
  { name: 'JSON duplicate key', file: 'c.json', text: '{\n  "controllers": [],\n  "controllers": []\n}\n', where: ':3: ', problem: 'invalid JSON: duplicate key "controllers"' },
  { name: 'empty YAML file', text: '', where: ': ', problem: 'empty file' },
  { name: 'YAML file of comments only', text: '# nothing yet\n', where: ': ', problem: 'empty file' },
  { name: 'empty JSON file', file: 'c.json', text: '  \n', where: ': ', problem: 'empty file' },
  { name: 'unsupported extension', file: 'c.toml', text: 'controllers = []\n', where: ': ', problem: 'unsupported file type ".toml"' },
];

for (const c of cases) {
  test(`invalid: ${c.name}`, (t) => {
    const dir = tempDir(t);
    write(dir, 'empty.key', '\n');
    write(dir, 'k', 'from-file-1234');
    mkdirSync(join(dir, 'sub'));
    const path = write(dir, c.file ?? 'c.yaml', c.text);
    const e = configError(() => loadConfig({ path, env: ENV }));
    assert.ok(e.message.startsWith(path + c.where), `message ${JSON.stringify(e.message)} should start with ${JSON.stringify(path + c.where)}`);
    if (typeof c.problem === 'string') assert.ok(e.message.includes(c.problem), `message ${JSON.stringify(e.message)} should contain ${JSON.stringify(c.problem)}`);
    else assert.match(e.message, c.problem);
  });
}

test('invalid: file not found', (t) => {
  const path = join(tempDir(t), 'missing.yaml');
  assert.equal(configError(() => loadConfig({ path, env: {} })).message, `${path}: file not found`);
});

test('invalid: unreadable key file', { skip: process.getuid?.() === 0 && 'root reads any file' }, (t) => {
  const dir = tempDir(t);
  const key = write(dir, 'k', 'abcdefgh');
  chmodSync(key, 0o000);
  const path = write(dir, 'c.yaml', 'controllers: [{url: "https://h", apiKeyFile: k}]\n');
  assert.match(configError(() => loadConfig({ path, env: {} })).message, /controllers\[0\]\.apiKeyFile: cannot read key file .*\/k: permission denied$/);
});

test('the problem nearest the top of the file is the one reported', (t) => {
  const path = write(tempDir(t), 'c.yaml', `sync:\n  concurrency: 0\ncontrollers:\n  - url: ftp://h\n    apiKeyEnv: K\n`);
  assert.equal(configError(() => loadConfig({ path, env: ENV })).keyPath, 'sync.concurrency');
});

test('ConfigError carries the key path and the problem separately', (t) => {
  const path = write(tempDir(t), 'c.yaml', `controllers:\n${C('    tls: {verfy: true}\n')}`);
  const e = configError(() => loadConfig({ path, env: ENV }));
  assert.equal(e.keyPath, 'controllers[0].tls.verfy');
  assert.equal(e.problem, 'unknown key');
  assert.equal(e.file, `${path}:4`);
});
