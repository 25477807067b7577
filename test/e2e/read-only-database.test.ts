import assert from 'node:assert/strict';
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Scenario } from '../../fixtures/simulator/index.ts';
import { runCli, type CliResult } from '../support/cli.ts';
import { syncEnv } from '../support/sync-env.ts';
import { sha } from '../store/damage.ts';

/**
 * Root passes every permission check, so as root the commands run as nobody (65534), for whom
 * the modes below are what they say; as anyone else, as themselves.
 */
const root = process.getuid?.() === 0;
const reader = root ? { uid: 65534, gid: 65534 } : {};
const own = (path: string) => root && chownSync(path, 65534, 65534);

const scenario: Scenario = {
  controllers: [{ name: 'a', sites: [{ internalReference: 'default', generate: { count: 5, domainPattern: 'h{i}.lan' } }, { internalReference: 'b' }] }],
};
const env = await syncEnv(scenario);
assert.equal((await env.sync()).code, 0);
// The reader must reach the config, its key files and the copies below.
chmodSync(env.dir, 0o755);
for (const c of env.sim.controllers) own(join(env.dir, `${c.name}.key`));

const run = (args: string[], db: string) => runCli([...args, '--db', db, '--config', env.configFile, '--log-format', 'text'], reader);

/** A copy of the database in a folder of its own, with the modes the test gives them, restored after `work`. */
async function withCopy(name: string, modes: { dir: number; file: number }, work: (db: string) => Promise<void>): Promise<void> {
  const dir = join(env.dir, name);
  mkdirSync(dir);
  const db = join(dir, 'dnssync.db');
  copyFileSync(env.db, db);
  for (const path of [dir, db]) own(path);
  chmodSync(db, modes.file);
  chmodSync(dir, modes.dir);
  try {
    await work(db);
  } finally {
    chmodSync(dir, 0o755);
  }
}

/** Exit 1 and one line naming the path, beside the simulator's plain-http warning; no internal error. */
function assertNamed(result: CliResult, db: string, pattern: RegExp, what: string): void {
  assert.equal(result.code, 1, `${what}: ${result.stderr}`);
  const lines = result.stderr.trim().split('\n').filter((line) => !/^warn: .*plain http/.test(line));
  assert.equal(lines.length, 1, `${what}: ${result.stderr}`);
  assert.ok(lines[0]!.includes(db), `${what}: ${lines[0]}`);
  assert.match(lines[0]!, pattern, what);
  assert.doesNotMatch(lines[0]!, /internal error|\bE[A-Z]{3,}\b/, what);
}

const READERS: Array<[string[], RegExp]> = [
  [['history', '--limit', '3'], /CREATED/],
  [['history', '--runs'], /success/],
  [['orphans'], /no orphans/],
  [['migrate', '--status'], /schema version \d+ of \d+/],
  [['repair', '--check'], /no problem/i],
  [['sync', '--dry-run'], /^No changes: \d+ sites in step\.$/m],
];
const WRITERS = [['sync'], ['migrate'], ['orphans', '--prune']];

describe('a database the reader may not write', () => {
  for (const [name, modes, cause] of [
    ['in a read-only directory', { dir: 0o555, file: 0o600 }, /cannot write database .*: its directory .*: permission denied \(SQLite creates .*-wal and -shm there\)/],
    ['a read-only file', { dir: 0o755, file: 0o444 }, /cannot write database .*: the file: permission denied/],
  ] as const) {
    it(`${name}: every command that only reads works, creating no -wal or -shm and changing nothing`, async () => {
      await withCopy(`readers-${modes.file}`, modes, async (db) => {
        const before = sha(db);
        for (const [args, expected] of READERS) {
          const result = await run(args, db);
          assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
          assert.match(result.stdout, expected, args.join(' '));
          assert.ok(!existsSync(`${db}-wal`) && !existsSync(`${db}-shm`), `${args.join(' ')} created -wal or -shm`);
        }
        assert.equal(sha(db), before);
      });
    });

    it(`${name}: a command that writes exits 1 in one line naming the file and why`, async () => {
      await withCopy(`writers-${modes.file}`, modes, async (db) => {
        const before = sha(db);
        for (const args of WRITERS) assertNamed(await run(args, db), db, cause, args.join(' '));
        assert.equal(sha(db), before);
      });
    });
  }

  it('a file the reader may not read: every command exits 1 in one line naming it', async () => {
    await withCopy('unreadable', { dir: 0o755, file: 0o000 }, async (db) => {
      for (const args of [...READERS.map(([a]) => a), ...WRITERS]) assertNamed(await run(args, db), db, /: permission denied/, args.join(' '));
    });
  });
});
