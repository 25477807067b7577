/**
 * Identical copies (issue 17): the legacy tool read only the first 25 policies of a site, so from
 * its second pass it created again the copies it could not see. Where the legacy file says it
 * created a record at a site, every identical policy of it there is its copy: one is kept as the
 * replica, the others are deleted, under the delete limit, and none is ever taken for native.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KnownState } from '../../src/domain/state.ts';
import { duplicateChanges } from '../../src/planner/legacy-duplicates.ts';
import { A, actions, changes, known, run, site, snap } from '../sync/builders.ts';

const origin = site(1, 'origin');
const crowded = site(2, 'crowded');
const sites = [origin, crowded];
const nas = A('nas.lan', '10.0.0.10');

/** The legacy conversion's replica at `crowded`: no policy id, no intent. */
const legacyState = (): KnownState => known({ sites, origins: [[nas, 1]], replicas: [[nas, 2, null]] });
const copies = (n: number): Array<[string, typeof nas]> => Array.from({ length: n }, (_, i) => [`copy-${i + 1}`, nas]);

describe('identical copies the legacy tool made', () => {
  it('adopts the first as the replica and deletes the others, saying why; none becomes an origin', () => {
    const r = run([snap(origin, [['native-1-nas.lan', nas]]), snap(crowded, copies(3))], legacyState());
    assert.deepEqual(actions(r), ['crowded delete A_RECORD nas.lan 10.0.0.10 (a duplicate the legacy tool made)', 'crowded delete A_RECORD nas.lan 10.0.0.10 (a duplicate the legacy tool made)']);
    assert.deepEqual(
      r.plan.sites.find((s) => s.site.key === 2)!.actions.map((a) => [a.policyId, a.duplicate]),
      [['copy-2', true], ['copy-3', true]],
    );
    assert.deepEqual(changes(r), ['replica.adopt nas.lan 10.0.0.10 @2']);
    const found = duplicateChanges(r.observation, legacyState()).found.map((d) => d.policyId);
    assert.deepEqual(found, ['copy-2', 'copy-3']);
  });

  it('keeps remembered duplicates apart on later runs: deleted, or under upsert-only kept but still no origin', () => {
    const state = known({ sites, origins: [[nas, 1]], replicas: [[nas, 2, 'copy-1']] });
    state.duplicates = new Map([[2, new Map([['copy-2', { recordId: [...state.records.keys()][0]!, deletingRunId: null }]])]]);
    const snapshots = [snap(origin, [['native-1-nas.lan', nas]]), snap(crowded, copies(2))];
    assert.deepEqual(actions(run(snapshots, state)), ['crowded delete A_RECORD nas.lan 10.0.0.10 (a duplicate the legacy tool made)']);
    const held = run(snapshots, state, { policy: 'upsert-only' });
    assert.deepEqual(actions(held), []);
    assert.deepEqual(changes(held), []);
  });

  it('counts them against the delete limit, as replicas of the site', () => {
    const many = run([snap(origin, [['native-1-nas.lan', nas]]), snap(crowded, copies(12))], legacyState());
    assert.equal(actions(many).length, 11);
    assert.deepEqual(many.plan.refusals.map((x) => [x.site.name, x.limit, x.count, x.of]), [['crowded', 'deletes', 11, 12]]);
    // Under the floor of 10 the limit does not apply.
    const few = run([snap(origin, [['native-1-nas.lan', nas]]), snap(crowded, copies(8))], legacyState());
    assert.equal(actions(few).length, 7);
    assert.deepEqual(few.plan.refusals, []);
  });

  it('takes only one copy for ours after a crash mid-create: an identical policy without legacy evidence stays native', () => {
    const state = known({ sites, origins: [[nas, 1]], replicas: [[nas, 2, null, 'create']] });
    const r = run([snap(origin, [['native-1-nas.lan', nas]]), snap(crowded, copies(2))], state);
    assert.deepEqual(changes(r), ['replica.adopt nas.lan 10.0.0.10 @2 recovered', 'origin.add nas.lan 10.0.0.10 @2']);
    assert.ok(!r.plan.sites.some((s) => s.actions.some((a) => a.duplicate)), actions(r).join('\n'));
  });
});
