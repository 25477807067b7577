import assert from 'node:assert/strict';
import { join } from 'node:path';
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
});
