import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openStore } from '../../src/store/database.ts';
import { InStepRepository } from '../../src/store/in-step.ts';
import { tempDir } from '../support/tmp.ts';

const WORLD = 'w'.repeat(64);

// Every write to what a plan is made from forgets which sites were in step (schema.sql in_step):
// [table, insert, update, delete]. Rows they need: controllers h and h2, sites 1 (uuid u) and 2,
// record r, run 1.
const STATE_WRITES: Array<[string, string, string, string]> = [
  [
    'dns_records',
    "INSERT INTO dns_records (id, type, domain, target, record_raw, first_seen) VALUES ('r2', 'A_RECORD', 'b.lan', '10.0.0.2', '{}', 't')",
    "UPDATE dns_records SET orphaned_at = 't' WHERE id = 'r2'",
    "DELETE FROM dns_records WHERE id = 'r2'",
  ],
  [
    'record_origins',
    "INSERT INTO record_origins (record_id, site_id, first_seen, attributes) VALUES ('r', 1, 't', '{}')",
    "UPDATE record_origins SET policy_id = 'p'",
    'DELETE FROM record_origins',
  ],
  ['replicas', "INSERT INTO replicas (record_id, site_id, created_at) VALUES ('r', 1, 't')", "UPDATE replicas SET policy_id = 'p'", 'DELETE FROM replicas'],
  ['create_intents', "INSERT INTO create_intents (run_id, site_id, record_ids) VALUES (1, 1, '[]')", 'UPDATE create_intents SET record_ids = \'["r"]\'', 'DELETE FROM create_intents'],
  ['refusals', "INSERT INTO refusals VALUES (1, 'r', 'c', 'm', 't', 't')", "UPDATE refusals SET tried_at = 'u'", 'DELETE FROM refusals'],
  [
    'legacy_evidence',
    "INSERT INTO legacy_evidence (controller_host, uuid, record_id, created, verdict) VALUES ('h', 'u', 'r', '[]', 'native')",
    "UPDATE legacy_evidence SET verdict = 'replica'",
    'DELETE FROM legacy_evidence',
  ],
  [
    'legacy_duplicates',
    "INSERT INTO legacy_duplicates (site_id, policy_id, record_id, found_at) VALUES (1, 'p', 'r', 't')",
    "UPDATE legacy_duplicates SET found_at = 'u'",
    'DELETE FROM legacy_duplicates',
  ],
  // A new site is no change: it has no rows yet, and a run that lists it reads it whole.
  ['sites', "UPDATE sites SET uuid = 'u3' WHERE id = 2", "UPDATE sites SET controller_host = 'h2' WHERE id = 2", 'DELETE FROM sites WHERE id = 2'],
];

// Bookkeeping that says nothing about what a site should hold.
const OTHER_WRITES = [
  "UPDATE sites SET name = 'Renamed', last_synced = 'u', gone_at = NULL WHERE id = 1",
  "UPDATE controllers SET app_version = '10.1.89', last_contact = 'u'",
  "INSERT INTO runs (started_at, mode, host, pid, user, version, policy) VALUES ('u', 'sync', 'h', 2, 'me', '0', 'sync')",
  "INSERT INTO sync_events (run_id, record_id, type, domain, target, site_id, status, timestamp) VALUES (1, 'r', 'A_RECORD', 'a.lan', '10.0.0.1', 1, 'CREATED', 'u')",
  "INSERT INTO sites (id, controller_host, uuid, first_seen) VALUES (3, 'h', 'new', 't')",
];

function freshStore() {
  const store = openStore(join(tempDir(), 'in-step.db'), { create: true });
  store.db.exec(`
    INSERT INTO controllers (host, name, url) VALUES ('h', 'h', 'https://h'), ('h2', 'h2', 'https://h2');
    INSERT INTO sites (id, controller_host, uuid, first_seen) VALUES (1, 'h', 'u', 't'), (2, 'h', 'u2', 't');
    INSERT INTO dns_records (id, type, domain, target, record_raw, first_seen) VALUES ('r', 'A_RECORD', 'a.lan', '10.0.0.1', '{}', 't');
    INSERT INTO runs (started_at, mode, host, pid, user, version, policy) VALUES ('t', 'sync', 'h', 1, 'me', '0', 'sync');
  `);
  return store;
}

describe('in_step: which sites the last sync left in step', () => {
  it('holds for the config and dnssync that recorded it, and only if nothing changed between begin and settle', () => {
    const store = freshStore();
    const repo = new InStepRepository(store.db);
    assert.equal(repo.load(WORLD), null, 'nothing recorded yet');
    repo.begin(WORLD);
    assert.equal(repo.settle(new Map([[1, { fingerprint: 'f1', replicas: 7 }]])), true);
    assert.deepEqual(repo.load(WORLD), new Map([[1, { fingerprint: 'f1', replicas: 7 }]]));
    assert.equal(repo.load('another config'), null);

    // The same config again: the rows stay; settle rewrites only what differs and drops sites no longer in step.
    repo.begin(WORLD);
    assert.equal(repo.settle(new Map([[3, { fingerprint: 'f3', replicas: 0 }]])), true);
    assert.deepEqual(repo.load(WORLD), new Map([[3, { fingerprint: 'f3', replicas: 0 }]]));

    repo.begin(WORLD);
    store.db.exec("UPDATE replicas SET policy_id = 'x'"); // no row: nothing changed
    store.db.exec("INSERT INTO replicas (record_id, site_id, created_at) VALUES ('r', 1, 't')");
    assert.equal(repo.settle(new Map([[1, { fingerprint: 'f1', replicas: 1 }]])), false, 'the state changed after begin');
    assert.equal(repo.load(WORLD), null);
    store.close();
  });

  for (const [table, ...writes] of STATE_WRITES) {
    it(`is forgotten by any change to ${table}`, () => {
      const store = freshStore();
      const repo = new InStepRepository(store.db);
      for (const sql of writes) {
        repo.begin(WORLD);
        repo.settle(new Map([[1, { fingerprint: 'f1', replicas: 1 }]]));
        assert.notEqual(repo.load(WORLD), null);
        const { changes } = store.db.prepare(sql).run();
        assert.equal(changes, 1, sql);
        assert.equal(repo.load(WORLD), null, sql);
      }
      store.close();
    });
  }

  it('outlives the bookkeeping of runs, events, site names and controller versions', () => {
    const store = freshStore();
    const repo = new InStepRepository(store.db);
    repo.begin(WORLD);
    repo.settle(new Map([[1, { fingerprint: 'f1', replicas: 1 }]]));
    for (const sql of OTHER_WRITES) store.db.exec(sql);
    assert.deepEqual(repo.load(WORLD), new Map([[1, { fingerprint: 'f1', replicas: 1 }]]));
    store.close();
  });
});
