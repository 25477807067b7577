import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { leavesInStep } from '../../src/planner/settled.ts';
import { A, known, minutesAgo, run, site, snap } from './builders.ts';

const s1 = site(1, 'alpha');
const s2 = site(2, 'beta');
const sites = [s1, s2];
const web = A('web.lan', '10.0.0.5');
const old = A('old.lan', '10.0.0.9');

describe('planner: whether a run leaves every site in step', () => {
  it('does when nothing is to be done and nothing changed', () => {
    const state = known({ sites, origins: [[web, 1]], replicas: [[web, 2, 'r2']] });
    const r = run([snap(s1, [['native-1-web.lan', web]]), snap(s2, [['r2', web]])], state);
    assert.equal(leavesInStep(r.plan, r.observation), true);
  });

  it('does not when something is planned, or the observation changed something', () => {
    const missing = run([snap(s1, [['native-1-web.lan', web]]), snap(s2, [])], known({ sites, origins: [[web, 1]], replicas: [[web, 2, 'r2']] }));
    assert.equal(leavesInStep(missing.plan, missing.observation), false, 'a replica to create again');
    const learnt = run([snap(s1, [['native-1-web.lan', web]]), snap(s2, [['r2', web]])], known({ sites, replicas: [[web, 2, 'r2']] }));
    assert.deepEqual(learnt.plan.sites.flatMap((s) => s.actions), []);
    assert.equal(leavesInStep(learnt.plan, learnt.observation), false, 'an origin learnt: recorded by this run');
  });

  it('does not while an orphan waits out its grace period with a replica, and does once none is left', () => {
    const waiting = known({ sites, replicas: [[old, 2, 'r-old']], orphans: [[old, minutesAgo(5)]] });
    const r = run([snap(s1, []), snap(s2, [['r-old', old]])], waiting);
    assert.deepEqual(r.plan.sites.flatMap((s) => s.actions), [], 'nothing yet: the grace period runs');
    assert.equal(leavesInStep(r.plan, r.observation), false);
    const gone = run([snap(s1, []), snap(s2, [])], known({ sites, orphans: [[old, minutesAgo(600)]] }));
    assert.equal(leavesInStep(gone.plan, gone.observation), true, 'an orphan whose replicas are gone is history');
  });

  it('does not while a refused create is remembered', () => {
    const refused = known({ sites, origins: [[web, 1]], refusals: [[web, 2, 'api.dns.policy.validation.overlap-with-local-dns', minutesAgo(5)]] });
    const r = run([snap(s1, [['native-1-web.lan', web]]), snap(s2, [])], refused);
    assert.equal(leavesInStep(r.plan, r.observation), false);
  });
});
