import assert from 'node:assert/strict';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, it } from 'node:test';
import { knownMigrations } from '../../src/store/migrations.ts';
import { runCli } from '../support/cli.ts';
import { tempDir } from '../support/tmp.ts';

const MIGRATIONS = knownMigrations();
const LATEST = MIGRATIONS.at(-1)!.version;
const NAMES = MIGRATIONS.map((m) => `${String(m.version).padStart(4, '0')} ${m.name}`).join(', ');

const dir = tempDir();

describe('dnssync migrate', () => {
  it('creates and migrates a new database, then has nothing to do', async () => {
    const db = join(dir, 'new.db');
    const first = await runCli(['migrate', '--db', db]);
    assert.equal(first.code, 0, first.stderr);
    assert.ok(first.stdout.includes(`applied ${MIGRATIONS.length} migration(s) (${NAMES}), schema version ${LATEST}\n`), first.stdout);
    assert.equal(statSync(db).mode & 0o777, 0o600);

    const second = await runCli(['migrate', '--db', db]);
    assert.equal(second.code, 0, second.stderr);
    assert.ok(second.stdout.includes(`up to date, schema version ${LATEST}`), second.stdout);
  });

  it('--status --json on a fresh path reports everything pending and creates nothing', async () => {
    const db = join(dir, 'status.db');
    const result = await runCli(['migrate', '--status', '--json', '--db', db]);
    assert.equal(result.code, 0, result.stderr);
    const status = JSON.parse(result.stdout);
    assert.equal(status.exists, false);
    assert.equal(status.schemaVersion, 0);
    assert.deepEqual(
      status.migrations.map((m: { version: number; status: string }) => [m.version, m.status]),
      knownMigrations().map((m) => [m.version, 'pending']),
    );
    assert.equal(existsSync(db), false);
    assert.equal(existsSync(`${db}-wal`), false);
  });

  it('--status after migrating lists the applied migrations as a table', async () => {
    const db = join(dir, 'status2.db');
    await runCli(['migrate', '--db', db]);
    const result = await runCli(['migrate', '--status', '--db', db]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /0001.*initial.*applied/);
    assert.ok(result.stdout.includes(`schema version ${LATEST} of ${LATEST}`), result.stdout);
    assert.doesNotMatch(result.stdout, /\x1b\[/, 'no ANSI escape on a pipe');
  });

  it('honours DNSSYNC_DB and the legacy DB_PATH, the flag first', async () => {
    const viaEnv = join(dir, 'env.db');
    const viaLegacy = join(dir, 'legacy-env.db');
    const viaFlag = join(dir, 'flag.db');
    assert.equal((await runCli(['migrate'], { env: { DNSSYNC_DB: viaEnv, DB_PATH: viaLegacy } })).code, 0);
    assert.equal((await runCli(['migrate'], { env: { DB_PATH: viaLegacy } })).code, 0);
    assert.equal((await runCli(['migrate', '--db', viaFlag], { env: { DNSSYNC_DB: join(dir, 'unused.db') } })).code, 0);
    assert.ok(existsSync(viaEnv) && existsSync(viaLegacy) && existsSync(viaFlag));
    assert.equal(existsSync(join(dir, 'unused.db')), false);
  });

  it('refuses a database from a newer dnssync with exit 1', async () => {
    const db = join(dir, 'future.db');
    await runCli(['migrate', '--db', db]);
    const raw = new DatabaseSync(db);
    raw.exec("INSERT INTO schema_migrations VALUES (99, 'future', 'x', '2031-01-01T00:00:00.000Z')");
    raw.close();
    const result = await runCli(['migrate', '--db', db, '--log-format', 'text']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^error: database .*future\.db has schema version 99, newer than this dnssync supports \(\d+\); upgrade dnssync\n$/);
    assert.ok(result.stderr.includes(`supports (${LATEST})`));
    assert.equal(result.stdout, '');
  });

  it('refuses a text file passed as database with exit 1, naming it and suggesting repair', async () => {
    const db = join(dir, 'notes.txt');
    writeFileSync(db, 'this is not a database, just some notes that are long enough to fill a header\n');
    const result = await runCli(['migrate', '--db', db]);
    assert.equal(result.code, 1);
    const line = JSON.parse(result.stderr.trim()); // JSON lines: stderr is not a terminal
    assert.equal(line.level, 'error');
    assert.match(line.msg, /notes\.txt is not a SQLite database.*dnssync repair/);
  });
});

describe('the command line', () => {
  it('--version prints the version', async () => {
    const result = await runCli(['--version']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^\d+\.\d+\.\d+\n$/);
  });

  it('--help lists the commands and the global options', async () => {
    const result = await runCli(['--help']);
    assert.equal(result.code, 0);
    for (const text of ['migrate', '--config', '--db', '--log-format', '--log-level', '--no-color', '--quiet', '--version']) {
      assert.ok(result.stdout.includes(text), `help mentions ${text}`);
    }
    const sub = await runCli(['migrate', '--help']);
    assert.match(sub.stdout, /--status/);
    assert.match(sub.stdout, /Global Options/);
  });

  it('exits 2 with one line for an unknown option, a missing command and a bad log format', async () => {
    const unknown = await runCli(['migrate', '--frobnicate', '--log-format', 'text']);
    assert.equal(unknown.code, 2);
    assert.equal(unknown.stderr, "dnssync: unknown option '--frobnicate' (see dnssync migrate --help)\n");

    const none = await runCli([]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /Usage: dnssync/);

    const badFormat = await runCli(['migrate', '--log-format', 'xml', '--db', join(dir, 'x.db')]);
    assert.equal(badFormat.code, 2);
    assert.match(badFormat.stderr, /--log-format: expected text or json, got 'xml'/);

    const badEnv = await runCli(['migrate', '--db', join(dir, 'x.db')], { env: { DNSSYNC_LOG_LEVEL: 'loud' } });
    assert.equal(badEnv.code, 2);
    assert.match(badEnv.stderr, /DNSSYNC_LOG_LEVEL: expected one of error, warn, info, debug, got 'loud'/);
  });

  it('refuses, with one line, to run on a Node older than 22.13', async (t) => {
    const { spawnSync } = await import('node:child_process');
    const old = spawnSync('/usr/bin/env', ['node', '--version'], { encoding: 'utf8', env: { PATH: '/usr/local/bin:/usr/bin:/bin' } });
    const version = old.stdout.trim();
    if (!/^v(1\d|2[01])\./.test(version) && !/^v22\.(\d|1[0-2])\./.test(version)) {
      t.skip(`the machine's Node is ${version}, not older than 22.13`);
      return;
    }
    const { BIN } = await import('../support/cli.ts');
    const result = spawnSync('/usr/bin/env', ['node', BIN, '--version'], { encoding: 'utf8', env: { PATH: '/usr/local/bin:/usr/bin:/bin' } });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /^dnssync needs Node\.js 22\.13 or newer .*this is Node \d+/);
    assert.equal(result.stderr.trim().split('\n').length, 1);
  });
});
