import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RecordType, Site } from '../../src/domain/policy.ts';
import { globToRegExp, recordFilter, siteSelector } from '../../src/planner/filters.ts';
import { A, AAAA, CNAME, rec } from '../sync/builders.ts';

const main: Site = { id: '88f7af54-98f8-306a-a1c7-c9349722b1f6', internalReference: 'default', name: 'Main Office' };
const branch: Site = { id: 'a1b2c3d4-0000-4000-8000-000000000002', internalReference: 'x7k2p9', name: 'Branch' };

describe('siteSelector: sites include list and excludeSites', () => {
  // [sites, excludeSites, main selected?, branch selected?]
  const cases: Array<[name: string, sites: string[] | null, exclude: string[], main: boolean, branch: boolean]> = [
    ['no include list: every site', null, [], true, true],
    ['by internalReference', ['default'], [], true, false],
    ['by name', ['Main Office'], [], true, false],
    ['by uuid', [branch.id], [], false, true],
    ['by internalReference, other case', ['DEFAULT'], [], true, false],
    ['by name, other case', ['main office', 'BRANCH'], [], true, true],
    ['by uuid, upper case', [main.id.toUpperCase()], [], true, false],
    ['a name that matches no site', ['lab'], [], false, false],
    ['no partial match', ['Main', 'default*', 'x7k2'], [], false, false],
    ['an empty include list selects nothing (unlike no list)', [], [], false, false],
    ['exclude by internalReference', null, ['default'], false, true],
    ['exclude by name, other case', null, ['BRANCH'], true, false],
    ['exclude by uuid', null, [main.id], false, true],
    ['exclude wins over include', ['default', 'Branch'], ['Main Office'], false, true],
    ['exclude wins over include, matched by different keys', ['x7k2p9'], [branch.id.toUpperCase()], false, false],
    ['exclude a site that is not there', null, ['lab'], true, true],
  ];
  for (const [name, sites, excludeSites, mainSelected, branchSelected] of cases) {
    it(name, () => {
      const selected = siteSelector({ sites, excludeSites });
      assert.deepEqual([selected(main), selected(branch)], [mainSelected, branchSelected]);
    });
  }

  it("matches each of a site's three keys: a site named like another's internalReference is selected too", () => {
    const twin: Site = { id: 'c0ffee00-0000-4000-8000-000000000003', internalReference: 'lab', name: 'default' };
    const selected = siteSelector({ sites: ['default'], excludeSites: [] });
    assert.deepEqual([selected(main), selected(branch), selected(twin)], [true, false, true]);
  });
});

describe('globToRegExp', () => {
  // [glob, domain (canonical: lowercase, no trailing dot), matches?]
  const cases: Array<[glob: string, domain: string, matches: boolean]> = [
    ['web.lan', 'web.lan', true],
    ['web.lan', 'www.lan', false],
    ['web.lan', 'web.lan.example', false],
    ['web.lan', 'x.web.lan', false],
    // `*` spans dots, and may be empty.
    ['*.home.arpa', 'nas.home.arpa', true],
    ['*.home.arpa', 'a.b.c.home.arpa', true],
    ['*.home.arpa', 'home.arpa', false],
    ['*.home.arpa', 'nas.home.arpa.evil', false],
    ['*home.arpa', 'home.arpa', true],
    ['*', 'anything.at.all', true],
    ['nas*', 'nas', true],
    ['nas*', 'nas.home.arpa', true],
    ['a*b*c', 'a.x.b.y.c', true],
    ['a*b*c', 'a.x.c.y.b', false],
    // `?` is exactly one character, a dot included.
    ['host?.lan', 'host1.lan', true],
    ['host?.lan', 'host.lan', false],
    ['host?.lan', 'host12.lan', false],
    ['a?b', 'a.b', true],
    ['??', 'ab', true],
    ['??', 'a', false],
    // Case-insensitive: the glob is lowercased to match canonical domains.
    ['*.HOME.Arpa', 'nas.home.arpa', true],
    ['NAS.LAN', 'nas.lan', true],
    // Regular-expression metacharacters are literal.
    ['a.b', 'axb', false],
    ['a+b.lan', 'a+b.lan', true],
    ['a+b.lan', 'aab.lan', false],
    ['(x)|y', '(x)|y', true],
    ['(x)|y', 'x', false],
    ['(x)|y', 'y', false],
    ['[ab].lan', '[ab].lan', true],
    ['[ab].lan', 'a.lan', false],
    ['^web$', '^web$', true],
    ['^web$', 'web', false],
    ['x{2}', 'x{2}', true],
    ['x{2}', 'xx', false],
    ['a\\d', 'a\\d', true],
    ['a\\d', 'a1', false],
    ['münchen.lan', 'münchen.lan', true],
  ];
  for (const [glob, domain, matches] of cases) {
    it(`${glob} ${matches ? 'matches' : 'does not match'} ${domain}`, () => {
      assert.equal(globToRegExp(glob).test(domain), matches);
    });
  }
});

describe('recordFilter', () => {
  const TYPES: RecordType[] = ['A_RECORD', 'AAAA_RECORD', 'CNAME_RECORD'];
  const nas = rec(A('nas.home.arpa', '10.0.0.2'));
  const tmp = rec(A('tmp.home.arpa', '10.0.0.3'));
  const web = rec(A('web.lan', '10.0.0.4'));
  const alias = rec(CNAME('www.home.arpa', 'nas.home.arpa'));
  const v6 = rec(AAAA('nas.home.arpa', '2001:db8::2'));
  const all = { nas, tmp, web, alias, v6 };

  // [include globs, exclude globs, types, names of the records that pass]
  const cases: Array<[name: string, domains: string[], excludeDomains: string[], types: RecordType[], pass: string[]]> = [
    ['no filters: every record of the synced types', [], [], TYPES, ['nas', 'tmp', 'web', 'alias', 'v6']],
    ['include glob', ['*.home.arpa'], [], TYPES, ['nas', 'tmp', 'alias', 'v6']],
    ['several include globs: any one', ['web.lan', 'tmp.*'], [], TYPES, ['tmp', 'web']],
    ['exclude only', [], ['tmp.home.arpa'], TYPES, ['nas', 'web', 'alias', 'v6']],
    ['exclude wins over include', ['*.home.arpa'], ['tmp.home.arpa', 'w*'], TYPES, ['nas', 'v6']],
    ['exclude everything', ['*'], ['*'], TYPES, []],
    ['include upper-case glob', ['*.HOME.ARPA'], [], TYPES, ['nas', 'tmp', 'alias', 'v6']],
    ['types: A only', [], [], ['A_RECORD'], ['nas', 'tmp', 'web']],
    ['types: CNAME only, with a domain filter', ['*.home.arpa'], [], ['CNAME_RECORD'], ['alias']],
    ['types: none', [], [], [], []],
    ['types: ones no record has', [], [], ['MX_RECORD', 'TXT_RECORD'], []],
  ];
  for (const [name, domains, excludeDomains, types, pass] of cases) {
    it(name, () => {
      const passes = recordFilter({ domains, excludeDomains });
      const passed = Object.entries(all).filter(([, record]) => passes(record, types)).map(([n]) => n);
      assert.deepEqual(passed, pass);
    });
  }

  it('checks the type on every call, though it remembers each domain', () => {
    const passes = recordFilter({ domains: ['*.home.arpa'], excludeDomains: [] });
    assert.equal(passes(nas, ['A_RECORD']), true);
    assert.equal(passes(nas, ['AAAA_RECORD']), false);
    assert.equal(passes(v6, ['AAAA_RECORD']), true);
    assert.equal(passes(nas, ['A_RECORD']), true);
    assert.equal(passes(web, ['A_RECORD']), false);
    assert.equal(passes(web, ['A_RECORD']), false);
  });

  it('keeps filters apart: two filters do not share what they remember', () => {
    const onlyLan = recordFilter({ domains: ['*.lan'], excludeDomains: [] });
    const noLan = recordFilter({ domains: [], excludeDomains: ['*.lan'] });
    assert.equal(onlyLan(web, TYPES), true);
    assert.equal(noLan(web, TYPES), false);
    assert.equal(onlyLan(web, TYPES), true);
  });
});
