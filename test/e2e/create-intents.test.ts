import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Scenario } from '../../fixtures/simulator/index.ts';
import { syncEnv } from '../support/sync-env.ts';
import { plant, repair } from '../repair/helpers.ts';

// A batch of creates has one intent row (store/replicas.ts). What a run killed between that row's
// commit and its outcomes leaves must still be told apart from native policies by every reader.
const scenario: Scenario = {
  controllers: [
    {
      name: 'a',
      sites: [
        { internalReference: 'default', generate: { count: 5, domainPattern: 'host-{i}.a.lan', ipv4Pattern: '10.1.0.{lo}' } },
        { internalReference: 'two' },
        { internalReference: 'three' },
      ],
    },
  ],
};

describe('a batch of creates left by a killed run', () => {
  it('is pending for dry runs, records and repair, and the next sync adopts what was made and makes the rest', async () => {
    const env = await syncEnv(scenario);
    assert.equal((await env.sync()).code, 0);
    const site = env.query<{ id: number; uuid: string }>("SELECT id, uuid FROM sites WHERE internal_reference = 'two'")[0]!;
    const replicas = env.query<{ record_id: string; policy_id: string; domain: string }>(
      'SELECT r.record_id, r.policy_id, d.domain FROM replicas r JOIN dns_records d ON d.id = r.record_id WHERE r.site_id = ? ORDER BY d.domain',
      site.id,
    );
    assert.equal(replicas.length, 5);
    const runId = env.query<{ id: number }>('SELECT max(id) AS id FROM runs')[0]!.id;
    // Four creates of one batch: three reached the controller, one did not; none was recorded.
    const batch = replicas.slice(0, 4);
    const lost = batch[3]!;
    assert.ok(env.sim.removePolicy('a', site.uuid, lost.policy_id));
    plant(env.db, (db) => {
      for (const r of batch) db.prepare('DELETE FROM replicas WHERE record_id = ? AND site_id = ?').run(r.record_id, site.id);
      db.prepare('INSERT INTO create_intents (run_id, site_id, record_ids) VALUES (?, ?, ?)').run(runId, site.id, JSON.stringify(batch.map((r) => r.record_id)));
    });

    // And the origin of one of them ends: ours, its record is an orphan; taken for native, it would not be.
    const home = env.query<{ uuid: string }>("SELECT uuid FROM sites WHERE internal_reference = 'default'")[0]!.uuid;
    assert.ok(env.sim.removePolicy('a', home, env.sim.policies('a', home).find((p) => p.domain === batch[0]!.domain)!.id));

    const dry = await env.sync(['--dry-run', '--json']);
    assert.equal(dry.code, 0, dry.stderr);
    const preview = JSON.parse(dry.stdout);
    assert.deepEqual(preview.planned, { create: 1, update: 0, delete: 0, skip: 0 }, 'only the create that never happened');
    assert.equal(preview.orphansWaiting.records, 1, 'the adopted policy is no origin');

    const shown = JSON.parse((await env.cli(['records', batch[0]!.domain, '--json'])).stdout).records[0].sites;
    assert.match(JSON.stringify(shown.find((s: { name: string }) => s.name === 'two')), /create pending/);

    const checked = await repair(env.db, '--check');
    const intents = checked.report.findings.filter((f) => f.check === 'crash-intent');
    assert.deepEqual(
      intents.map((f) => [f.problem.split(' ')[0], f.outcome, /the next sync adopts/.test(f.action)]),
      [['4', 'found', true]],
    );

    const lastEvent = env.query<{ id: number }>('SELECT max(id) AS id FROM sync_events')[0]!.id;
    env.sim.clearRequests();
    const next = await env.sync();
    assert.equal(next.code, 0, next.stderr);
    assert.equal(env.sim.requests({ method: 'POST' }).length, 1);
    assert.equal(env.query<{ n: number }>('SELECT count(*) AS n FROM create_intents')[0]!.n, 0);
    const row = env.query<{ n: number; confirmed: number; pending: number }>('SELECT count(*) AS n, count(policy_id) AS confirmed, count(pending) AS pending FROM replicas WHERE site_id = ?', site.id)[0]!;
    assert.deepEqual([row.n, row.confirmed, row.pending], [5, 5, 0]);
    assert.equal(env.query<{ n: number }>("SELECT count(*) AS n FROM record_origins WHERE site_id = ?", site.id)[0]!.n, 0, 'none became native');
    const events = env.query<{ status: string; reason: string | null; run_id: number }>(
      'SELECT status, reason, run_id FROM sync_events WHERE site_id = ? AND id > ? ORDER BY id',
      site.id,
      lastEvent,
    );
    assert.deepEqual(
      events.map((e) => [e.status, e.reason, e.run_id === runId]),
      [
        ['CREATED', 'recorded after an interrupted run', true],
        ['CREATED', 'recorded after an interrupted run', true],
        ['CREATED', 'recorded after an interrupted run', true],
        ['CREATED', null, false],
      ],
    );
  });
});
