import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { keyFingerprint } from '../../src/config/key.ts';
import { loadConfig, loadSettings } from '../../src/config/load.ts';
import type { Config } from '../../src/config/types.ts';
import { UsageError } from '../../src/domain/errors.ts';
import { FINGERPRINT, FINGERPRINT_HEX, PEM, tempDir, write } from './helpers.ts';

const FULL_YAML = `# every key there is
controllers:
  - name: home
    url: https://10.0.0.1/
    apiKeyFile: home.key
    tls:
      verify: true
      caFile: ca.pem
      fingerprint: "${FINGERPRINT_HEX.match(/../g)!.join(':')}"
    sites: [default, branch]
    excludeSites: [lab]
    recordTypes: [A_RECORD, TXT_RECORD, A_RECORD]
    clients:
      enabled: true
      domainSuffix: .Home.Arpa.
    writesPerSecond: 0.5
    originScope: site
  - url: https://UniFi.Example.com:11443
    apiKeyEnv: OFFICE_KEY
    tls: { verify: false }
    clients: { enabled: false }
  - name: lab
    url: http://192.168.1.1:8080
    apiKey: inline-key-0123
    writesPerSecond: 0
sync:
  recordTypes: [A_RECORD, AAAA_RECORD, CNAME_RECORD, MX_RECORD, TXT_RECORD, SRV_RECORD]
  domains: ["*.Home.Arpa."]
  excludeDomains: [tmp.home.arpa]
  policy: upsert-only
  orphanGracePeriod: 1h30m
  retryRefusedAfter: 2h
  maxDeletePercent: 12.5
  concurrency: 8
  requestTimeout: 10s
  writesPerSecond: 2
  originScope: controller
`;

const FULL_JSON = JSON.stringify(
  {
    controllers: [
      {
        name: 'home',
        url: 'https://10.0.0.1/',
        apiKeyFile: 'home.key',
        tls: { verify: true, caFile: 'ca.pem', fingerprint: FINGERPRINT_HEX.toUpperCase() },
        sites: ['default', 'branch'],
        excludeSites: ['lab'],
        recordTypes: ['A_RECORD', 'TXT_RECORD', 'A_RECORD'],
        clients: { enabled: true, domainSuffix: '.Home.Arpa.' },
        writesPerSecond: 0.5,
        originScope: 'site',
      },
      { url: 'https://UniFi.Example.com:11443', apiKeyEnv: 'OFFICE_KEY', tls: { verify: false }, clients: { enabled: false } },
      { name: 'lab', url: 'http://192.168.1.1:8080', apiKey: 'inline-key-0123', writesPerSecond: 0 },
    ],
    sync: {
      recordTypes: ['A_RECORD', 'AAAA_RECORD', 'CNAME_RECORD', 'MX_RECORD', 'TXT_RECORD', 'SRV_RECORD'],
      domains: ['*.Home.Arpa.'],
      excludeDomains: ['tmp.home.arpa'],
      policy: 'upsert-only',
      orphanGracePeriod: '1h30m',
      retryRefusedAfter: '2h',
      maxDeletePercent: 12.5,
      concurrency: 8,
      requestTimeout: 10,
      writesPerSecond: 2,
      originScope: 'controller',
    },
  },
  null,
  2,
);

const ENV = { OFFICE_KEY: 'office-key-4567\n' };

function loadFull(dir: string, name: string, text: string): Config {
  write(dir, 'home.key', 'home-key-89ab\n\n');
  write(dir, 'ca.pem', PEM);
  return loadConfig({ path: write(dir, name, text), env: ENV });
}

test('a YAML config with every key', (t) => {
  const dir = tempDir(t);
  const config = loadFull(dir, 'dnssync.yaml', FULL_YAML);
  assert.equal(config.file, join(dir, 'dnssync.yaml'));
  assert.equal(config.format, 'yaml');
  assert.deepEqual(config.controllers, [
    {
      name: 'home',
      url: 'https://10.0.0.1',
      host: '10.0.0.1',
      apiKey: 'home-key-89ab',
      keyFingerprint: keyFingerprint('home-key-89ab'),
      keySource: 'file',
      tls: { verify: true, caFile: join(dir, 'ca.pem'), fingerprint: FINGERPRINT },
      sites: ['default', 'branch'],
      excludeSites: ['lab'],
      recordTypes: ['A_RECORD', 'TXT_RECORD'],
      clients: { enabled: true, domainSuffix: 'home.arpa' },
      writesPerSecond: 0.5,
      // The controller's own setting, though it is the default: it wins over sync.originScope.
      originScope: 'site',
    },
    {
      name: 'unifi.example.com:11443',
      url: 'https://unifi.example.com:11443',
      host: 'unifi.example.com:11443',
      apiKey: 'office-key-4567',
      keyFingerprint: keyFingerprint('office-key-4567'),
      keySource: 'env',
      tls: { verify: false },
      sites: null,
      excludeSites: [],
      recordTypes: null,
      clients: { enabled: false, domainSuffix: '' },
    },
    {
      name: 'lab',
      url: 'http://192.168.1.1:8080',
      host: '192.168.1.1:8080',
      apiKey: 'inline-key-0123',
      keyFingerprint: keyFingerprint('inline-key-0123'),
      keySource: 'inline',
      tls: { verify: true },
      sites: null,
      excludeSites: [],
      recordTypes: null,
      clients: { enabled: false, domainSuffix: '' },
      writesPerSecond: 0,
    },
  ]);
  assert.deepEqual(config.sync, {
    recordTypes: ['A_RECORD', 'AAAA_RECORD', 'CNAME_RECORD', 'MX_RECORD', 'TXT_RECORD', 'SRV_RECORD'],
    domains: ['*.home.arpa'],
    excludeDomains: ['tmp.home.arpa'],
    policy: 'upsert-only',
    orphanGracePeriodMs: 5_400_000,
    retryRefusedAfterMs: 7_200_000,
    maxDeletePercent: 12.5,
    concurrency: 8,
    requestTimeoutMs: 10_000,
    writesPerSecond: 2,
    originScope: 'controller',
  });
  assert.deepEqual(config.warnings, [
    'controllers[1].tls.verify: TLS certificate verification is off for controller unifi.example.com:11443',
    'controllers[2].apiKey: API key inline in the config file; prefer apiKeyFile or apiKeyEnv',
    'controllers[2].url: plain http: the API key crosses the network unencrypted to controller lab',
    'controllers[0].recordTypes: controllers sync different record types (home: A_RECORD, TXT_RECORD; ' +
      'unifi.example.com:11443: A_RECORD, AAAA_RECORD, CNAME_RECORD, MX_RECORD, TXT_RECORD, SRV_RECORD; ' +
      'lab: A_RECORD, AAAA_RECORD, CNAME_RECORD, MX_RECORD, TXT_RECORD, SRV_RECORD); ' +
      'a record of a type a controller does not sync is neither read from nor written to it',
  ]);
});

test('the same config as JSON gives the same result', (t) => {
  const dir = tempDir(t);
  const fromYaml = loadFull(dir, 'dnssync.yaml', FULL_YAML);
  const fromJson = loadFull(dir, 'dnssync.json', FULL_JSON);
  assert.equal(fromJson.format, 'json');
  assert.equal(fromJson.file, join(dir, 'dnssync.json'));
  assert.deepEqual({ ...fromJson, file: '', format: '' }, { ...fromYaml, file: '', format: '' });
});

test('settings are the config without its keys, read with no key or CA file at hand; a problem in the file is still one', (t) => {
  const dir = tempDir(t);
  const config = loadFull(dir, 'dnssync.yaml', FULL_YAML);
  rmSync(join(dir, 'home.key'));
  rmSync(join(dir, 'ca.pem'));
  const settings = loadSettings({ path: join(dir, 'dnssync.yaml') });
  const keyless = config.controllers.map(({ apiKey: _key, keyFingerprint: _print, keySource: _source, ...rest }) => rest);
  assert.deepEqual(settings, { ...config, controllers: keyless });
  assert.throws(() => loadConfig({ path: join(dir, 'dnssync.yaml'), env: ENV }), /controllers\[0\]\.apiKeyFile: cannot read key file .*home\.key: not found/);
  const broken = write(dir, 'broken.yaml', FULL_YAML.replace('excludeSites: [lab]', 'excludeSite: [lab]'));
  assert.throws(() => loadSettings({ path: broken }), /broken\.yaml:11: controllers\[0\]\.excludeSite: unknown key/);
});

test('.yml is YAML too', (t) => {
  const dir = tempDir(t);
  assert.equal(loadFull(dir, 'dnssync.yml', FULL_YAML).format, 'yaml');
});

test('defaults for everything left out', (t) => {
  const dir = tempDir(t);
  const path = write(dir, 'dnssync.yaml', 'controllers:\n  - url: https://unifi.lan\n    apiKeyEnv: K\n    tls:\n    sites:\n');
  const config = loadConfig({ path, env: { K: 'abcdefgh' } });
  assert.deepEqual(config.sync, {
    recordTypes: ['A_RECORD', 'AAAA_RECORD', 'CNAME_RECORD'],
    domains: [],
    excludeDomains: [],
    policy: 'sync',
    orphanGracePeriodMs: 900_000,
    retryRefusedAfterMs: 86_400_000,
    maxDeletePercent: 30,
    concurrency: 4,
    requestTimeoutMs: 30_000,
    writesPerSecond: 0,
    originScope: 'site',
  });
  const [c] = config.controllers;
  assert.equal(c?.name, 'unifi.lan');
  assert.equal(c?.url, 'https://unifi.lan');
  assert.deepEqual(c?.tls, { verify: true });
  assert.equal(c?.sites, null);
  assert.deepEqual(c?.excludeSites, []);
  assert.equal(c?.recordTypes, null);
  assert.deepEqual(c?.clients, { enabled: false, domainSuffix: '' });
  assert.deepEqual(config.warnings, []);
});

test('the default port is dropped from url and host; another port is kept', (t) => {
  const dir = tempDir(t);
  const path = write(
    dir,
    'c.yaml',
    'controllers:\n  - {url: "https://a.lan:443", apiKeyEnv: K}\n  - {url: "http://b.lan:80/", apiKeyEnv: K}\n  - {url: "https://[fe80::1]:11443", apiKeyEnv: K}\n',
  );
  const hosts = loadConfig({ path, env: { K: 'abcdefgh' } }).controllers.map((c) => [c.url, c.host]);
  assert.deepEqual(hosts, [
    ['https://a.lan', 'a.lan'],
    ['http://b.lan', 'b.lan'],
    ['https://[fe80::1]:11443', '[fe80::1]:11443'],
  ]);
});

test('fingerprints are accepted with or without prefix and colons, in any case', (t) => {
  const dir = tempDir(t);
  for (const fp of [FINGERPRINT_HEX, FINGERPRINT_HEX.toUpperCase(), `SHA256:${FINGERPRINT_HEX}`, FINGERPRINT.toLowerCase(), FINGERPRINT]) {
    const path = write(dir, 'c.json', JSON.stringify({ controllers: [{ url: 'https://h', apiKeyEnv: 'K', tls: { fingerprint: fp } }] }));
    assert.equal(loadConfig({ path, env: { K: 'abcdefgh' } }).controllers[0]?.tls.fingerprint, FINGERPRINT, fp);
  }
});

test('relative key and CA files are found next to the config file, not in the working directory', (t) => {
  const dir = tempDir(t);
  write(dir, 'k', 'key-from-file\n');
  write(dir, 'ca.pem', PEM);
  const path = write(dir, 'c.yaml', 'controllers:\n  - url: https://h\n    apiKeyFile: ./k\n    tls: {caFile: ca.pem}\n');
  const [c] = loadConfig({ path, env: {} }).controllers;
  assert.equal(c?.apiKey, 'key-from-file');
  assert.equal(c?.tls.caFile, join(dir, 'ca.pem'));
});

test('command-line overrides win over the file, the file over the defaults', (t) => {
  const dir = tempDir(t);
  const path = write(dir, 'c.yaml', 'controllers: [{url: "https://h", apiKeyEnv: K}]\nsync: {policy: upsert-only, concurrency: 8}\n');
  const env = { K: 'abcdefgh' };
  const fromFile = loadConfig({ path, env }).sync;
  assert.equal(fromFile.policy, 'upsert-only');
  assert.equal(fromFile.concurrency, 8);
  const fromFlags = loadConfig({ path, env, overrides: { policy: 'create-only', concurrency: 2 } }).sync;
  assert.equal(fromFlags.policy, 'create-only');
  assert.equal(fromFlags.concurrency, 2);
  const bare = write(dir, 'd.yaml', 'controllers: [{url: "https://h", apiKeyEnv: K}]\n');
  assert.equal(loadConfig({ path: bare, env, overrides: { concurrency: 16 } }).sync.concurrency, 16);
  assert.equal(loadConfig({ path: bare, env, overrides: {} }).sync.policy, 'sync');
});

test('bad overrides are usage errors', (t) => {
  const dir = tempDir(t);
  const path = write(dir, 'c.yaml', 'controllers: [{url: "https://h", apiKeyEnv: K}]\n');
  for (const overrides of [{ concurrency: 0 }, { concurrency: 1.5 }, { concurrency: 65 }, { policy: 'all' as never }]) {
    assert.throws(() => loadConfig({ path, env: { K: 'abcdefgh' }, overrides }), UsageError, JSON.stringify(overrides));
  }
});

test('keyFingerprint is sha256: and the first 12 hex digits of the SHA-256', () => {
  // SHA-256("abc") = ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
  assert.equal(keyFingerprint('abc'), 'sha256:ba7816bf8f01');
});

test('a key file with CRLF line ending and trailing spaces is trimmed', (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'k'), 'the-key-1234 \r\n');
  const path = write(dir, 'c.yaml', 'controllers: [{url: "https://h", apiKeyFile: k}]\n');
  assert.equal(loadConfig({ path, env: {} }).controllers[0]?.apiKey, 'the-key-1234');
});

test('YAML anchors and merge keys can share settings between controllers', (t) => {
  const dir = tempDir(t);
  const path = write(dir, 'c.yaml', `controllers:\n  - <<: {apiKeyEnv: K, tls: &tls {verify: false}}\n    url: https://a\n  - url: https://b\n    apiKeyEnv: K\n    tls: *tls\n`);
  const config = loadConfig({ path, env: { K: 'abcdefgh' } });
  assert.deepEqual(config.controllers.map((c) => [c.host, c.tls.verify, c.keySource]), [
    ['a', false, 'env'],
    ['b', false, 'env'],
  ]);
});
