import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DatabaseError } from '../../src/domain/errors.ts';
import type { DnsRecord } from '../../src/domain/record.ts';
import { openStore, type Store } from '../../src/store/database.ts';
import { WriteThread } from '../../src/store/write-thread.ts';
import { tempDir } from '../support/tmp.ts';

const AT = '2026-11-26T10:00:00.000Z';
const NAS: DnsRecord = { id: 'A_RECORD|nas.home|10.0.0.5', type: 'A_RECORD', domain: 'nas.home', target: '10.0.0.5', fields: { type: 'A_RECORD', domain: 'nas.home', ipv4Address: '10.0.0.5' } };
const WWW: DnsRecord = { id: 'A_RECORD|www.home|10.0.0.6', type: 'A_RECORD', domain: 'www.home', target: '10.0.0.6', fields: { type: 'A_RECORD', domain: 'www.home', ipv4Address: '10.0.0.6' } };

/** A migrated database with a controller, site 1, run 1 and two records, as a sync has it when apply starts. */
function seeded(): Store {
  const store = openStore(join(tempDir('write-thread-'), 'dnssync.db'), { create: true });
  store.db.exec(`
    INSERT INTO controllers (host, name, url) VALUES ('ctl.example', 'home', 'https://ctl.example');
    INSERT INTO sites (id, controller_host, uuid, first_seen) VALUES (1, 'ctl.example', '88f7af54-98f8-306a-a1c7-c9349722b1f6', '${AT}');
    INSERT INTO runs (id, started_at, mode, host, pid, user, version, policy) VALUES (1, '${AT}', 'sync', 'box', 100, 'ops', '0.1.0', 'sync');
  `);
  const insert = store.db.prepare(`INSERT INTO dns_records (id, type, domain, target, record_raw, first_seen) VALUES (?, ?, ?, ?, '{}', '${AT}')`);
  for (const r of [NAS, WWW]) insert.run(r.id, r.type, r.domain, r.target);
  return store;
}

const count = (store: Store, table: string) => (store.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

describe("store: apply's writes on a connection in a worker thread", () => {
  it('commits each transaction, in the order asked, before its promise resolves', async () => {
    const store = seeded();
    const thread = new WriteThread(store.path);
    try {
      // Asked back to back without waiting: the second settles the intent the first made.
      const intended = thread.transaction(({ replicas }) => replicas.intendCreates([NAS.id, WWW.id], 1, 1));
      const settled = thread.transaction(({ replicas, events }) => {
        replicas.createsSettled(1, 1, [NAS.id, 'policy-1'], AT);
        events.add({ runId: 1, record: NAS, siteKey: 1, status: 'CREATED', reason: null, at: AT });
      });
      await intended;
      await settled;
      assert.equal(count(store, 'create_intents'), 0);
      assert.deepEqual(store.db.prepare('SELECT record_id, site_id, policy_id FROM replicas').all().map((r) => ({ ...r })), [{ record_id: NAS.id, site_id: 1, policy_id: 'policy-1' }]);
      assert.deepEqual(store.db.prepare('SELECT record_id, status FROM sync_events').all().map((r) => ({ ...r })), [{ record_id: NAS.id, status: 'CREATED' }]);

      await thread.transaction(({ replicas }) => replicas.intendCreates([WWW.id], 1, 1));
      assert.deepEqual(store.db.prepare('SELECT run_id, site_id, record_ids FROM create_intents').all().map((r) => ({ ...r })), [{ run_id: 1, site_id: 1, record_ids: JSON.stringify([WWW.id]) }]);
    } finally {
      await thread.close();
      store.close();
    }
  });

  it("rejects a transaction that fails with SQLite's own error, rolled back whole, and carries out the next", async () => {
    const store = seeded();
    const thread = new WriteThread(store.path);
    try {
      const failed = thread.transaction(({ replicas }) => {
        replicas.intendCreates([NAS.id], 1, 1);
        replicas.intendCreates([WWW.id], 99, 1); // no site 99: a foreign key fails
      });
      await assert.rejects(failed, (error: Error & { code?: string; errcode?: number }) => {
        assert.equal(error.code, 'ERR_SQLITE_ERROR');
        assert.equal((error.errcode ?? 0) & 0xff, 19); // SQLITE_CONSTRAINT
        assert.match(error.message, /FOREIGN KEY/);
        return true;
      });
      assert.equal(count(store, 'create_intents'), 0, 'the first call of the failed transaction is rolled back with it');
      await thread.transaction(({ replicas }) => replicas.intendCreates([NAS.id], 1, 1));
      assert.equal(count(store, 'create_intents'), 1);
    } finally {
      await thread.close();
      store.close();
    }
  });

  it('a database it cannot open fails each transaction with one DatabaseError naming the file', async () => {
    const path = join(tempDir('write-thread-'), 'missing', 'dnssync.db');
    const thread = new WriteThread(path);
    try {
      for (let i = 0; i < 2; i++) {
        await assert.rejects(thread.transaction(({ replicas }) => replicas.intendCreates([NAS.id], 1, 1)), (error: Error) => {
          assert.ok(error instanceof DatabaseError, String(error));
          assert.ok(error.message.includes(path), error.message);
          return true;
        });
      }
    } finally {
      await thread.close();
    }
  });

  it('refuses a transaction asked once it is closed, rather than losing it', async () => {
    const store = seeded();
    const thread = new WriteThread(store.path);
    await thread.transaction(({ replicas }) => replicas.intendCreates([NAS.id], 1, 1));
    await thread.close();
    await assert.rejects(thread.transaction(({ replicas }) => replicas.createsSettled(1, 1, [], AT)), /ended/);
    assert.equal(count(store, 'create_intents'), 1);
    store.close();
  });
});
