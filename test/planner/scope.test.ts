import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OriginScope } from '../../src/config/types.ts';
import { controllerScoped, keptOffByController } from '../../src/planner/scope.ts';
import type { KnownOrigin } from '../../src/domain/state.ts';
import { site } from '../sync/builders.ts';

describe('controllerScoped: originScope per controller, sync.originScope by default', () => {
  // [sync.originScope, each controller's own (undefined: not set), the hosts scoped to their controller]
  const cases: Array<[name: string, sync: OriginScope, own: Array<OriginScope | undefined>, scoped: string[]]> = [
    ['the default: none', 'site', [undefined, undefined], []],
    ['sync: controller reaches every controller without its own', 'controller', [undefined, undefined], ['a:443', 'b:443']],
    ["a controller's own wins over sync: site", 'site', ['controller', undefined], ['a:443']],
    ["a controller's own wins over sync: controller", 'controller', ['site', undefined], ['b:443']],
    ['both set their own', 'site', ['site', 'controller'], ['b:443']],
  ];
  for (const [name, sync, own, scoped] of cases) {
    it(name, () => {
      const controllers = own.map((originScope, i) => ({ host: `${'ab'[i]}:443`, ...(originScope && { originScope }) }));
      assert.deepEqual([...controllerScoped({ controllers, sync: { originScope: sync } })], scoped);
    });
  }
});

describe('keptOffByController: the records each scoped controller keeps off its sites', () => {
  const origin: KnownOrigin = { firstSeen: '2026-11-22T00:00:00.000Z', policyId: 'p', attributes: { enabled: true, ttlSeconds: 0 } };
  const sites = new Map([site(1, 'a-1', 'a:443'), site(2, 'a-2', 'a:443'), site(3, 'b-1', 'b:443')].map((s) => [s.key, s]));
  // recordId → the sites it originates at; site 9 is unknown to the database.
  const origins = new Map(Object.entries({ one: [1], two: [2, 3], three: [3], lost: [9] }).map(([id, keys]) => [id, new Map(keys.map((k) => [k, origin]))]));
  const asLists = (m: Map<string, Set<string>>) => Object.fromEntries([...m].map(([host, ids]) => [host, [...ids].sort()]));

  it('lists, per scoped controller, every record with an origin at any of its sites', () => {
    assert.deepEqual(asLists(keptOffByController(origins, sites, new Set(['a:443']))), { 'a:443': ['one', 'two'] });
    assert.deepEqual(asLists(keptOffByController(origins, sites, new Set(['a:443', 'b:443']))), { 'a:443': ['one', 'two'], 'b:443': ['three', 'two'] });
  });

  it('is empty with no scoped controller, or one where nothing originates', () => {
    assert.equal(keptOffByController(origins, sites, new Set()).size, 0);
    assert.equal(keptOffByController(origins, sites, new Set(['c:443'])).size, 0);
  });
});
