import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, it } from 'node:test';
import type { Scenario } from '../../fixtures/simulator/index.ts';
import { runCli, type CliResult } from '../support/cli.ts';
import { syncEnv } from '../support/sync-env.ts';
import { sha } from '../store/damage.ts';

const scenario: Scenario = {
  controllers: [{ name: 'a', sites: [{ internalReference: 'default', policies: [{ type: 'A_RECORD', domain: 'x.lan', ipv4Address: '10.0.0.1' }] }, { internalReference: 'b' }] }],
};
const env = await syncEnv(scenario);
const run = (args: string[], db: string) => runCli([...args, '--db', db, '--config', env.configFile, '--log-format', 'text']);
const COMMANDS = [['sync'], ['sync', '--dry-run'], ['history'], ['orphans'], ['migrate'], ['migrate', '--status'], ['repair', '--check']];

/** Exit 1 and one line (beside the simulator's plain-http warning) naming the path; no internal error. */
function assertNamed(result: CliResult, path: string, pattern: RegExp, what: string): void {
  assert.equal(result.code, 1, `${what}: ${result.stderr}`);
  const lines = result.stderr.trim().split('\n').filter((line) => !/^warn: .*plain http/.test(line));
  assert.equal(lines.length, 1, `${what}: ${result.stderr}`);
  assert.ok(lines[0]!.includes(path), `${what}: ${lines[0]}`);
  assert.match(lines[0]!, pattern, `${what}: ${lines[0]}`);
  assert.doesNotMatch(lines[0]!, /internal error|\bE[A-Z]{3,}\b/, `${what}: ${lines[0]}`);
}

describe('database paths no command can use', () => {
  it('a directory: every command exits 1 in one line naming it', async () => {
    const path = join(env.dir, 'a-directory');
    mkdirSync(path);
    for (const args of COMMANDS) assertNamed(await run(args, path), path, /is a directory/, args.join(' '));
    assert.equal(env.sim.requests().filter((r) => r.method !== 'GET').length, 0);
  });

  it('a missing directory: commands that write say so, commands that read find no database; nothing is created', async () => {
    const path = join(env.dir, 'missing', 'dnssync.db');
    for (const args of [['sync'], ['migrate']]) assertNamed(await run(args, path), path, /cannot create database .*: directory .*missing does not exist/, args.join(' '));
    for (const args of [['history'], ['orphans']]) assertNamed(await run(args, path), path, /no database at/, args.join(' '));
    assert.equal((await run(['sync', '--dry-run'], path)).code, 0, 'a dry run plans from nothing where there is no database');
    assert.equal(existsSync(join(env.dir, 'missing')), false);
  });
});

describe('files that are not a dnssync database', () => {
  it("another program's SQLite file: named as such by every command that opens it, and left as it was", async () => {
    const path = join(env.dir, 'places.sqlite');
    const other = new DatabaseSync(path);
    other.exec("PRAGMA journal_mode = DELETE; CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT); INSERT INTO moz_places VALUES (1, 'https://example.org')");
    other.close();
    const before = sha(path);
    for (const args of COMMANDS.filter(([c]) => c !== 'repair')) {
      assertNamed(await run(args, path), path, /is not a dnssync database: it is another program's SQLite file \(tables moz_places\)/, args.join(' '));
    }
    assert.equal(sha(path), before);
  });

  it('an empty file: a dry run says it is no dnssync database yet (no raw "no such table"); a sync makes it one', async () => {
    const path = join(env.dir, 'empty.db');
    writeFileSync(path, '');
    for (const args of [['sync', '--dry-run'], ['history'], ['orphans']]) {
      assertNamed(await run(args, path), path, /is not a dnssync database yet: it is empty/, args.join(' '));
    }
    const sync = await run(['sync'], path);
    assert.equal(sync.code, 0, sync.stderr);
  });
});
