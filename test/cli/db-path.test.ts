import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LEGACY_DB_PATH, resolveDbPath } from '../../src/cli/app.ts';

const none = () => false;
const only = (...paths: string[]) => (path: string) => paths.includes(path);

describe('where the database is', () => {
  it('--db, then DNSSYNC_DB, then the legacy DB_PATH, relative to the working directory', () => {
    const env = { DNSSYNC_DB: 'env.db', DB_PATH: '/legacy/path.db' };
    assert.equal(resolveDbPath('flag.db', env, '/work', none), '/work/flag.db');
    assert.equal(resolveDbPath(undefined, env, '/work', none), '/work/env.db');
    assert.equal(resolveDbPath(undefined, { DB_PATH: '/legacy/path.db' }, '/work', none), '/legacy/path.db');
    assert.equal(resolveDbPath(undefined, { DNSSYNC_DB: '', DB_PATH: '' }, '/work', none), '/work/dnssync.db');
  });

  it("falls back to the Python tool's /data/dns_sync.db only when there is no ./dnssync.db", () => {
    assert.equal(resolveDbPath(undefined, {}, '/data', only(LEGACY_DB_PATH)), LEGACY_DB_PATH);
    assert.equal(resolveDbPath(undefined, {}, '/data', only(LEGACY_DB_PATH, '/data/dnssync.db')), '/data/dnssync.db');
    assert.equal(resolveDbPath(undefined, {}, '/data', none), '/data/dnssync.db');
    assert.equal(resolveDbPath('x.db', {}, '/data', only(LEGACY_DB_PATH)), '/data/x.db', 'a named path always wins');
  });
});
