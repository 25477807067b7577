import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { absenceClaims } from '../../src/planner/absence.ts';
import { bodyOf } from '../../src/planner/plan.ts';
import { A, AAAA, actions, at, changes, CNAME, known, minutesAgo, rec, run, site, snap } from './builders.ts';

const s1 = site(1, 'alpha');
const s2 = site(2, 'beta');
const s3 = site(3, 'gamma', 'c2:443');
const sites = [s1, s2, s3];
const web = A('web.lan', '10.0.0.5');

describe('planner: propagation', () => {
  it('creates a native record at every other site, with its attributes, and records the new origin', () => {
    const r = run([snap(s1, [['p1', A('Web.LAN.', '10.0.0.5', { ttlSeconds: 300 })]]), snap(s2, []), snap(s3, [])], known({ sites }));
    assert.deepEqual(actions(r), ['beta create A_RECORD web.lan 10.0.0.5', 'gamma create A_RECORD web.lan 10.0.0.5']);
    const create = at(r, 'beta')[0]!;
    assert.deepEqual(bodyOf(create), { type: 'A_RECORD', domain: 'web.lan', ipv4Address: '10.0.0.5', enabled: true, ttlSeconds: 300 });
    assert.deepEqual(changes(r), ['record.add web.lan 10.0.0.5', 'origin.add web.lan 10.0.0.5 @1']);
    // One body a record, whichever site sends it; other attributes, another body.
    assert.equal(bodyOf(at(r, 'gamma')[0]!), bodyOf(create));
    const disabled = bodyOf({ ...create, attributes: { ...create.attributes!, enabled: false } });
    assert.equal(disabled.enabled, false);
    assert.notEqual(disabled, bodyOf(create));
  });

  it('does nothing, and records nothing, once every site has it', () => {
    const state = known({ sites, origins: [[web, 1]], replicas: [[web, 2, 'r2'], [web, 3, 'r3']] });
    const r = run([snap(s1, [['native-1-web.lan', web]]), snap(s2, [['r2', web]]), snap(s3, [['r3', web]])], state);
    assert.deepEqual(actions(r), []);
    assert.deepEqual(changes(r), []);
  });

  it('lets replicas follow their origin, enabled flag included', () => {
    const state = known({ sites, origins: [[web, 1]], replicas: [[web, 2, 'r2']] });
    const disabled = A('web.lan', '10.0.0.5', { enabled: false });
    const r = run([snap(s1, [['native-1-web.lan', disabled]]), snap(s2, [['r2', web]])], state);
    assert.deepEqual(actions(r), ['beta update A_RECORD web.lan 10.0.0.5']);
    assert.equal(bodyOf(at(r, 'beta')[0]!).enabled, false);
    assert.equal(at(r, 'beta')[0]!.policyId, 'r2');
    assert.deepEqual(changes(r), ['origin.update web.lan 10.0.0.5 @1']);
  });

  it('takes attributes from the oldest origin when origins disagree', () => {
    const old = A('web.lan', '10.0.0.5', { ttlSeconds: 300 });
    const young = A('web.lan', '10.0.0.5', { ttlSeconds: 60 });
    const state = known({ sites, origins: [[young, 3, minutesAgo(5)], [old, 1, minutesAgo(50)]] });
    const r = run([snap(s1, [['native-1-web.lan', old]]), snap(s2, []), snap(s3, [['native-3-web.lan', young]])], state);
    assert.deepEqual(actions(r), ['beta create A_RECORD web.lan 10.0.0.5']);
    assert.equal(bodyOf(at(r, 'beta')[0]!).ttlSeconds, 300);
  });

  it('never updates or deletes a native policy, whatever it holds', () => {
    const state = known({ sites, origins: [[A('web.lan', '10.0.0.5', { ttlSeconds: 1 }), 1, minutesAgo(60)]] });
    // beta has the same record natively with other attributes, plus a record nobody else has.
    const r = run(
      [snap(s1, [['native-1-web.lan', A('web.lan', '10.0.0.5', { ttlSeconds: 1 })]]), snap(s2, [['n2', A('web.lan', '10.0.0.5', { ttlSeconds: 9 })], ['n3', A('own.lan', '10.9.9.9')]])],
      state,
    );
    assert.deepEqual(actions(r), ['alpha create A_RECORD own.lan 10.9.9.9']);
  });

  it('canonicalises identities: case, trailing dots and IPv6 spelling are one record', () => {
    const r = run(
      [snap(s1, [['p1', AAAA('Host.Example.', '2001:0DB8:0000::0001')]]), snap(s2, [['p2', AAAA('host.example', '2001:db8::1')]])],
      known({ sites }),
    );
    assert.deepEqual(actions(r), []);
    assert.equal(r.observation.origins.size, 1);
  });

  it('keeps round-robin A records apart: several values for one name are all synced', () => {
    const r = run([snap(s1, [['p1', A('rr.lan', '10.0.0.1')], ['p2', A('rr.lan', '10.0.0.2')]]), snap(s2, [])], known({ sites }));
    assert.deepEqual(actions(r), ['beta create A_RECORD rr.lan 10.0.0.1', 'beta create A_RECORD rr.lan 10.0.0.2']);
  });

  it('writes only to the sites chosen for this run, but learns origins everywhere', () => {
    const r = run([snap(s1, [['p1', web]]), snap(s2, [], { writable: false }), snap(s3, [])], known({ sites }));
    assert.deepEqual(actions(r), ['gamma create A_RECORD web.lan 10.0.0.5']);
  });
});

describe('planner: deletion and orphans', () => {
  const synced = { sites, origins: [[web, 1]] as Array<[typeof web, number]>, replicas: [[web, 2, 'r2'], [web, 3, 'r3']] as Array<[typeof web, number, string]> };

  it('orphans a record whose last origin is gone, and keeps its replicas during the grace period', () => {
    const r = run([snap(s1, []), snap(s2, [['r2', web]]), snap(s3, [['r3', web]])], known(synced));
    assert.deepEqual(changes(r), ['origin.remove web.lan 10.0.0.5 @1', 'record.orphan web.lan 10.0.0.5']);
    assert.deepEqual(actions(r), []);
  });

  it('deletes the replicas once the grace period is over', () => {
    const r = run([snap(s1, []), snap(s2, [['r2', web]]), snap(s3, [['r3', web]])], known({ ...synced, origins: [], orphans: [[web, minutesAgo(16)]] }));
    assert.deepEqual(actions(r).map((a) => a.replace(/\(.*\)/, '')), ['beta delete A_RECORD web.lan 10.0.0.5 ', 'gamma delete A_RECORD web.lan 10.0.0.5 ']);
    assert.match(at(r, 'beta')[0]!.reason!, /orphaned since/);
    assert.equal(at(r, 'beta')[0]!.policyId, 'r2');
  });

  it('deletes at once with a grace period of 0', () => {
    const r = run([snap(s1, []), snap(s2, [['r2', web]]), snap(s3, [['r3', web]])], known(synced), { orphanGracePeriodMs: 0 });
    assert.equal(actions(r).filter((a) => a.includes(' delete ')).length, 2);
  });

  it('restores an orphan that reappears before the grace period ends, deleting nothing', () => {
    const r = run([snap(s1, [['p9', web]]), snap(s2, [['r2', web]]), snap(s3, [['r3', web]])], known({ ...synced, origins: [], orphans: [[web, minutesAgo(10)]] }));
    assert.deepEqual(changes(r), ['origin.add web.lan 10.0.0.5 @1', 'record.restore web.lan 10.0.0.5']);
    assert.deepEqual(actions(r), []);
  });

  it('keeps every origin of a site whose discovery failed: no orphan, no deletion, no write there', () => {
    const r = run([snap(s1, [], { status: 'failed' }), snap(s2, [['r2', web]]), snap(s3, [['r3', web]])], known(synced), { orphanGracePeriodMs: 0 });
    assert.deepEqual(changes(r), []);
    assert.deepEqual(actions(r), []);
    assert.equal(r.plan.sites.some((s) => s.site.key === 1), false);
  });

  it('ends the origins of a site that is gone or excluded', () => {
    for (const status of ['gone', 'excluded'] as const) {
      const r = run([snap(s1, [], { status }), snap(s2, [['r2', web]]), snap(s3, [['r3', web]])], known(synced));
      assert.deepEqual(changes(r), ['origin.remove web.lan 10.0.0.5 @1', 'record.orphan web.lan 10.0.0.5'], status);
    }
  });

  it('recreates a replica that someone deleted at the site, saying so', () => {
    const r = run([snap(s1, [['native-1-web.lan', web]]), snap(s2, []), snap(s3, [['r3', web]])], known(synced));
    assert.deepEqual(actions(r), ['beta create A_RECORD web.lan 10.0.0.5 (deleted at the site; recreated)']);
    assert.deepEqual(changes(r), ['replica.forget web.lan 10.0.0.5 @2']);
  });

  it('deletes our replica where the site now has the record natively', () => {
    const r = run([snap(s1, [['native-1-web.lan', web]]), snap(s2, [['r2', web], ['mine', web]]), snap(s3, [['r3', web]])], known(synced));
    assert.deepEqual(actions(r), ['beta delete A_RECORD web.lan 10.0.0.5 (the site has it natively now)']);
  });

  it('restores a replica edited at the site', () => {
    const r = run([snap(s1, [['native-1-web.lan', web]]), snap(s2, [['r2', A('web.lan', '10.6.6.6')]]), snap(s3, [['r3', web]])], known(synced));
    assert.deepEqual(actions(r), ['beta update A_RECORD web.lan 10.0.0.5 (edited at the site; restored)']);
    assert.equal(bodyOf(at(r, 'beta')[0]!).ipv4Address, '10.0.0.5');
  });
});

describe('planner: policies and the delete limit', () => {
  const many = Array.from({ length: 10 }, (_, i) => A(`h${i}.lan`, `10.0.1.${i}`));
  const state = () =>
    known({ sites, replicas: many.map((body, i) => [body, 2, `r${i}`] as [typeof body, number, string]), orphans: many.map((b) => [b, minutesAgo(60)] as [typeof b, string]) });
  const live = (count: number) => many.map((body, i) => [`r${i}`, body] as [string, typeof body]).slice(0, count);

  it('refuses a run that would delete more than maxDeletePercent of the replicas at a site with 10 or more', () => {
    // Orphans: all 10 replicas would go.
    const r = run([snap(s2, live(10))], state());
    assert.deepEqual(r.plan.refusals.map((x) => [x.site.name, x.limit, x.count, x.of]), [['beta', 'deletes', 10, 10]]);
  });

  it('allows exactly the limit, and ignores sites under 10 replicas', () => {
    const limit = run([snap(s2, live(10))], state(), { maxDeletePercent: 100 });
    assert.deepEqual(limit.plan.refusals, []);
    const small = run([snap(s2, live(9))], known({ sites, replicas: many.slice(0, 9).map((b, i) => [b, 2, `r${i}`] as [typeof b, number, string]), orphans: many.slice(0, 9).map((b) => [b, minutesAgo(60)] as [typeof b, string]) }));
    assert.equal(small.plan.sites[0]!.actions.length, 9);
    assert.deepEqual(small.plan.refusals, []);
  });

  it('upsert-only deletes nothing, create-only also updates nothing', () => {
    assert.equal(actions(run([snap(s2, live(10))], state(), { policy: 'upsert-only' })).length, 0);
    const origin = known({ sites, origins: [[web, 1]], replicas: [[web, 2, 'r2']] });
    const changed = [snap(s1, [['native-1-web.lan', A('web.lan', '10.0.0.5', { enabled: false })]]), snap(s2, [['r2', web]]), snap(s3, [])];
    assert.deepEqual(actions(run(changed, origin, { policy: 'create-only' })), ['gamma create A_RECORD web.lan 10.0.0.5']);
    assert.deepEqual(actions(run(changed, origin, { policy: 'upsert-only' })), ['beta update A_RECORD web.lan 10.0.0.5', 'gamma create A_RECORD web.lan 10.0.0.5']);
  });

  it('puts deletes before creates at a site', () => {
    const r = run([snap(s1, [['p1', A('new.lan', '10.1.1.1')]]), snap(s2, live(2))], known({ sites, replicas: many.slice(0, 2).map((b, i) => [b, 2, `r${i}`] as [typeof b, number, string]), orphans: many.slice(0, 2).map((b) => [b, minutesAgo(60)] as [typeof b, string]) }));
    assert.deepEqual(r.plan.sites.find((s) => s.site.key === 2)!.actions.map((a) => a.kind), ['delete', 'delete', 'create']);
  });
});

describe('planner: filters', () => {
  it('neither reads nor writes record types a site does not sync', () => {
    const r = run([snap(s1, [['p1', AAAA('v6.lan', '::1')], ['p2', web]]), snap(s2, [], { types: ['A_RECORD'] }), snap(s3, [])], known({ sites }));
    assert.deepEqual(actions(r), ['alpha create AAAA_RECORD v6.lan ::1'.replace('alpha', 'gamma'), 'beta create A_RECORD web.lan 10.0.0.5', 'gamma create A_RECORD web.lan 10.0.0.5'].sort());
  });

  it('honours domain include and exclude globs', () => {
    const r = run(
      [snap(s1, [['p1', A('a.home.arpa', '10.0.0.1')], ['p2', A('b.lab.home.arpa', '10.0.0.2')], ['p3', A('other.lan', '10.0.0.3')]]), snap(s2, [])],
      known({ sites }),
      { domains: ['*.home.arpa'], excludeDomains: ['*.lab.*'] },
    );
    assert.deepEqual(actions(r), ['beta create A_RECORD a.home.arpa 10.0.0.1']);
  });

  it('treats client-derived records as origins at their site', () => {
    const r = run([snap(s1, [], { derived: [A('laptop.home.arpa', '10.0.0.77')] }), snap(s2, [])], known({ sites }));
    assert.deepEqual(actions(r), ['beta create A_RECORD laptop.home.arpa 10.0.0.77']);
  });
});

describe('planner: CNAME conflicts', () => {
  it('skips a CNAME where the site has a native policy at that name', () => {
    const r = run([snap(s1, [['p1', CNAME('app.lan', 'web.lan')]]), snap(s2, [['n1', A('app.lan', '10.0.0.9')]])], known({ sites }));
    assert.deepEqual(actions(r), ['alpha skip A_RECORD app.lan 10.0.0.9 (A at alpha conflicts with the native CNAME there)', 'beta skip CNAME_RECORD app.lan web.lan (CNAME at beta conflicts with the native A record there)']);
  });

  it('skips a CNAME where the site has any other policy (FORWARD_DOMAIN, system) at that name', () => {
    const r = run([snap(s1, [['p1', CNAME('app.lan', 'web.lan')]]), snap(s2, [], { otherDomains: ['app.lan'] })], known({ sites }));
    assert.deepEqual(actions(r), ['beta skip CNAME_RECORD app.lan web.lan (CNAME at beta conflicts with the native policy there)']);
  });

  it('skips every CNAME of a name whose origins want different targets', () => {
    const r = run([snap(s1, [['p1', CNAME('app.lan', 'one.lan')]]), snap(s2, [['p2', CNAME('app.lan', 'two.lan')]]), snap(s3, [])], known({ sites }));
    const gamma = actions(r).filter((a) => a.startsWith('gamma'));
    assert.deepEqual(gamma, [
      'gamma skip CNAME_RECORD app.lan one.lan (CNAME at gamma conflicts with the other targets its origins want (one.lan, two.lan))',
      'gamma skip CNAME_RECORD app.lan two.lan (CNAME at gamma conflicts with the other targets its origins want (one.lan, two.lan))',
    ]);
  });

  it('prefers the A records when a third site is wanted to hold both an A and a CNAME of one name', () => {
    const r = run([snap(s1, [['p1', CNAME('app.lan', 'web.lan')]]), snap(s2, [['p2', A('app.lan', '10.0.0.9')]]), snap(s3, [])], known({ sites }));
    assert.deepEqual(actions(r).filter((a) => a.startsWith('gamma')), ['gamma create A_RECORD app.lan 10.0.0.9', 'gamma skip CNAME_RECORD app.lan web.lan (CNAME at gamma conflicts with the A record wanted there)']);
  });
});

describe('planner: crash recovery', () => {
  it('adopts a policy whose create was interrupted, as ours, with its CREATED event', () => {
    const state = known({ sites, origins: [[web, 1]], replicas: [[web, 2, null, 'create']] });
    const r = run([snap(s1, [['native-1-web.lan', web]]), snap(s2, [['new-id', web]])], state);
    assert.deepEqual(changes(r), ['replica.adopt web.lan 10.0.0.5 @2 recovered']);
    assert.deepEqual(actions(r), []);
  });

  it('forgets an interrupted create that never reached the controller, and creates it again', () => {
    const state = known({ sites, origins: [[web, 1]], replicas: [[web, 2, null, 'create']] });
    const r = run([snap(s1, [['native-1-web.lan', web]]), snap(s2, [])], state);
    assert.deepEqual(changes(r), ['replica.forget web.lan 10.0.0.5 @2']);
    assert.deepEqual(actions(r), ['beta create A_RECORD web.lan 10.0.0.5']);
  });

  it('completes an interrupted delete whose policy is gone, with its DELETED event', () => {
    const state = known({ sites, replicas: [[web, 2, 'r2', 'delete']], orphans: [[web, minutesAgo(60)]] });
    const r = run([snap(s2, [])], state);
    assert.deepEqual(changes(r), ['replica.forget web.lan 10.0.0.5 @2 recovered']);
    assert.deepEqual(actions(r), []);
  });

  it('records an interrupted update that went through', () => {
    const state = known({ sites, origins: [[web, 1]], replicas: [[web, 2, 'r2', 'update']] });
    const r = run([snap(s1, [['native-1-web.lan', web]]), snap(s2, [['r2', web]])], state);
    assert.deepEqual(changes(r), ['replica.settle web.lan 10.0.0.5 @2 recovered']);
    assert.deepEqual(actions(r), []);
  });

  it('learns the policy id of a legacy replica by identity, silently', () => {
    const state = known({ sites, origins: [[web, 1]], replicas: [[web, 2, null]] });
    const r = run([snap(s1, [['native-1-web.lan', web]]), snap(s2, [['legacy-id', web]])], state);
    assert.deepEqual(changes(r), ['replica.adopt web.lan 10.0.0.5 @2']);
    assert.deepEqual(actions(r), []);
  });
});

describe('planner: what the controller would refuse is never sent', () => {
  it('counts a record the site serves through a SYSTEM_DEFINED, DERIVED or ORCHESTRATED policy as present: a skip naming it', () => {
    for (const origin of ['SYSTEM_DEFINED', 'DERIVED', 'ORCHESTRATED']) {
      const r = run([snap(s1, [['p1', web]]), snap(s2, [], { served: [[web, origin]] })], known({ sites }));
      assert.deepEqual(actions(r), [`beta skip A_RECORD web.lan 10.0.0.5 (served at beta as ${origin})`], origin);
      assert.deepEqual(changes(r), ['record.add web.lan 10.0.0.5', 'origin.add web.lan 10.0.0.5 @1'], 'the served copy is no origin');
    }
  });

  it('skips names that cannot be written: empty once canonical, longer than 127 characters, a wildcard CNAME', () => {
    const long = `${'a'.repeat(120)}.lan.lan`;
    const r = run([snap(s1, [['p1', A('.', '10.0.0.1')], ['p2', A(long, '10.0.0.2')], ['p3', CNAME('*.lab.lan', 'web.lan')], ['p4', A('*.lab.lan', '10.0.0.4')]]), snap(s2, [])], known({ sites }));
    assert.deepEqual(actions(r), [
      'beta create A_RECORD *.lab.lan 10.0.0.4',
      'beta skip A_RECORD  10.0.0.1 (the name is empty once canonical)',
      'beta skip CNAME_RECORD *.lab.lan web.lan (the controller refuses a wildcard CNAME)',
      `beta skip A_RECORD ${long} 10.0.0.2 (the name is longer than the 127 characters the API accepts)`,
    ]);
  });

  it('skips TXT text the controller refuses: a comma outside quotes, a stray quote, more than four 255-character strings', () => {
    const txt = (text: string) => ({ type: 'TXT_RECORD' as const, enabled: true, domain: 't.lan', text });
    const cases: Array<[string, string | null]> = [
      ['v=spf1 -all', null],
      ['"a, b" "c"', null],
      ['a, b', 'a comma outside double quotes'],
      ['say "hi"', 'incorrectly quoted'],
      ['"a" b "c"', 'incorrectly quoted'],
      ['x'.repeat(1020), null],
      ['x'.repeat(1021), 'more than 4 strings of 255 characters'],
      [`"${'y'.repeat(256)}"`, 'a string longer than 255 characters'],
    ];
    for (const [text, refusal] of cases) {
      const r = run([snap(s1, [['p1', txt(text)]], { types: ['TXT_RECORD'] }), snap(s2, [], { types: ['TXT_RECORD'] })], known({ sites }));
      const beta = at(r, 'beta')[0];
      if (refusal === null) assert.equal(beta?.kind, 'create', text);
      else assert.equal(beta?.reason, `the controller refuses its TXT text: ${refusal}`, text);
    }
  });

  it('sends no ttlSeconds in an MX, TXT or SRV body, whatever the origin carried', () => {
    const mx = { type: 'MX_RECORD' as const, enabled: true, domain: 'm.lan', mailServerDomain: 'mail.lan', priority: 10, ttlSeconds: 300 };
    const r = run([snap(s1, [['p1', mx]], { types: ['MX_RECORD'] }), snap(s2, [], { types: ['MX_RECORD'] })], known({ sites }));
    assert.deepEqual(bodyOf(at(r, 'beta')[0]!), { type: 'MX_RECORD', domain: 'm.lan', mailServerDomain: 'mail.lan', priority: 10, enabled: true });
  });
});

describe('planner: absence is a claim, and mass loss is refused', () => {
  const many = Array.from({ length: 10 }, (_, i) => A(`h${i}.lan`, `10.0.1.${i}`));

  it('claims absence for a known origin or replica missing from its listing, never for one still listed under another identity', () => {
    const edited = A('web.lan', '10.0.0.6');
    const state = known({ sites, origins: [[web, 1], [A('gone.lan', '10.0.0.7'), 1]], replicas: [[web, 2, 'r2'], [A('x.lan', '10.0.0.8'), 2, 'r-x']] });
    // alpha: web.lan's origin policy edited (same id, new address); gone.lan missing. beta: replica r-x missing.
    const r = run([snap(s1, [['native-1-web.lan', edited]]), snap(s2, [['r2', web]])], state);
    const claims = absenceClaims(r.observation, state).map((c) => `${c.site.name} ${c.decides} ${c.policyId} ${c.record.domain}`);
    assert.deepEqual(claims.sort(), ['alpha origin native-1-gone.lan gone.lan', 'beta replica r-x x.lan']);
    assert.deepEqual(absenceClaims(run([snap(s1, [['native-1-web.lan', web]]), snap(s2, [['r2', web]])], known({ sites, origins: [[web, 1]], replicas: [[web, 2, 'r2']] })).observation, state), []);
  });

  it('refuses a run that would end more than maxDeletePercent of the origins a site holds (10 or more); an excluded site is not counted', () => {
    const state = known({ sites, origins: many.map((b) => [b, 1] as [typeof b, number]) });
    const kept = many.slice(0, 6).map((b, i): [string, typeof b] => [`native-1-h${i}.lan`, b]);
    const lossy = run([snap(s1, kept), snap(s2, [])], state);
    assert.deepEqual(lossy.plan.refusals.map((x) => [x.site.name, x.limit, x.count, x.of]), [['alpha', 'origins', 4, 10]]);
    const fine = run([snap(s1, many.slice(0, 7).map((b, i): [string, typeof b] => [`native-1-h${i}.lan`, b])), snap(s2, [])], state);
    assert.deepEqual(fine.plan.refusals, []);
    const excluded = run([snap(s1, [], { status: 'excluded' }), snap(s2, [])], state);
    assert.deepEqual(excluded.plan.refusals, []);
    const gone = run([snap(s1, [], { status: 'gone' }), snap(s2, [])], state);
    assert.deepEqual(gone.plan.refusals.map((x) => [x.limit, x.count, x.of]), [['origins', 10, 10]]);
  });
});

describe('planner: refused creates are remembered', () => {
  const LOCAL = 'api.dns.policy.validation.overlap-with-local-dns';
  const ALIAS = 'api.dns.policy.validation.cname-alias-overlap';
  const app = CNAME('app.lan', 'web.lan');

  it('a cause dnssync cannot see: a skip until retryRefusedAfter has passed since the last try, then a create saying so', () => {
    const refusals: Array<[typeof web, number, string, string]> = [[web, 2, LOCAL, minutesAgo(60)]];
    const waiting = run([snap(s1, [['p1', web]]), snap(s2, [])], known({ sites, refusals }));
    assert.deepEqual(actions(waiting), ['beta skip A_RECORD web.lan 10.0.0.5 (refused 2026-11-20: overlap-with-local-dns)']);
    const due = run([snap(s1, [['p1', web]]), snap(s2, [])], known({ sites, refusals }), { retryRefusedAfterMs: 60 * 60_000 });
    assert.deepEqual(actions(due), ['beta create A_RECORD web.lan 10.0.0.5 (refused 2026-11-20: overlap-with-local-dns; trying again)']);
    assert.equal(at(due, 'beta')[0]!.retried?.code, LOCAL);
    assert.deepEqual(due.plan.staleRefusals, []);
  });

  it('a cause dnssync can see (another record at the CNAME name): skipped while it is there, sent at once when it is gone', () => {
    const refusals: Array<[typeof app, number, string, string]> = [[app, 2, ALIAS, minutesAgo(1)]];
    const there = run([snap(s1, [['p1', app]]), snap(s2, [], { otherDomains: ['app.lan'] })], known({ sites, refusals }));
    assert.deepEqual(actions(there), ['beta skip CNAME_RECORD app.lan web.lan (refused 2026-11-20: cname-alias-overlap)']);
    const gone = run([snap(s1, [['p1', app]]), snap(s2, [])], known({ sites, refusals }));
    assert.deepEqual(actions(gone), ['beta create CNAME_RECORD app.lan web.lan (refused 2026-11-20: cname-alias-overlap; trying again)']);
  });

  it('forgets the refusal of a record no longer wanted at the site, or that the site now holds', () => {
    const refusals: Array<[typeof web, number, string, string]> = [[web, 2, LOCAL, minutesAgo(1)], [web, 3, LOCAL, minutesAgo(1)]];
    const r = run([snap(s1, []), snap(s2, [['n2', web]]), snap(s3, [])], known({ sites, origins: [[web, 1]], refusals }));
    assert.deepEqual(r.plan.staleRefusals.sort((a, b) => a.siteKey - b.siteKey), [{ siteKey: 2, recordId: rec(web).id }]);
  });
});

describe('planner: names fold ASCII letters only (RFC 4343)', () => {
  it('keeps non-ASCII letters as they are: the Kelvin sign is not k, İ does not grow, and a 127-character name with İ stays writable', () => {
    assert.equal(rec(A('\u212Aelvin.LAN.', '10.0.0.1')).domain, '\u212Aelvin.lan');
    assert.notEqual(rec(A('\u212Aelvin.lan', '10.0.0.1')).id, rec(A('kelvin.lan', '10.0.0.1')).id);
    assert.equal(rec(A('İstanbul.LAN', '10.0.0.1')).domain, 'İstanbul.lan');
    const long = `İ${'a'.repeat(122)}.lan`;
    assert.equal(long.length, 127);
    const r = run([snap(s1, [['p1', A(long, '10.0.0.2')]]), snap(s2, [])], known({ sites }));
    assert.deepEqual(at(r, 'beta').map((a) => a.kind), ['create']);
  });
});
