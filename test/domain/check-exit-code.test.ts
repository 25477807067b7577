import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getExitCode, type CommandResult } from '../../src/domain/exit-codes.ts';

/** `dnssync check`: the config's problems first; then, with --online, as a sync that reached some, all or none. */
const CASES: Array<[name: string, result: CommandResult, code: number]> = [
  ['a sound config', { kind: 'check', problems: 0, online: null }, 0],
  ['one problem', { kind: 'check', problems: 1, online: null }, 2],
  ['problems beat any controller', { kind: 'check', problems: 3, online: { ok: 0, failed: 2 } }, 2],
  ['--online, every controller ok', { kind: 'check', problems: 0, online: { ok: 2, failed: 0 } }, 0],
  ['--online, some failing: partial', { kind: 'check', problems: 0, online: { ok: 1, failed: 1 } }, 3],
  ['--online, all failing: nothing reachable, as a sync that discovered nothing', { kind: 'check', problems: 0, online: { ok: 0, failed: 2 } }, 1],
];

describe('getExitCode for check', () => {
  for (const [name, result, code] of CASES) {
    it(`${name} → ${code}`, () => assert.equal(getExitCode(result), code));
  }
});
