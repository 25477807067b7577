import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { describe, it } from 'node:test';
import type { Scenario } from '../../fixtures/simulator/index.ts';
import { syncEnv, writes } from '../support/sync-env.ts';
import { deadPid, plant, query, repair } from './helpers.ts';

const scenario: Scenario = {
  controllers: [
    {
      name: 'a',
      sites: [
        { internalReference: 'default', generate: { count: 12, domainPattern: 'host-{i}.a.lan', ipv4Pattern: '10.1.0.{lo}' } },
        { internalReference: 'two' },
      ],
    },
    { name: 'b', sites: [{ internalReference: 'default', policies: [{ type: 'CNAME_RECORD', domain: 'wiki.b.lan', targetDomain: 'host-1.a.lan' }] }] },
  ],
};
const SITES = [['a', 'default'], ['a', 'two'], ['b', 'default']] as const;

describe('dnssync repair on a database a real sync wrote', () => {
  it('repairs crash leftovers and a re-keyed record so that the next sync has nothing to write and mistakes nothing for native', async () => {
    const env = await syncEnv(scenario);
    const first = await env.sync();
    assert.equal(first.code, 0, first.stderr);
    const origins = env.query<{ n: number }>('SELECT count(*) AS n FROM record_origins')[0]!.n;
    const replicas = env.query<{ n: number }>('SELECT count(*) AS n FROM replicas')[0]!.n;
    assert.equal(origins, 13);
    assert.equal(replicas, 26);

    // A run killed mid-create (the create reached the controller, its outcome was never recorded), its lock
    // left behind, and a record whose rows sit under an id that is not its identity's.
    const [victim, moved] = env.query<{ record_id: string; site_id: number; policy_id: string }>(
      'SELECT record_id, site_id, policy_id FROM replicas ORDER BY record_id LIMIT 2',
    );
    const lastRun = env.query<{ id: number }>('SELECT max(id) AS id FROM runs')[0]!.id;
    const pid = await deadPid();
    const wrong = '0'.repeat(64);
    plant(env.db, (db) => {
      db.prepare("UPDATE replicas SET policy_id = NULL, pending = 'create', pending_run_id = ?, pending_body = '{}' WHERE record_id = ? AND site_id = ?").run(
        lastRun,
        victim!.record_id,
        victim!.site_id,
      );
      db.prepare("INSERT INTO sync_lock VALUES (1, ?, ?, ?, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')").run(lastRun, hostname(), pid);
      for (const table of ['dns_records']) db.prepare(`UPDATE ${table} SET id = ? WHERE id = ?`).run(wrong, moved!.record_id);
      for (const table of ['record_origins', 'replicas', 'sync_events']) db.prepare(`UPDATE ${table} SET record_id = ? WHERE record_id = ?`).run(wrong, moved!.record_id);
    });

    const check = await repair(env.db, '--check');
    assert.equal(check.code, 1);
    assert.deepEqual([...new Set(check.report.findings.map((f) => f.check))].sort(), ['crash-intent', 'record-id', 'stale-lock']);

    const fixed = await repair(env.db);
    assert.equal(fixed.code, 0, JSON.stringify(fixed.report.findings, null, 2));
    assert.ok(fixed.report.backup);
    assert.deepEqual(
      fixed.report.findings.map((f) => `${f.check}: ${f.outcome}`).sort(),
      ['crash-intent: left-for-sync', 'record-id: fixed', 'stale-lock: fixed'],
    );
    assert.equal(env.query('SELECT 1 FROM dns_records WHERE id = ?', moved!.record_id).length, 1, 'the record is back under its identity');

    // The next sync adopts the interrupted create by identity, writes nothing, and finds no new origin.
    const before = writes(env.sim);
    const next = await env.sync();
    assert.equal(next.code, 0, next.stderr);
    assert.equal(writes(env.sim), before, 'no write request: nothing was duplicated or lost');
    assert.equal(env.query<{ n: number }>('SELECT count(*) AS n FROM record_origins')[0]!.n, origins, 'no replica mistaken for a native policy');
    assert.deepEqual(query(env.db, 'SELECT count(*) AS n, count(policy_id) AS confirmed, count(pending) AS pending FROM replicas'), [{ n: replicas, confirmed: replicas, pending: 0 }]);
    assert.deepEqual(
      query(env.db, 'SELECT policy_id FROM replicas WHERE record_id = ? AND site_id = ?', victim!.record_id, victim!.site_id),
      [{ policy_id: victim!.policy_id }],
    );
    assert.equal(
      env.query<{ n: number }>(
        "SELECT count(*) AS n FROM sync_events WHERE record_id = ? AND site_id = ? AND status = 'CREATED' AND reason = 'recorded after an interrupted run'",
        victim!.record_id,
        victim!.site_id,
      )[0]!.n,
      1,
    );
    for (const [controller, site] of SITES) {
      const held = env.identities(controller, site);
      assert.equal(held.length, 13);
      assert.equal(new Set(held).size, 13, `no duplicate at ${controller}/${site}`);
    }
    const after = await repair(env.db, '--check');
    assert.equal(after.code, 0, JSON.stringify(after.report.findings, null, 2));
  });

  it('re-keys a record that a batch of creates left by a killed sync names, so that the next sync adopts its policy', async () => {
    const env = await syncEnv(scenario);
    assert.equal((await env.sync()).code, 0);
    const origins = env.query<{ n: number }>('SELECT count(*) AS n FROM record_origins')[0]!.n;
    // A replica of a record that will sit under a wrong id: its create was sent by a run killed
    // before the outcome, so its intent is the batch's row (store/replicas.ts), naming that id.
    const [moved] = env.query<{ record_id: string; site_id: number }>('SELECT record_id, site_id FROM replicas ORDER BY record_id LIMIT 1');
    const lastRun = env.query<{ id: number }>('SELECT max(id) AS id FROM runs')[0]!.id;
    const wrong = '0'.repeat(64);
    plant(env.db, (db) => {
      db.prepare('DELETE FROM replicas WHERE record_id = ? AND site_id = ?').run(moved!.record_id, moved!.site_id);
      db.prepare('INSERT INTO create_intents (run_id, site_id, record_ids) VALUES (?, ?, ?)').run(lastRun, moved!.site_id, JSON.stringify([wrong]));
      db.prepare('UPDATE dns_records SET id = ? WHERE id = ?').run(wrong, moved!.record_id);
      for (const table of ['record_origins', 'replicas', 'sync_events']) db.prepare(`UPDATE ${table} SET record_id = ? WHERE record_id = ?`).run(wrong, moved!.record_id);
    });

    const fixed = await repair(env.db);
    assert.equal(fixed.code, 0, JSON.stringify(fixed.report.findings, null, 2));
    assert.deepEqual(fixed.report.findings.map((f) => `${f.check}: ${f.outcome}`).sort(), ['crash-intent: left-for-sync', 'record-id: fixed']);
    assert.deepEqual(
      query(env.db, 'SELECT pending FROM replicas WHERE record_id = ? AND site_id = ?', moved!.record_id, moved!.site_id),
      [{ pending: 'create' }],
      'the batch became a pending replica under the right id',
    );

    const before = writes(env.sim);
    const next = await env.sync();
    assert.equal(next.code, 0, next.stderr);
    assert.equal(writes(env.sim), before, 'no write request: nothing was duplicated');
    assert.equal(env.query<{ n: number }>('SELECT count(*) AS n FROM record_origins')[0]!.n, origins, 'no replica mistaken for a native policy');
    assert.equal(env.query<{ n: number }>('SELECT count(*) AS n FROM create_intents')[0]!.n, 0);
  });
});
