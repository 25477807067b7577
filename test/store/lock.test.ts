import assert from 'node:assert/strict';
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, it } from 'node:test';
import { LockHeldError } from '../../src/domain/errors.ts';
import { openStore } from '../../src/store/database.ts';
import { SyncLock } from '../../src/store/lock.ts';
import { tempDir } from '../support/tmp.ts';

const dir = tempDir();
let n = 0;
const fresh = () => openStore(join(dir, `lock-${++n}.db`), { create: true });

describe('SyncLock', () => {
  it('lets one holder in and names it to the next', () => {
    const store = fresh();
    const first = new SyncLock(store.db, store.path, { host: 'h1', pid: 100, staleAfterMs: 60_000, isAlive: () => true });
    const second = new SyncLock(store.db, store.path, { host: 'h1', pid: 200, staleAfterMs: 60_000, isAlive: () => true });
    assert.equal(first.acquire().takenOver, null);
    assert.throws(() => second.acquire(), (e: unknown) => e instanceof LockHeldError && /host h1, pid 100, since \d{4}-/.test(e.message));
    first.release();
    assert.equal(second.acquire().takenOver, null);
    store.close();
  });

  it('takes over the lock of a dead process on this host at once', () => {
    const store = fresh();
    new SyncLock(store.db, store.path, { host: 'h1', pid: 100, staleAfterMs: 60_000 }).acquire();
    const next = new SyncLock(store.db, store.path, { host: 'h1', pid: 200, staleAfterMs: 60_000, isAlive: (pid) => pid !== 100 });
    assert.equal(next.acquire().takenOver?.pid, 100);
    store.close();
  });

  it('takes over a lock held on another host only once its heartbeat is stale', () => {
    const store = fresh();
    const elsewhere = new SyncLock(store.db, store.path, { host: 'pod-a', pid: 1, staleAfterMs: 60_000 });
    elsewhere.acquire();
    const here = new SyncLock(store.db, store.path, { host: 'pod-b', pid: 1, staleAfterMs: 60_000 });
    assert.throws(() => here.acquire(), LockHeldError);
    store.db.exec("UPDATE sync_lock SET heartbeat_at = '2000-01-01T00:00:00.000Z'");
    assert.equal(here.acquire().takenOver?.host, 'pod-a');
    store.close();
  });

  it('treats its own pid in the row as an earlier life of this container', () => {
    const store = fresh();
    new SyncLock(store.db, store.path, { host: 'pod', pid: 1, staleAfterMs: 60_000 }).acquire();
    assert.equal(new SyncLock(store.db, store.path, { host: 'pod', pid: 1, staleAfterMs: 60_000, isAlive: () => true }).acquire().takenOver?.pid, 1);
    store.close();
  });

  it('releases only its own lock', () => {
    const store = fresh();
    const holder = new SyncLock(store.db, store.path, { host: 'h', pid: 1, staleAfterMs: 60_000, isAlive: () => true });
    holder.acquire();
    new SyncLock(store.db, store.path, { host: 'h', pid: 2, staleAfterMs: 60_000 }).release();
    assert.equal(holder.holder()?.pid, 1);
    store.close();
  });

  it('takes over a lock on this host whose pid is alive but whose heartbeat is stale: the pid was reused', () => {
    const store = fresh();
    new SyncLock(store.db, store.path, { host: 'h1', pid: 100, staleAfterMs: 60_000 }).acquire();
    const next = new SyncLock(store.db, store.path, { host: 'h1', pid: 200, staleAfterMs: 60_000, isAlive: () => true });
    assert.throws(() => next.acquire(), LockHeldError, 'a fresh heartbeat: the holder is running');
    store.db.exec("UPDATE sync_lock SET heartbeat_at = '2000-01-01T00:00:00.000Z'");
    assert.match(next.staleReason(next.holder()!)!, /lock of pid 100 on this host with no heartbeat since 2000-01-01T00:00:00.000Z \(stale after 60 s; that pid runs/);
    assert.equal(next.acquire().takenOver?.pid, 100);
    store.close();
  });

  it('takes a heartbeat it cannot read for stale', () => {
    const store = fresh();
    new SyncLock(store.db, store.path, { host: 'pod-a', pid: 1 }).acquire();
    store.db.exec("UPDATE sync_lock SET heartbeat_at = 'yesterday'");
    assert.equal(new SyncLock(store.db, store.path, { host: 'pod-b', pid: 1 }).acquire().takenOver?.host, 'pod-a');
    store.close();
  });
});

describe('SyncLock.watch: a dry run beside a sync', () => {
  const identity = { host: 'h', pid: 300, staleAfterMs: 60_000, isAlive: () => true };

  it('exits 5 at once while a live sync holds the lock, naming it', () => {
    const store = fresh();
    new SyncLock(store.db, store.path, { ...identity, pid: 100 }).acquire();
    assert.throws(
      () => new SyncLock(store.db, store.path, identity).watch(),
      (e: unknown) => e instanceof LockHeldError && /another sync holds the database .*: host h, pid 100, since \d{4}-.*; a dry run now would plan against lists it is changing/.test(e.message),
    );
    store.close();
  });

  it('is not stopped by a stale lock, and answers when no sync ran meanwhile', () => {
    const store = fresh();
    new SyncLock(store.db, store.path, { ...identity, pid: 100, isAlive: () => false }).acquire();
    const end = new SyncLock(store.db, store.path, { ...identity, isAlive: () => false }).watch();
    assert.doesNotThrow(end);
    store.close();
  });

  it('exits 5 at its end when a sync took the lock meanwhile, whether it holds it still or is done', () => {
    const store = fresh();
    const dry = new SyncLock(store.db, store.path, identity);
    const sync = new SyncLock(store.db, store.path, { ...identity, pid: 100 });
    const holding = dry.watch();
    sync.acquire();
    assert.throws(holding, /another sync holds the database .*pid 100.*a dry run meanwhile/);
    sync.release();

    const ran = dry.watch();
    sync.acquire();
    store.db.exec("INSERT INTO runs (started_at, mode, host, pid, user, version, policy) VALUES ('2026-01-01T00:00:00.000Z', 'sync', 'h', 100, 'u', '0', 'sync')");
    sync.release();
    assert.throws(ran, (e: unknown) => e instanceof LockHeldError && /a sync ran on the database .* while this dry run read the controllers \(run 1: host h, pid 100/.test(e.message));
    store.close();
  });
});

describe('SyncLock.releaseIfSound: after SQLite reported the file damaged', () => {
  it('removes its row when the lock table reads as sound', () => {
    const store = fresh();
    const lock = new SyncLock(store.db, store.path, { host: 'h', pid: 1 });
    lock.acquire();
    assert.equal(lock.releaseIfSound(), true);
    assert.equal(lock.holder(), null);
    store.close();
  });

  it('leaves the row, and the damaged page, as they are when the lock table itself is damaged', () => {
    const store = fresh();
    const lock = new SyncLock(store.db, store.path, { host: 'h', pid: 1 });
    lock.acquire();
    store.db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    const root = (store.db.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'sync_lock'").get() as { rootpage: number }).rootpage;
    const garbage = Buffer.alloc(4096, 0x5a);
    const fd = openSync(store.path, 'r+');
    writeSync(fd, garbage, 0, 4096, (root - 1) * 4096);
    closeSync(fd);
    // Another connection's commit makes this one drop the pages it has cached, as a running sync would.
    const other = new DatabaseSync(store.path);
    other.exec("INSERT INTO schema_migrations VALUES (999, 'x', 'x', 'x'); DELETE FROM schema_migrations WHERE version = 999");
    other.close();
    assert.equal(lock.releaseIfSound(), false);
    store.db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    const page = Buffer.alloc(4096);
    const read = openSync(store.path, 'r');
    readSync(read, page, 0, 4096, (root - 1) * 4096);
    closeSync(read);
    assert.ok(page.equals(garbage), 'no write reached the damaged page');
    store.close();
  });
});

