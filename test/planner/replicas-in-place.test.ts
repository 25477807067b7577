import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { attributesOf } from '../../src/domain/record.ts';
import type { KnownReplica, LivePolicy, StoredReplica } from '../../src/domain/state.ts';
import { RecordCatalogue } from '../../src/planner/content.ts';
import { placeReplicas } from '../../src/planner/replicas-in-place.ts';
import { A, known, rec, run, site, snap } from '../sync/builders.ts';

const live = (policyId: string, body: ReturnType<typeof A>): LivePolicy => ({ policyId, record: rec(body), attributes: attributesOf(body) });
const pending: KnownReplica = { policyId: '5f0c1d2e-0000-4000-8000-00000000000c', pending: 'update', pendingRunId: 3, pendingBody: null };

/** Each policy's record interned, as discovery does before a site's replicas are placed. */
function catalogueOf(policies: LivePolicy[]): RecordCatalogue {
  const catalogue = new RecordCatalogue();
  for (const p of policies) catalogue.intern(p.record);
  return catalogue;
}

describe('replicas in place: the settled replicas a listing holds as recorded, kept without an object each', () => {
  const a = live('0b6f2a4e-59c1-4f0a-9d4e-8f1a2b3c4d5e', A('a.lan', '10.0.0.1'));
  const b = live('p-not-a-uuid', A('b.lan', '10.0.0.2', { ttlSeconds: 300 }));
  const c = live('5f0c1d2e-0000-4000-8000-00000000000c', A('c.lan', '10.0.0.3'));
  const upper = live('AB6F2A4E-59C1-4F0A-9D4E-8F1A2B3C4D5E', A('d.lan', '10.0.0.4', { enabled: false }));
  const edited = live('f00dcafe-0000-4000-8000-000000000001', A('e.lan', '10.9.9.9'));
  const second = live('0b6f2a4e-59c1-4f0a-9d4e-000000000002', A('a.lan', '10.0.0.1'));
  const policies = [a, b, c, upper, edited, second];

  it('places a site of 150,000 replicas, more than a call takes arguments (about 125,000 here)', () => {
    const many = Array.from({ length: 150_000 }, (_, i) => live(`00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`, A(`h${i}.lan`, '10.0.0.1')));
    const stored = new Map<string, StoredReplica>(many.map((p) => [p.record.id, p.policyId]));
    const { inPlace, rest } = placeReplicas(many, stored, catalogueOf(many));
    assert.deepEqual(rest, []);
    assert.equal(inPlace.size, 150_000);
    assert.equal(inPlace.get(many[149_999]!.record.id)?.policyId, many[149_999]!.policyId);
  });

  it('takes a settled replica listed under its own record with the recorded id; leaves pending, edited and second copies to observe', () => {
    const stored = new Map<string, StoredReplica>([
      [a.record.id, a.policyId],
      [b.record.id, b.policyId],
      [c.record.id, pending], // an update in flight: observe settles it
      [upper.record.id, upper.policyId],
      [rec(A('e.lan', '10.0.0.5')).id, edited.policyId], // edited at the site: observe finds it by id
      [rec(A('gone.lan', '10.0.0.6')).id, 'deleted-at-the-site'],
    ]);
    const { inPlace, rest } = placeReplicas(policies, stored, catalogueOf(policies));
    assert.deepEqual(rest, [c, edited, second]);
    assert.deepEqual([...stored.keys()], [c.record.id, rec(A('e.lan', '10.0.0.5')).id, rec(A('gone.lan', '10.0.0.6')).id]);
    assert.equal(inPlace.size, 3);
    assert.deepEqual(
      [...inPlace].map((p) => [p.policyId, p.record.id, p.attributes]),
      [a, b, upper].map((p) => [p.policyId, p.record.id, p.attributes]),
      'every id comes back as it was listed (a lowercase UUID from its 16 bytes, any other as it came), in listing order',
    );
    assert.equal(inPlace.has(a.record.id), true);
    assert.equal(inPlace.has(c.record.id), false);
    assert.equal(inPlace.has('no such record'), false);
    assert.equal(inPlace.get(b.record.id)?.policyId, 'p-not-a-uuid');
    assert.equal(inPlace.get(upper.record.id)?.attributes, upper.attributes);
    assert.equal(inPlace.get(edited.record.id), undefined);
  });

  it('places nothing at a site that has no replica recorded', () => {
    const { inPlace, rest } = placeReplicas(policies, new Map(), catalogueOf(policies));
    assert.equal(inPlace.size, 0);
    assert.deepEqual([...inPlace], []);
    assert.deepEqual(rest, policies);
  });

  it('plans an update or delete of a replica in place with its live id', () => {
    const id = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
    const s1 = site(1);
    const s2 = site(2);
    const state = known({
      sites: [s1, s2],
      origins: [[A('web.lan', '10.0.0.1', { ttlSeconds: 600 }), 1]],
      replicas: [
        [A('web.lan', '10.0.0.1'), 2, id],
        [A('old.lan', '10.0.0.9'), 2, '7c9e6679-7425-40de-944b-e07fc1f90ae8'],
      ],
      orphans: [[A('old.lan', '10.0.0.9'), '2026-01-01T00:00:00.000Z']],
    });
    // run() plans it both ways (builders.ts): as listed, and with both replicas in place.
    const result = run(
      [
        snap(s1, [['native-1', A('web.lan', '10.0.0.1', { ttlSeconds: 600 })]]),
        snap(s2, [
          [id, A('web.lan', '10.0.0.1')],
          ['7c9e6679-7425-40de-944b-e07fc1f90ae8', A('old.lan', '10.0.0.9')],
        ]),
      ],
      state,
    );
    assert.deepEqual(
      result.plan.sites[1]!.actions.map((a) => [a.kind, a.record.domain, a.policyId]),
      [
        ['delete', 'old.lan', '7c9e6679-7425-40de-944b-e07fc1f90ae8'],
        ['update', 'web.lan', id],
      ],
    );
  });
});
