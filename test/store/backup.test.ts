import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, it } from 'node:test';
import { fileStamp } from '../../src/domain/time.ts';
import { BackupError, writeBackup } from '../../src/store/backup.ts';
import { dataVersion } from '../../src/store/data-version.ts';
import { isBusy, isCorruption } from '../../src/store/sqlite-errors.ts';
import { tempDir } from '../support/tmp.ts';

/** What the legacy conversion and repair share below them: the backup writer, SQLite's errors, data_version, the file stamp. */

const dir = tempDir('dnssync-backup-');
let n = 0;

/** A database in the rollback-journal mode, where a writer's exclusive lock shuts out readers. */
function database(rows: number): { path: string; db: DatabaseSync } {
  const path = join(dir, `db-${++n}.db`);
  const db = new DatabaseSync(path);
  db.exec('CREATE TABLE t (x INTEGER)');
  const insert = db.prepare('INSERT INTO t VALUES (?)');
  for (let i = 0; i < rows; i++) insert.run(i);
  return { path, db };
}

function rowsOf(path: string): unknown[] {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return db.prepare('SELECT x FROM t ORDER BY x').all().map((r) => ({ ...r }));
  } finally {
    db.close();
  }
}

const filesOf = (path: string) => readdirSync(dir).filter((f) => f.startsWith(`${path.split('/').pop()}.`));

describe('writeBackup', () => {
  it('writes a readable copy into a new 0600 file, and the next free name when that one is taken', () => {
    const { path, db } = database(3);
    const first = writeBackup(db, `${path}.backup-X`);
    assert.equal(first, `${path}.backup-X`);
    assert.equal(statSync(first).mode & 0o777, 0o600);
    assert.deepEqual(rowsOf(first), [{ x: 0 }, { x: 1 }, { x: 2 }]);

    db.exec('INSERT INTO t VALUES (3)');
    const bytes = readFileSync(first);
    const second = writeBackup(db, `${path}.backup-X`);
    assert.equal(second, `${path}.backup-X-2`);
    assert.equal(rowsOf(second).length, 4);
    assert.deepEqual(readFileSync(first), bytes, 'the first copy is left as it was');
    db.close();
  });

  it('leaves no file behind when SQLite cannot copy (another connection holds the lock), and says which file it was', () => {
    const { path, db } = database(1);
    db.close();
    const writer = new DatabaseSync(path);
    writer.exec('BEGIN EXCLUSIVE');
    const reader = new DatabaseSync(path, { timeout: 0 });
    try {
      assert.throws(
        () => writeBackup(reader, `${path}.legacy-Y`),
        (error: unknown) => error instanceof BackupError && error.path === `${path}.legacy-Y` && isBusy(error.cause) && !isCorruption(error.cause),
      );
      assert.ok(!existsSync(`${path}.legacy-Y`), 'the empty file made for the copy is removed');
      assert.deepEqual(filesOf(path).filter((f) => f.includes('legacy')), []);
    } finally {
      writer.exec('ROLLBACK');
      writer.close();
      reader.close();
    }
  });

  it('fails as a BackupError naming the file when the folder is not there', () => {
    const { db } = database(1);
    const base = join(dir, 'no-such-folder', 'db.backup-Z');
    assert.throws(
      () => writeBackup(db, base),
      (error: unknown) => error instanceof BackupError && error.path === base && (error.cause as NodeJS.ErrnoException).code === 'ENOENT' && /cannot write the backup copy .*db\.backup-Z/.test(error.message),
    );
    db.close();
  });
});

describe('SQLite errors', () => {
  it('tells corruption (a file that is no database) from a lock, and neither from errors that are not SQLite’s', () => {
    const path = join(dir, 'not-a-database.db');
    writeFileSync(path, 'not a database at all, just text\n'.repeat(128));
    const db = new DatabaseSync(path, { readOnly: true });
    let error: unknown;
    try {
      db.prepare('SELECT * FROM sqlite_schema').all();
    } catch (caught) {
      error = caught;
    } finally {
      db.close();
    }
    assert.ok(isCorruption(error), String(error));
    assert.equal(isBusy(error), false);
    for (const other of [new Error('database is locked'), Object.assign(new Error('x'), { errcode: 5 }), null, undefined]) {
      assert.equal(isBusy(other), false);
      assert.equal(isCorruption(other), false);
    }
  });
});

describe('dataVersion', () => {
  it('changes when another connection commits, and not for the connection’s own commits', () => {
    const { path, db } = database(0);
    const other = new DatabaseSync(path);
    const start = dataVersion(db);
    db.exec('INSERT INTO t VALUES (1)');
    assert.equal(dataVersion(db), start);
    other.exec('INSERT INTO t VALUES (2)');
    assert.notEqual(dataVersion(db), start);
    other.close();
    db.close();
  });
});

describe('fileStamp', () => {
  it('is UTC to the second, without separators or fraction', () => {
    assert.equal(fileStamp(new Date('2026-11-22T08:11:21.999Z')), '20261122T081121Z');
    assert.equal(fileStamp(new Date('2026-01-02T00:00:00+01:00')), '20260101T230000Z');
  });
});
