import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { loadConfig } from '../../src/config/load.ts';
import { configError, tempDir, write } from './helpers.ts';

// Verbatim from shared/legacy/README.md: what existing users have in their Secret.
const README_EXAMPLE = `[
  {
    "host": "10.0.0.1",
    "api_key": "YOUR_INTEGRATION_API_KEY",
    "site": "default",
    "sync_dhcp_clients": true,
    "domain_suffix": "home.arpa",
    "allowed_record_types": ["A_RECORD", "CNAME_RECORD"],
    "verify_ssl": false
  },
  { "host": "unifi.example.com", "api_key": "ANOTHER_API_KEY", "site": "HomeSite", "verify_ssl": true }
]
`;

const sha12 = (key: string) => 'sha256:' + createHash('sha256').update(key).digest('hex').slice(0, 12);

test('the legacy README example is accepted and mapped field by field', (t) => {
  const path = write(tempDir(t), 'controllers.json', README_EXAMPLE);
  const config = loadConfig({ path, env: {} });
  assert.equal(config.format, 'legacy-json');
  assert.equal(config.file, path);
  assert.deepEqual(config.controllers, [
    {
      name: '10.0.0.1',
      url: 'https://10.0.0.1',
      host: '10.0.0.1',
      apiKey: 'YOUR_INTEGRATION_API_KEY',
      keyFingerprint: sha12('YOUR_INTEGRATION_API_KEY'),
      keySource: 'inline',
      tls: { verify: false },
      sites: null,
      excludeSites: [],
      recordTypes: null,
      readTypes: ['A_RECORD', 'CNAME_RECORD'],
      clients: { enabled: true, domainSuffix: 'home.arpa', naming: 'legacy' },
    },
    {
      name: 'unifi.example.com',
      url: 'https://unifi.example.com',
      host: 'unifi.example.com',
      apiKey: 'ANOTHER_API_KEY',
      keyFingerprint: sha12('ANOTHER_API_KEY'),
      keySource: 'inline',
      tls: { verify: true },
      sites: null,
      excludeSites: [],
      recordTypes: null,
      readTypes: ['A_RECORD', 'CNAME_RECORD'],
      clients: { enabled: false, domainSuffix: '', naming: 'legacy' },
    },
  ]);
  assert.deepEqual(config.sync, {
    recordTypes: ['A_RECORD', 'AAAA_RECORD', 'CNAME_RECORD'],
    domains: [],
    excludeDomains: [],
    policy: 'sync',
    orphanGracePeriodMs: 900_000,
    maxDeletePercent: 30,
    concurrency: 4,
    requestTimeoutMs: 30_000,
    retryRefusedAfterMs: 86_400_000,
    writesPerSecond: 0,
    // The legacy tool kept a record off its own site only, and no legacy key maps to originScope.
    originScope: 'site',
  });
  const about = (prefix: string) => config.warnings.filter((w) => w.startsWith(prefix + ': '));
  assert.equal(config.warnings.length, 5, config.warnings.join('\n'));
  for (const i of [0, 1]) {
    assert.match(about(`[${i}].api_key`)[0] ?? '', /inline.*apiKeyFile/);
    assert.match(about(`[${i}].site`)[0] ?? '', /ignored; every site .* is synced \(use sites:/);
  }
  assert.match(about('[0].verify_ssl')[0] ?? '', /verify_ssl is false.*TLS certificate verification is off for controller 10\.0\.0\.1/);
  assert.deepEqual(about('[1].verify_ssl'), []);
});

test('legacy defaults: no verify_ssl means verification off, record types A and CNAME, no clients', (t) => {
  const path = write(tempDir(t), 'controllers.json', '[{"host": "10.0.0.9:8443", "api_key": "k-12345678"}]');
  const config = loadConfig({ path, env: {} });
  const [c] = config.controllers;
  assert.equal(c?.url, 'https://10.0.0.9:8443');
  assert.equal(c?.host, '10.0.0.9:8443');
  assert.equal(c?.name, '10.0.0.9:8443');
  assert.deepEqual(c?.tls, { verify: false });
  // allowed_record_types filtered only what the tool read from a controller; it wrote every type.
  assert.equal(c?.recordTypes, null);
  assert.deepEqual(c?.readTypes, ['A_RECORD', 'CNAME_RECORD']);
  assert.deepEqual(config.sync.recordTypes, ['A_RECORD', 'AAAA_RECORD', 'CNAME_RECORD']);
  assert.deepEqual(c?.clients, { enabled: false, domainSuffix: '', naming: 'legacy' });
  assert.ok(config.warnings.some((w) => w.startsWith('[0].verify_ssl: verify_ssl is absent, and the legacy default is false')));
  assert.ok(!config.warnings.some((w) => w.startsWith('[0].site')));
});

test('a legacy bare IPv6 host gets brackets', (t) => {
  const path = write(tempDir(t), 'controllers.json', '[{"host": "fd00::1", "api_key": "k-12345678", "verify_ssl": true}]');
  assert.equal(loadConfig({ path, env: {} }).controllers[0]?.url, 'https://[fd00::1]');
});

test('legacy FORWARD_DOMAIN is dropped with a warning; differing read types are warned about', (t) => {
  const path = write(
    tempDir(t),
    'controllers.json',
    JSON.stringify([
      { host: 'a', api_key: 'k-12345678', allowed_record_types: ['A_RECORD', 'FORWARD_DOMAIN'], verify_ssl: true },
      { host: 'b', api_key: 'k-12345678', verify_ssl: true },
    ]),
  );
  const config = loadConfig({ path, env: {} });
  assert.deepEqual(config.controllers[0]?.readTypes, ['A_RECORD']);
  assert.ok(config.warnings.includes('[0].allowed_record_types: FORWARD_DOMAIN is never synced; ignored'));
  assert.ok(
    config.warnings.some((w) =>
      w.startsWith('[0].allowed_record_types: as with the legacy tool, allowed_record_types says which types are read from each controller (a: A_RECORD; b: A_RECORD, CNAME_RECORD); every controller still receives A_RECORD, AAAA_RECORD, CNAME_RECORD'),
    ),
    config.warnings.join('\n'),
  );
});

test('every controllers.json the legacy tool accepted is accepted: unknown keys and record types warned about, clients without a suffix', (t) => {
  const path = write(
    tempDir(t),
    'controllers.json',
    JSON.stringify([
      { host: 'a', api_key: 'k-12345678', verify_ssl: true, verify_tls: true, comment: 'rack 2', sync_dhcp_clients: true },
      { host: 'b', api_key: 'k-12345678', verify_ssl: true, allowed_record_types: ['A', 'MX_RECORD', 'FORWARD_DOMAIN'] },
      { host: 'c', api_key: 'k-12345678', verify_ssl: true, allowed_record_types: [] },
    ]),
  );
  const config = loadConfig({ path, env: {} });
  const [a, b, c] = config.controllers;
  assert.deepEqual(a?.clients, { enabled: true, domainSuffix: '', naming: 'legacy' });
  assert.deepEqual(b?.readTypes, ['MX_RECORD']);
  assert.deepEqual(c?.readTypes, []);
  // MX is read from b, so the tool could have copied it everywhere: it is written everywhere.
  assert.deepEqual(config.sync.recordTypes, ['A_RECORD', 'AAAA_RECORD', 'CNAME_RECORD', 'MX_RECORD']);
  for (const expected of [
    '[0].verify_tls: unknown key, ignored (as the legacy tool did)',
    '[0].comment: unknown key, ignored (as the legacy tool did)',
    '[0].sync_dhcp_clients: no domain_suffix, so client names get no suffix (as with the legacy tool)',
    '[1].allowed_record_types: unknown record type "A" ignored (it matched no policy in the legacy tool either)',
    '[1].allowed_record_types: FORWARD_DOMAIN is never synced; ignored',
    '[2].allowed_record_types: no record type is read from controller c, as with the legacy tool; it still receives the records of the others',
  ]) {
    assert.ok(config.warnings.includes(expected), `${expected}\nin\n${config.warnings.join('\n')}`);
  }
});

const invalid: [name: string, text: string, where: string, problem: string][] = [
  ['missing api_key', '[{"host": "a"}]', ':1: [0].api_key: ', 'required'],
  ['host with a scheme', '[{"host": "https://a", "api_key": "k-12345678"}]', ':1: [0].host: ', 'expected a host name or IP address'],
  ['verify_ssl as a string', '[{"host": "a", "api_key": "k-12345678", "verify_ssl": "false"}]', ':1: [0].verify_ssl: ', 'expected true or false, got a string'],
  ['record types not a list', '[{"host": "a", "api_key": "k-12345678", "allowed_record_types": "A_RECORD"}]', ':1: [0].allowed_record_types: ', 'expected a list'],
  ['same host twice', '[{"host": "a", "api_key": "k-12345678"},\n {"host": "A:443", "api_key": "k-12345678"}]', ':2: [1].host: ', 'same host a as [0]'],
  ['empty array', '[]', ': ', 'empty list'],
  ['empty api_key', '[{"host": "a", "api_key": " "}]', ':1: [0].api_key: ', 'empty API key'],
];

for (const [name, text, where, problem] of invalid) {
  test(`invalid legacy: ${name}`, (t) => {
    const path = write(tempDir(t), 'controllers.json', text);
    const e = configError(() => loadConfig({ path, env: {} }));
    assert.ok(e.message.startsWith(path + where), `${e.message} should start with ${path + where}`);
    assert.ok(e.message.includes(problem), `${e.message} should contain ${problem}`);
  });
}

test("dnssync.yaml can keep the legacy tool's client names (naming: legacy); dnssync's own rule is the default", (t) => {
  const dir = tempDir(t);
  const yaml = (naming: string) =>
    write(dir, `n-${naming || 'none'}.yaml`, `controllers:\n  - url: https://10.0.0.1\n    apiKey: k-12345678\n    clients: {enabled: true, domainSuffix: home.arpa${naming ? `, naming: ${naming}` : ''}}\n`);
  assert.deepEqual(loadConfig({ path: yaml('legacy'), env: {} }).controllers[0]?.clients, { enabled: true, domainSuffix: 'home.arpa', naming: 'legacy' });
  assert.deepEqual(loadConfig({ path: yaml('dnssync'), env: {} }).controllers[0]?.clients, { enabled: true, domainSuffix: 'home.arpa' });
  assert.deepEqual(loadConfig({ path: yaml(''), env: {} }).controllers[0]?.clients, { enabled: true, domainSuffix: 'home.arpa' });
  const e = configError(() => loadConfig({ path: yaml('python'), env: {} }));
  assert.match(e.message, /controllers\[0\]\.clients\.naming: must be one of dnssync, legacy/);
});
