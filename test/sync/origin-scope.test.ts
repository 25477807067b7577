import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DnsPolicyBody } from '../../src/domain/policy.ts';
import type { SiteStatus } from '../../src/domain/state.ts';
import { bodyOf, NOT_WANTED } from '../../src/planner/plan.ts';
import { A, actions, at, known, minutesAgo, rec, run, site, snap, type RunResult } from './builders.ts';

/** Two consoles, three sites each; `home` is the one whose sites are tenants in most cases. */
const HOME = 'home:443';
const CABIN = 'cabin:443';
const SITES = [site(1, 'home-1', HOME), site(2, 'home-2', HOME), site(3, 'home-3', HOME), site(4, 'cabin-1', CABIN), site(5, 'cabin-2', CABIN), site(6, 'cabin-3', CABIN)];
const web = A('web.lan', '10.0.0.5');
const byName = (name: string) => SITES.find((s) => s.name === name)!;

interface World {
  /** Sites where the record is native (its origins, known from earlier runs). */
  natives: string[];
  /** Sites where dnssync holds a replica of it. */
  replicas?: string[];
  /** Controllers with originScope `controller`. */
  scoped?: string[];
  failed?: string[];
  records?: DnsPolicyBody[];
  options?: Parameters<typeof run>[2];
}

/** One sync of the two consoles, each site listing exactly what the world says it holds. */
function sync(w: World): RunResult {
  const records = w.records ?? [web];
  const replicas = w.replicas ?? [];
  const state = known({
    sites: SITES,
    origins: w.natives.flatMap((name) => records.map((body): [DnsPolicyBody, number] => [body, byName(name).key])),
    replicas: replicas.flatMap((name) => records.map((body): [DnsPolicyBody, number, string] => [body, byName(name).key, `r-${name}-${rec(body).domain}`])),
  });
  const snapshots = SITES.map((s) => {
    const policies: Array<[string, DnsPolicyBody]> = [];
    for (const body of records) {
      if (w.natives.includes(s.name)) policies.push([`native-${s.key}-${rec(body).domain}`, body]);
      if (replicas.includes(s.name)) policies.push([`r-${s.name}-${rec(body).domain}`, body]);
    }
    const status: SiteStatus = w.failed?.includes(s.name) ? 'failed' : 'discovered';
    return snap(s, status === 'failed' ? [] : policies, { status });
  });
  return run(snapshots, state, { controllerScoped: new Set(w.scoped ?? []), ...w.options });
}

const creates = (...names: string[]) => names.map((n) => `${n} create A_RECORD web.lan 10.0.0.5`);
const deletes = (reason: string, ...names: string[]) => names.map((n) => `${n} delete A_RECORD web.lan 10.0.0.5 (${reason})`);

describe('planner: originScope — where a record is written', () => {
  const cases: Array<[name: string, world: World, expected: string[]]> = [
    ['site scope (the default): every site but the origin', { natives: ['home-1'] }, creates('home-2', 'home-3', 'cabin-1', 'cabin-2', 'cabin-3')],
    ['controller scope: no site of the origin console, every site of the other', { natives: ['home-1'], scoped: [HOME] }, creates('cabin-1', 'cabin-2', 'cabin-3')],
    ['controller scope, origins at two sites of one console', { natives: ['home-1', 'home-3'], scoped: [HOME] }, creates('cabin-1', 'cabin-2', 'cabin-3')],
    ['site scope, origins at two sites of one console', { natives: ['home-1', 'home-3'] }, creates('home-2', 'cabin-1', 'cabin-2', 'cabin-3')],
    ['the other console scoped: it does not matter where the record does not originate', { natives: ['home-1'], scoped: [CABIN] }, creates('home-2', 'home-3', 'cabin-1', 'cabin-2', 'cabin-3')],
    ['origins on both consoles, one scoped: the scoped one gets nothing', { natives: ['home-1', 'cabin-1'], scoped: [HOME] }, creates('cabin-2', 'cabin-3')],
    ['origins on both consoles, both scoped: nobody gets it', { natives: ['home-1', 'cabin-1'], scoped: [HOME, CABIN] }, []],
    ['an origin at a site that failed this run still keeps the record off its console', { natives: ['home-1'], scoped: [HOME], failed: ['home-1'] }, creates('cabin-1', 'cabin-2', 'cabin-3')],
    ['in step under controller scope: nothing to do', { natives: ['home-1'], replicas: ['cabin-1', 'cabin-2', 'cabin-3'], scoped: [HOME] }, []],
  ];
  for (const [name, world, expected] of cases) {
    it(name, () => assert.deepEqual(actions(sync(world)), expected));
  }
});

describe('planner: originScope — switching the setting', () => {
  const everywhere = ['home-2', 'home-3', 'cabin-1', 'cabin-2', 'cabin-3'];
  const cases: Array<[name: string, world: World, expected: string[]]> = [
    ['to controller: the replicas on the origin console go, with the reason', { natives: ['home-1'], replicas: everywhere, scoped: [HOME] }, deletes(NOT_WANTED.sameController, 'home-2', 'home-3')],
    ['to controller with origins at two sites: the third site loses its replica', { natives: ['home-1', 'home-2'], replicas: ['home-3', 'cabin-1', 'cabin-2', 'cabin-3'], scoped: [HOME] }, deletes(NOT_WANTED.sameController, 'home-3')],
    ['back to site: the origin console is filled in', { natives: ['home-1'], replicas: ['cabin-1', 'cabin-2', 'cabin-3'] }, creates('home-2', 'home-3')],
    ['to controller, not an orphan: no grace period', { natives: ['home-1'], replicas: everywhere, scoped: [HOME], options: { orphanGracePeriodMs: 86_400_000 } }, deletes(NOT_WANTED.sameController, 'home-2', 'home-3')],
    ['to controller under upsert-only: nothing deleted', { natives: ['home-1'], replicas: everywhere, scoped: [HOME], options: { policy: 'upsert-only' } }, []],
  ];
  for (const [name, world, expected] of cases) {
    it(name, () => assert.deepEqual(actions(sync(world)), expected));
  }

  it('a site that made the record native itself is told so, not the controller reason', () => {
    const r = sync({ natives: ['home-1', 'home-2'], replicas: ['home-2', 'home-3'], scoped: [HOME] });
    assert.deepEqual(actions(r), [...deletes(NOT_WANTED.native, 'home-2'), ...deletes(NOT_WANTED.sameController, 'home-3'), ...creates('cabin-1', 'cabin-2', 'cabin-3')]);
  });

  it('the delete limit counts these deletes: 10 of 10 replicas at a site is refused', () => {
    const records = Array.from({ length: 10 }, (_, i) => A(`h${i}.lan`, `10.0.1.${i}`));
    const r = sync({ natives: ['home-1'], replicas: ['home-2', 'home-3', 'cabin-1'], scoped: [HOME], records });
    assert.deepEqual(r.plan.refusals.map((x) => [x.site.name, x.limit, x.count, x.of]), [['home-2', 'deletes', 10, 10], ['home-3', 'deletes', 10, 10]]);
    assert.deepEqual(at(r, 'cabin-1'), []);
  });

  it('a remembered refusal at a site the scope now keeps the record off is forgotten', () => {
    const state = known({ sites: SITES, origins: [[web, 1]], refusals: [[web, 2, 'api.dns.policy.validation.overlap-with-local-dns', minutesAgo(1)]] });
    const r = run(SITES.map((s) => snap(s, s.key === 1 ? [['native-1-web.lan', web]] : [])), state, { controllerScoped: new Set([HOME]) });
    assert.deepEqual(r.plan.staleRefusals, [{ siteKey: 2, recordId: rec(web).id }]);
  });

  it('attributes still come from the oldest origin, even one on a console that does not get the record', () => {
    const old = A('web.lan', '10.0.0.5', { ttlSeconds: 300 });
    const young = A('web.lan', '10.0.0.5', { ttlSeconds: 60 });
    const state = known({ sites: SITES, origins: [[old, 1, minutesAgo(50)], [young, 4, minutesAgo(5)]] });
    const r = run(SITES.map((s) => snap(s, s.key === 1 ? [['native-1-web.lan', old]] : s.key === 4 ? [['native-4-web.lan', young]] : [])), state, { controllerScoped: new Set([HOME]) });
    assert.deepEqual(actions(r), creates('cabin-2', 'cabin-3'));
    assert.equal(bodyOf(at(r, 'cabin-2')[0]!).ttlSeconds, 300);
  });
});
