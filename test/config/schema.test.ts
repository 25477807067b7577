import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { configSchema, problemOf, type RawConfig } from '../../src/config/schema.ts';
import { SYNC_POLICIES } from '../../src/domain/run.ts';
import { RECORD_TYPES } from '../../src/domain/policy.ts';
import { ORIGIN_SCOPES } from '../../src/config/types.ts';

/**
 * What the schema itself accepts and refuses, below loadConfig. Cases that loadConfig already
 * covers end to end (test/config/invalid.test.ts, load.test.ts) are not repeated here.
 */

const CONTROLLER = { url: 'https://h', apiKeyEnv: 'K' };
const withController = (extra: Record<string, unknown>) => ({ controllers: [{ ...CONTROLLER, ...extra }] });
const withSync = (sync: Record<string, unknown>) => ({ controllers: [CONTROLLER], sync });

function accept(data: unknown): RawConfig {
  const parsed = configSchema.safeParse(data);
  assert.ok(parsed.success, parsed.success ? '' : JSON.stringify(parsed.issues.map(problemOf)));
  return parsed.data;
}

/** The problems of data the schema refuses, as "path: problem". */
function problems(data: unknown): string[] {
  const parsed = configSchema.safeParse(data);
  assert.ok(!parsed.success, `expected ${JSON.stringify(data)} to be refused`);
  return parsed.issues.map(problemOf).map((p) => `${p.path.join('.')}: ${p.problem}`);
}

describe('config schema: accepts', () => {
  it('null for every optional key ("not given": defaults come later)', () => {
    const nulls = { name: null, apiKeyFile: null, apiKeyEnv: null, apiKey: null, tls: null, sites: null, excludeSites: null, recordTypes: null, clients: null };
    const sync = { recordTypes: null, domains: null, excludeDomains: null, policy: null, orphanGracePeriod: null, maxDeletePercent: null, concurrency: null, requestTimeout: null };
    const out = accept({ controllers: [{ url: 'https://h', ...nulls, tls: { verify: null, caFile: null, fingerprint: null }, clients: { enabled: null, domainSuffix: null } }], sync });
    assert.deepEqual(out.controllers[0]!.tls, { verify: null, caFile: null, fingerprint: null });
    assert.deepEqual(out.sync, sync);
    assert.equal(accept({ controllers: [{ url: 'https://h', ...nulls }], sync: null }).sync, null);
  });

  it('a controller with only a url (the key source is checked later)', () => {
    assert.deepEqual(accept({ controllers: [{ url: 'https://h' }] }).controllers, [{ url: { url: 'https://h', host: 'h' } }]);
  });

  it('and trims names, file names and site names', () => {
    const out = accept(withController({ name: '  home ', apiKeyFile: ' k.key ', tls: { caFile: ' ca.pem\t' }, sites: [' default '], excludeSites: ['lab  '] }));
    const c = out.controllers[0]!;
    assert.deepEqual([c.name, c.apiKeyFile, c.tls?.caFile, c.sites, c.excludeSites], ['home', 'k.key', 'ca.pem', ['default'], ['lab']]);
  });

  it('the bounds of each number', () => {
    const cases: Array<[Record<string, unknown>, Partial<NonNullable<RawConfig['sync']>>]> = [
      [{ concurrency: 1 }, { concurrency: 1 }],
      [{ concurrency: 64 }, { concurrency: 64 }],
      [{ maxDeletePercent: 0 }, { maxDeletePercent: 0 }],
      [{ maxDeletePercent: 100 }, { maxDeletePercent: 100 }],
      [{ orphanGracePeriod: 0 }, { orphanGracePeriod: 0 }],
      [{ orphanGracePeriod: '0' }, { orphanGracePeriod: 0 }],
      [{ orphanGracePeriod: '30d' }, { orphanGracePeriod: 30 * 86_400_000 }],
      [{ requestTimeout: '1ms' }, { requestTimeout: 1 }],
      [{ requestTimeout: '1h' }, { requestTimeout: 3_600_000 }],
      [{ requestTimeout: 3600 }, { requestTimeout: 3_600_000 }],
      [{ requestTimeout: 0.5 }, { requestTimeout: 500 }],
    ];
    for (const [sync, expected] of cases) assert.deepEqual(accept(withSync(sync)).sync, expected, JSON.stringify(sync));
  });

  it('every sync policy', () => {
    for (const policy of SYNC_POLICIES) assert.equal(accept(withSync({ policy })).sync?.policy, policy);
  });

  it('every record type dnssync syncs, in sync and per controller', () => {
    assert.deepEqual(accept(withSync({ recordTypes: [...RECORD_TYPES] })).sync?.recordTypes, RECORD_TYPES);
    assert.deepEqual(accept(withController({ recordTypes: ['SRV_RECORD'] })).controllers[0]!.recordTypes, ['SRV_RECORD']);
  });

  it('domain patterns, lowercased and without a trailing dot', () => {
    const out = accept(withSync({ domains: ['  *.Home.ARPA. ', 'host?.lan', '*'], excludeDomains: ['Tmp.Lan.'] }));
    assert.deepEqual(out.sync?.domains, ['*.home.arpa', 'host?.lan', '*']);
    assert.deepEqual(out.sync?.excludeDomains, ['tmp.lan']);
    assert.deepEqual(accept(withSync({ domains: [], excludeDomains: [] })).sync, { domains: [], excludeDomains: [] });
  });

  it('client domain suffixes with underscores, one label, or dots around them', () => {
    for (const [suffix, expected] of [['lan', 'lan'], ['_svc.home.arpa', '_svc.home.arpa'], ['.LAN.', 'lan'], ['my-site.example.com', 'my-site.example.com']]) {
      assert.equal(accept(withController({ clients: { enabled: true, domainSuffix: suffix } })).controllers[0]!.clients?.domainSuffix, expected, suffix);
    }
  });

  it('environment variable names of letters, digits and underscores, not starting with a digit', () => {
    for (const name of ['K', '_K', 'home_unifi_key', 'KEY_2']) assert.equal(accept(withController({ apiKeyEnv: name })).controllers[0]!.apiKeyEnv, name);
  });

  it('an empty excludeSites list (unlike an empty sites list)', () => {
    assert.deepEqual(accept(withController({ excludeSites: [] })).controllers[0]!.excludeSites, []);
  });

  it('the keys of SPEC §3 that tune writes and refused creates', () => {
    const out = accept({ controllers: [{ ...CONTROLLER, originScope: 'controller' }], sync: { retryRefusedAfter: '24h', writesPerSecond: 0, originScope: 'site' } });
    assert.equal(out.controllers[0]!.originScope, 'controller');
    assert.deepEqual(out.sync, { retryRefusedAfter: 86_400_000, writesPerSecond: 0, originScope: 'site' });
  });

  it('every origin scope, in sync and per controller', () => {
    for (const originScope of ORIGIN_SCOPES) {
      assert.equal(accept(withSync({ originScope })).sync?.originScope, originScope);
      assert.equal(accept(withController({ originScope })).controllers[0]!.originScope, originScope);
    }
  });
});

describe('config schema: refuses', () => {
  const cases: Array<[name: string, data: unknown, expected: string[]]> = [
    ['a top level that is no mapping: null', null, [': expected a mapping, got an empty value']],
    ['a top level that is no mapping: a list', [], [': expected a mapping, got a list']],
    ['a top level that is no mapping: a number', 3, [': expected a mapping, got a number']],
    ['an empty controller entry', { controllers: [null] }, ['controllers.0: expected a mapping, got an empty value']],
    ['a controller that is a string', { controllers: ['https://h'] }, ['controllers.0: expected a mapping, got a string']],
    ['an empty url', withController({ url: null }), ['controllers.0.url: expected a string, got an empty value']],
    ['a url that is a number', withController({ url: 10 }), ['controllers.0.url: expected a string, got a number']],
    ['NaN for a number', withSync({ concurrency: Number.NaN }), ['sync.concurrency: expected a number, got NaN']],
    ['Infinity for a number', withSync({ maxDeletePercent: Infinity }), ['sync.maxDeletePercent: expected a number, got Infinity']],
    ['a percentage with a % sign', withSync({ maxDeletePercent: '30%' }), ['sync.maxDeletePercent: expected a number, got a string']],
    ['a site name that is a number', withController({ sites: ['default', 2] }), ['controllers.0.sites.1: expected a string, got a number']],
    ['a site list that is a string', withController({ sites: 'default' }), ['controllers.0.sites: expected a list, got a string']],
    ['tls as a list', withController({ tls: [] }), ['controllers.0.tls: expected a mapping, got a list']],
    ['clients.enabled as a string', withController({ clients: { enabled: 'yes' } }), ['controllers.0.clients.enabled: expected true or false, got a string']],
    ['an unknown key under clients', withController({ clients: { enabled: false, suffix: 'lan' } }), ['controllers.0.clients.suffix: unknown key']],
    ['two unknown keys: the first is named', withController({ clients: { suffix: 'lan', on: true } }), ['controllers.0.clients.suffix: unknown key']],
    ['an empty name', withController({ name: '' }), ['controllers.0.name: empty name']],
    ['a blank name', withController({ name: '   ' }), ['controllers.0.name: empty name']],
    ['an empty key file name', withController({ apiKeyFile: '' }), ['controllers.0.apiKeyFile: empty file name']],
    ['a blank CA file name', withController({ tls: { caFile: ' ' } }), ['controllers.0.tls.caFile: empty file name']],
    ['a variable name starting with a digit', withController({ apiKeyEnv: '1KEY' }), ['controllers.0.apiKeyEnv: not an environment variable name']],
    ['a variable name with a dash', withController({ apiKeyEnv: 'HOME-KEY' }), ['controllers.0.apiKeyEnv: not an environment variable name']],
    ['an empty variable name', withController({ apiKeyEnv: '' }), ['controllers.0.apiKeyEnv: not an environment variable name']],
    ['a request timeout over 1h', withSync({ requestTimeout: 3601 }), ['sync.requestTimeout: must be more than 0 and at most 1h']],
    ['a request timeout of 1h and 1ms', withSync({ requestTimeout: '1h1ms' }), ['sync.requestTimeout: must be more than 0 and at most 1h']],
    ['an empty duration', withSync({ orphanGracePeriod: '' }), ['sync.orphanGracePeriod: empty duration; expected e.g. 30s, 15m, 1h30m, 2d']],
    ['a negative duration', withSync({ orphanGracePeriod: -60 }), ['sync.orphanGracePeriod: not a duration: -60; expected a non-negative number of seconds']],
    ['a policy in upper case', withSync({ policy: 'SYNC' }), ['sync.policy: must be one of sync, upsert-only, create-only']],
    ['an origin scope that is neither site nor controller', withSync({ originScope: 'console' }), ['sync.originScope: must be one of site, controller']],
    ['a per-controller origin scope in upper case', withController({ originScope: 'Controller' }), ['controllers.0.originScope: must be one of site, controller']],
    ['an origin scope as a list', withSync({ originScope: ['site'] }), ['sync.originScope: must be one of site, controller']],
    ['a record type in lower case', withSync({ recordTypes: ['a_record'] }), [`sync.recordTypes.0: unknown record type "a_record"; expected one of ${RECORD_TYPES.join(', ')}`]],
    ['an empty per-controller record type list', withController({ recordTypes: [] }), ['controllers.0.recordTypes: empty list; give at least one record type']],
    ['an empty domain pattern', withSync({ domains: ['*.lan', ''] }), ['sync.domains.1: not a domain pattern; expected e.g. *.home.arpa']],
    ['a domain pattern with a space', withSync({ excludeDomains: ['a b.lan'] }), ['sync.excludeDomains.0: not a domain pattern; expected e.g. *.home.arpa']],
    ['a domain suffix with an empty label', withController({ clients: { domainSuffix: 'home..arpa' } }), ['controllers.0.clients.domainSuffix: not a domain name; expected e.g. home.arpa']],
    ['a domain suffix of only a dot', withController({ clients: { domainSuffix: '.' } }), ['controllers.0.clients.domainSuffix: not a domain name; expected e.g. home.arpa']],
    ['a domain suffix with a glob', withController({ clients: { domainSuffix: '*.lan' } }), ['controllers.0.clients.domainSuffix: not a domain name; expected e.g. home.arpa']],
    [
      'several problems: one each, in order',
      { controllers: [{ url: 'ftp://h', name: '' }], sync: { concurrency: 0, policy: 'all' } },
      ['controllers.0.name: empty name', 'controllers.0.url: scheme must be https or http, not ftp', 'sync.policy: must be one of sync, upsert-only, create-only', 'sync.concurrency: must be an integer from 1 to 64'],
    ],
  ];
  for (const [name, data, expected] of cases) {
    it(name, () => {
      assert.deepEqual(problems(data), expected);
    });
  }

  it('never quotes the offending value in a problem of its own wording', () => {
    const secret = 'hunter2-Zq7x';
    for (const data of [withSync({ policy: secret }), withController({ tls: { verify: secret } }), withController({ tls: secret }), withSync({ concurrency: secret })]) {
      for (const problem of problems(data)) assert.ok(!problem.includes(secret), problem);
    }
  });
});
