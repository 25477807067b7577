import assert from 'node:assert/strict';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, it } from 'node:test';
import { DatabaseError } from '../../src/domain/errors.ts';
import { openStore, toDatabaseError } from '../../src/store/database.ts';
import { tempDir } from '../support/tmp.ts';
import { fingerprint } from './damage.ts';

const dir = tempDir('dnssync-paths-');
let n = 0;
const fresh = () => join(dir, `db-${++n}.db`);

/** A DatabaseError naming `path`, with no raw errno code in it. */
const named = (path: string, pattern: RegExp) => (e: unknown) =>
  e instanceof DatabaseError && e.message.includes(path) && pattern.test(e.message) && !/\bE[A-Z]{3,}\b/.test(e.message);

describe('openStore: paths it cannot use are named', () => {
  it('a directory, for a command that writes and for one that reads', () => {
    const path = join(dir, 'a-directory');
    mkdirSync(path);
    for (const options of [{ create: true }, { create: false, readOnly: true }]) {
      assert.throws(() => openStore(path, options), named(path, /is a directory, not a database file/));
    }
  });

  it('a path below a file', () => {
    const file = fresh();
    writeFileSync(file, '');
    const path = join(file, 'x.db');
    assert.throws(() => openStore(path, { create: true }), named(path, /cannot (create|reach)/));
  });

  it('a file system error met later on the database or beside it names that file', () => {
    const path = fresh();
    const error = Object.assign(new Error(`EACCES: permission denied, open '${path}-shm'`), { code: 'EACCES', syscall: 'open', path: `${path}-shm` });
    assert.equal(toDatabaseError(error, path)?.message, `database ${path}-shm: permission denied`);
    assert.equal(toDatabaseError(new Error('not about files'), path), undefined);
  });
});

describe('openStore: a file that is not a dnssync database', () => {
  it("another program's SQLite file is refused by every open and gets no dnssync table", () => {
    const path = fresh();
    const other = new DatabaseSync(path);
    other.exec('CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT); CREATE TABLE moz_bookmarks (id INTEGER PRIMARY KEY)');
    other.close();
    const before = fingerprint(path).sha;
    for (const options of [{ create: true }, { create: false, readOnly: true }, { create: false, readOnly: true, allowPending: true }]) {
      assert.throws(() => openStore(path, options), named(path, /is not a dnssync database: it is another program's SQLite file \(tables moz_bookmarks, moz_places\)/));
    }
    assert.equal(fingerprint(path).sha, before);
  });

  it('an empty file: a command that reads says so; one that writes makes it a dnssync database', () => {
    const path = fresh();
    writeFileSync(path, '');
    assert.throws(() => openStore(path, { create: false, readOnly: true }), named(path, /is not a dnssync database yet: it is empty/));
    assert.equal(statSync(path).size, 0, 'left empty');
    const store = openStore(path, { create: false });
    assert.ok(store.applied.length > 0);
    store.close();
    openStore(path, { create: false, readOnly: true }).close();
  });
});

describe('openStore: a command that only reads writes nothing', () => {
  it('refuses a database that needs a migration, pointing to dnssync migrate; migrate --status may still read it', () => {
    const path = fresh();
    openStore(path, { create: true }).close();
    const db = new DatabaseSync(path);
    db.exec('DELETE FROM schema_migrations WHERE version = (SELECT max(version) FROM schema_migrations)');
    db.close();
    const before = fingerprint(path).sha;
    assert.throws(() => openStore(path, { create: false, readOnly: true }), named(path, /older than this dnssync's \d+; this command only reads: run 'dnssync migrate --db /));
    openStore(path, { create: false, readOnly: true, allowPending: true }).close();
    assert.equal(fingerprint(path).sha, before);
  });
});
