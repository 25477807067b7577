import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { before, describe, it } from 'node:test';
import { DatabaseError } from '../../src/domain/errors.ts';
import { recordId } from '../../src/domain/record.ts';
import { guard, openStore } from '../../src/store/database.ts';
import { tempDir } from '../support/tmp.ts';
import { breakOverflowChain, copyDatabase, damageRoot, fingerprint, garbleMiddlePage, truncateMidPage } from './damage.ts';

const dir = tempDir('dnssync-damage-');
let n = 0;
const copy = (from: string) => copyDatabase(from, join(dir, `copy-${++n}.db`));

/** A dnssync database over a few hundred pages: records, origins, replicas and events in every table and index. */
function populated(): string {
  const path = join(dir, 'populated.db');
  const store = openStore(path, { create: true });
  const db = store.db;
  db.exec(`BEGIN;
    INSERT INTO controllers (host, name, url) VALUES ('ctl', 'ctl', 'https://ctl');
    INSERT INTO sites (id, controller_host, uuid, first_seen) VALUES (1, 'ctl', 'u1', '2026-01-01T00:00:00.000Z'), (2, 'ctl', 'u2', '2026-01-01T00:00:00.000Z');
    INSERT INTO runs (id, started_at, mode, host, pid, user, version, policy) VALUES (1, '2026-01-01T00:00:00.000Z', 'sync', 'h', 1, 'u', '0', 'sync');`);
  const record = db.prepare("INSERT INTO dns_records (id, type, domain, target, record_raw, first_seen) VALUES (?, 'A_RECORD', ?, ?, ?, '2026-01-01T00:00:00.000Z')");
  const origin = db.prepare("INSERT INTO record_origins VALUES (?, 1, '2026-01-01T00:00:00.000Z', ?, '{\"enabled\":true}')");
  const replica = db.prepare("INSERT INTO replicas (record_id, site_id, policy_id, created_at) VALUES (?, 2, ?, '2026-01-01T00:00:01.000Z')");
  const event = db.prepare("INSERT INTO sync_events (run_id, record_id, type, domain, target, site_id, status, timestamp) VALUES (1, ?, 'A_RECORD', ?, ?, 2, 'CREATED', '2026-01-01T00:00:01.000Z')");
  for (let i = 0; i < 1500; i++) {
    const [domain, ip] = [`host-${i}.lan`, `10.0.${i >> 8}.${i & 255}`];
    const id = recordId('A_RECORD', domain, ip);
    record.run(id, domain, ip, JSON.stringify({ type: 'A_RECORD', domain, ipv4Address: ip }));
    origin.run(id, `native-${i}`);
    replica.run(id, `replica-${i}`);
    event.run(id, domain, ip);
  }
  // One row long enough to span several overflow pages, which no b-tree walk reads.
  const text = 'x'.repeat(12_000);
  record.run(recordId('TXT_RECORD', 'long.lan', text), 'long.lan', text, JSON.stringify({ type: 'TXT_RECORD', domain: 'long.lan', text }));
  db.exec('COMMIT');
  store.close();
  return path;
}

const refusal = (path: string) => (e: unknown) =>
  e instanceof DatabaseError && e.message.includes(`database ${path} is corrupt`) && e.message.includes(`dnssync repair --db ${path}`);

describe('openStore: a damaged database is refused before anything is written to it', () => {
  let pristine: string;
  before(() => {
    pristine = populated();
  });

  const damages: Array<[string, (path: string) => string]> = [
    ['garbage over the b-tree page in the middle of the file', garbleMiddlePage],
    ['the file cut off in the middle of its last page', truncateMidPage],
    ['garbage over the root page of an index', (path) => damageRoot(path, 'replicas_policy')],
  ];
  for (const [name, damage] of damages) {
    it(`${name}: refused by a writing open and by a verifying read-only one, file untouched`, () => {
      const path = copy(pristine);
      const what = damage(path);
      const before = fingerprint(path);
      assert.throws(() => openStore(path, { create: true }), refusal(path), what);
      assert.deepEqual(fingerprint(path), before, `${what}: the file as it was, and no -wal or -shm left beside it`);
      assert.throws(() => openStore(path, { create: false, readOnly: true, verify: true }), refusal(path), what);
      assert.equal(fingerprint(path).sha, before.sha, what);
    });
  }

  it('says why a file cut off mid-page is damaged', () => {
    const path = copy(pristine);
    truncateMidPage(path);
    assert.throws(() => openStore(path, { create: true }), /ends in the middle of a page: \d+ bytes is not a whole number of 4096-byte pages/);
  });

  it('walks every table and index: garbage over the root of any one of them is found', () => {
    const names = new DatabaseSync(pristine, { readOnly: true });
    const btrees = (names.prepare("SELECT name FROM sqlite_master WHERE rootpage > 1 ORDER BY name").all() as Array<{ name: string }>).map((r) => r.name);
    names.close();
    assert.ok(btrees.length >= 20, `${btrees.length} b-trees`);
    const missed = btrees.filter((name) => {
      const path = copy(pristine);
      damageRoot(path, name);
      try {
        openStore(path, { create: true }).close();
        return true;
      } catch (error) {
        return !refusal(path)(error);
      }
    });
    assert.deepEqual(missed, []);
  });

  it('opens a clean database, and leaves it as it was when nothing was pending', () => {
    const path = copy(pristine);
    const before = fingerprint(path).sha;
    openStore(path, { create: true }).close();
    assert.equal(fingerprint(path).sha, before);
  });

  it('damage inside a row the walk does not read is reported, naming the file, by the statement that reads it', () => {
    const path = copy(pristine);
    breakOverflowChain(path);
    const store = openStore(path, { create: true });
    try {
      assert.throws(
        () => guard(path, () => store.db.prepare("SELECT length(record_raw) FROM dns_records WHERE domain = 'long.lan'").get()),
        refusal(path),
      );
    } finally {
      store.close();
    }
  });
});
