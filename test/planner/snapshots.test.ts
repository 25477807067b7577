import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../../src/domain/errors.ts';
import type { RecordType } from '../../src/domain/policy.ts';
import { attributesOf } from '../../src/domain/record.ts';
import type { SiteContent } from '../../src/planner/content.ts';
import { snapshotsOf, type ControllerSites } from '../../src/planner/snapshots.ts';
import { A, rec } from '../sync/builders.ts';

const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
type Listed = ControllerSites['listed'][number];

const listed = (key: number, name: string, status: Listed['status'], extra: Partial<Listed> = {}): Listed => ({
  key,
  uuid: uuid(key),
  name,
  internalReference: `ref-${name.toLowerCase()}`,
  status,
  ...extra,
});

const body = A('web.lan', '10.0.0.5', { ttlSeconds: 60 });
const content: SiteContent = {
  policies: [{ policyId: 'p1', record: rec(body), attributes: attributesOf(body) }],
  otherDomains: new Set(['fwd.lan', 'gw.lan']),
  served: new Map([[rec(A('gw.lan', '10.0.0.1')).id, 'SYSTEM_DEFINED']]),
  derived: [{ record: rec(A('laptop.home.arpa', '10.0.0.9')), attributes: { enabled: true, ttlSeconds: 0 } }],
};

const TYPES: RecordType[] = ['A_RECORD', 'CNAME_RECORD'];

/** Two controllers: c1 answered (one site of each status, one site it no longer lists), c2 could not be read. */
function controllers(): ControllerSites[] {
  return [
    {
      host: 'c1.lan',
      name: 'home',
      status: 'ok',
      recordTypes: TYPES,
      listed: [
        listed(1, 'Alpha', 'discovered', { content }),
        listed(2, 'Beta', 'failed', { error: 'HTTP 500 on /dns/policies' }),
        listed(3, 'Gamma', 'excluded'),
        listed(4, 'Delta', 'discovered', { content: { policies: [], otherDomains: new Set(), served: new Map(), derived: [] } }),
      ],
      unlisted: [{ key: 5, uuid: uuid(5), name: 'Epsilon' }],
    },
    {
      host: 'c2.lan:8443',
      name: 'office',
      status: 'failed',
      error: 'connect ECONNREFUSED',
      recordTypes: ['A_RECORD'],
      listed: [],
      unlisted: [
        { key: 6, uuid: uuid(6), name: 'Zeta' },
        { key: 7, uuid: uuid(7), name: uuid(7) },
      ],
    },
  ];
}

/** "key status writable error" per entry, compact. */
const summary = (entries: ReturnType<typeof snapshotsOf>) =>
  entries.map((e) => `${e.site.key} ${e.status} ${e.snapshot.writable ? 'writable' : 'read-only'}${e.error ? ` (${e.error})` : ''}`);

describe('snapshotsOf: one entry per site', () => {
  it('keeps listed sites as discovery found them, and marks unlisted ones gone or failed with their controller', () => {
    assert.deepEqual(summary(snapshotsOf(controllers(), [])), [
      '1 discovered writable',
      '2 failed read-only (HTTP 500 on /dns/policies)',
      '3 excluded read-only',
      '4 discovered writable',
      '5 gone read-only',
      '6 failed read-only (connect ECONNREFUSED)',
      '7 failed read-only (connect ECONNREFUSED)',
    ]);
  });

  it('gives each entry the same status in the entry and its snapshot', () => {
    for (const e of snapshotsOf(controllers(), [])) {
      assert.equal(e.snapshot.status, e.status);
      assert.equal(e.snapshot.site, e.site);
    }
  });

  it('names each site with its controller; an unlisted site by the name the database knows (its uuid when none)', () => {
    const entries = snapshotsOf(controllers(), []);
    assert.deepEqual(entries[0]!.site, { key: 1, controller: 'c1.lan', controllerName: 'home', uuid: uuid(1), name: 'Alpha', internalReference: 'ref-alpha' });
    assert.deepEqual(entries[4]!.site, { key: 5, controller: 'c1.lan', controllerName: 'home', uuid: uuid(5), name: 'Epsilon', internalReference: '' });
    assert.deepEqual(entries[6]!.site, { key: 7, controller: 'c2.lan:8443', controllerName: 'office', uuid: uuid(7), name: uuid(7), internalReference: '' });
  });

  it("carries the site's content, and empty content where there is none", () => {
    const entries = snapshotsOf(controllers(), []);
    const alpha = entries[0]!.snapshot;
    assert.equal(alpha.policies, content.policies);
    assert.equal(alpha.otherDomains, content.otherDomains);
    assert.equal(alpha.served, content.served);
    assert.equal(alpha.derived, content.derived);
    for (const e of entries.slice(1)) {
      assert.deepEqual(e.snapshot.policies, [], `${e.site.key}`);
      assert.deepEqual([...e.snapshot.otherDomains], [], `${e.site.key}`);
      assert.deepEqual([...e.snapshot.served], [], `${e.site.key}`);
      assert.deepEqual(e.snapshot.derived, [], `${e.site.key}`);
    }
  });

  it("gives each site its controller's record types", () => {
    assert.deepEqual(
      snapshotsOf(controllers(), []).map((e) => [e.site.key, e.snapshot.recordTypes]),
      [[1, TYPES], [2, TYPES], [3, TYPES], [4, TYPES], [5, TYPES], [6, ['A_RECORD']], [7, ['A_RECORD']]],
    );
  });

  it('leaves the error out of an entry that has none', () => {
    const entries = snapshotsOf(controllers(), []);
    assert.equal('error' in entries[0]!, false);
    assert.equal('error' in entries[4]!, false);
  });

  it('gives nothing for no controllers, or a controller with no sites', () => {
    assert.deepEqual(snapshotsOf([], []), []);
    assert.deepEqual(snapshotsOf([{ host: 'h', name: 'h', status: 'ok', recordTypes: TYPES, listed: [], unlisted: [] }], []), []);
  });
});

describe('snapshotsOf: --site restricts the writable sites', () => {
  // [--site values, keys writable]
  const cases: Array<[name: string, chosen: string[], writable: number[]]> = [
    ['none given: every discovered site', [], [1, 4]],
    ['by name', ['Alpha'], [1]],
    ['by name, other case', ['DELTA'], [4]],
    ['by uuid', [uuid(4)], [4]],
    ['by uuid, upper case', [uuid(1).toUpperCase()], [1]],
    ['by internalReference', ['ref-alpha'], [1]],
    ['by internalReference, other case', ['REF-DELTA'], [4]],
    ['several', ['alpha', 'ref-delta'], [1, 4]],
    ['the same site twice', ['Alpha', 'alpha', uuid(1)], [1]],
    ['a failed site is chosen but not written to', ['Beta'], []],
    ['an excluded site is chosen but not written to', ['gamma'], []],
    ['a gone site, by its uuid, is chosen but not written to', [uuid(5)], []],
    ['a site of a failed controller, by its uuid', [uuid(6), 'Alpha'], [1]],
  ];
  for (const [name, chosen, writable] of cases) {
    it(name, () => {
      const entries = snapshotsOf(controllers(), chosen);
      assert.deepEqual(entries.filter((e) => e.snapshot.writable).map((e) => e.site.key), writable);
      // --site changes only writability, never a status.
      assert.deepEqual(entries.map((e) => e.status), ['discovered', 'failed', 'excluded', 'discovered', 'gone', 'failed', 'failed']);
    });
  }

  /** c2 answered too, with a site named like one of c1's. */
  const twoAlphas = () => {
    const both = controllers();
    both[1] = { ...both[1]!, status: 'ok', listed: [listed(8, 'Alpha', 'discovered')], unlisted: [] };
    return both;
  };
  const writableOf = (entries: ReturnType<typeof snapshotsOf>) => entries.filter((e) => e.snapshot.writable).map((e) => `${e.site.controller} ${e.site.key}`);

  it('refuses a bare name that matches sites on several controllers, listing them as controller/site', () => {
    for (const chosen of [['alpha'], ['Delta', 'ALPHA']]) {
      assert.throws(() => snapshotsOf(twoAlphas(), chosen), (e: unknown) => {
        assert.ok(e instanceof UsageError, String(e));
        const wanted = chosen.at(-1)!;
        assert.equal(e.message, `--site ${wanted} matches sites on several controllers: home/Alpha, office/Alpha; name one as CONTROLLER/SITE`);
        return true;
      });
    }
  });

  it('takes CONTROLLER/SITE, the controller by name or host, any case, the site by name, internalReference or uuid', () => {
    assert.deepEqual(writableOf(snapshotsOf(twoAlphas(), ['office/alpha'])), ['c2.lan:8443 8']);
    assert.deepEqual(writableOf(snapshotsOf(twoAlphas(), ['HOME/Alpha'])), ['c1.lan 1']);
    assert.deepEqual(writableOf(snapshotsOf(twoAlphas(), ['c1.lan/ref-alpha', `c2.lan:8443/${uuid(8)}`])), ['c1.lan 1', 'c2.lan:8443 8']);
    assert.deepEqual(writableOf(snapshotsOf(twoAlphas(), ['home/Delta'])), ['c1.lan 4']);
  });

  it('refuses CONTROLLER/SITE when that controller has no such site', () => {
    assert.throws(() => snapshotsOf(twoAlphas(), ['office/delta']), /^UsageError: --site office\/delta: no such site on any controller$/);
    assert.throws(() => snapshotsOf(twoAlphas(), ['nowhere/alpha']), UsageError);
  });

  it('finds a site whose own name has a slash by that name first', () => {
    const slashed = controllers();
    slashed[0]!.listed[0] = listed(1, 'home/Delta', 'discovered', { content });
    assert.deepEqual(writableOf(snapshotsOf(slashed, ['home/delta'])), ['c1.lan 1']);
  });

  // [--site values, names the message must give]
  const unknown: Array<[chosen: string[], named: RegExp]> = [
    [['Nowhere'], /^--site nowhere: no such site on any controller$/i],
    [['Alpha', 'ghost'], /^--site ghost: /],
    [['ghost', 'phantom'], /^--site ghost, phantom: /],
    [['Alp'], /^--site alp: /],
  ];
  for (const [chosen, named] of unknown) {
    it(`refuses ${JSON.stringify(chosen)} with a UsageError naming what matches no site`, () => {
      assert.throws(() => snapshotsOf(controllers(), chosen), (e: unknown) => {
        assert.ok(e instanceof UsageError, String(e));
        assert.match(e.message, named);
        assert.ok(!e.message.includes('\n'));
        return true;
      });
    });
  }

  it('refuses a --site given when there is no site at all', () => {
    assert.throws(() => snapshotsOf([], ['alpha']), UsageError);
  });
});
