import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, DatabaseError, DnssyncError, LockHeldError, UsageError } from '../../src/domain/errors.ts';
import { ExitCode, getExitCode, type CommandResult } from '../../src/domain/exit-codes.ts';
import type { Interruption, RunOutcome } from '../../src/domain/run.ts';
import { decideOutcome } from '../../src/planner/outcome.ts';

type Facts = Parameters<typeof decideOutcome>[0];

/**
 * Every combination of the four facts, with the outcome SPEC §2 gives it: a signal beats a safety
 * refusal, which beats a partial run, which beats drift; nothing at all is success.
 */
const OUTCOMES: Array<[interruption: Interruption | null, refused: boolean, partial: boolean, drift: boolean, outcome: RunOutcome]> = [
  [null, false, false, false, 'success'],
  [null, false, false, true, 'drift'],
  [null, false, true, false, 'partial'],
  [null, false, true, true, 'partial'],
  [null, true, false, false, 'refused'],
  [null, true, false, true, 'refused'],
  [null, true, true, false, 'refused'],
  [null, true, true, true, 'refused'],
  ['SIGINT', false, false, false, 'interrupted'],
  ['SIGINT', false, false, true, 'interrupted'],
  ['SIGINT', false, true, false, 'interrupted'],
  ['SIGINT', false, true, true, 'interrupted'],
  ['SIGTERM', true, false, false, 'interrupted'],
  ['SIGTERM', true, false, true, 'interrupted'],
  ['SIGTERM', true, true, false, 'interrupted'],
  ['SIGTERM', true, true, true, 'interrupted'],
];

/** The exit code of each outcome when the run ends with it (SPEC §2 table). */
const RUN_EXIT: Record<Exclude<RunOutcome, 'interrupted'>, number> = { success: 0, drift: 6, partial: 3, refused: 4, failed: 1 };

describe('decideOutcome: interruption > refused > partial > drift > success', () => {
  it('covers all 16 combinations of the four facts', () => {
    const seen = new Set(OUTCOMES.map(([i, r, p, d]) => `${i !== null}${r}${p}${d}`));
    assert.equal(seen.size, 16);
  });

  for (const [interruption, refused, partial, drift, outcome] of OUTCOMES) {
    const facts: Facts = { interruption, refused, partial, drift, nothingDiscovered: false };
    it(`${JSON.stringify(facts)} → ${outcome}`, () => {
      assert.equal(decideOutcome(facts), outcome);
    });
  }

  it('gives the same outcome whichever signal interrupted', () => {
    for (const interruption of ['SIGINT', 'SIGTERM'] as const) {
      for (const [, refused, partial, drift] of OUTCOMES) {
        assert.equal(decideOutcome({ interruption, refused, partial, drift, nothingDiscovered: false }), 'interrupted');
      }
    }
  });

  it('decides "failed" (exit 1) when no site could be read at all, whatever else, unless interrupted', () => {
    for (const [interruption, refused, partial, drift, outcome] of OUTCOMES) {
      const expected = interruption ? outcome : 'failed';
      assert.equal(decideOutcome({ interruption, refused, partial, drift, nothingDiscovered: true }), expected);
      assert.notEqual(decideOutcome({ interruption, refused, partial, drift, nothingDiscovered: false }), 'failed');
    }
  });

  it('gives each combination the exit code of SPEC §2 through getExitCode', () => {
    for (const [interruption, refused, partial, drift, outcome] of OUTCOMES) {
      const decided = decideOutcome({ interruption, refused, partial, drift, nothingDiscovered: false });
      const code = getExitCode({ kind: 'run', outcome: decided, interruption });
      const expected = outcome === 'interrupted' ? (interruption === 'SIGINT' ? 130 : 143) : RUN_EXIT[outcome];
      assert.equal(code, expected, JSON.stringify({ interruption, refused, partial, drift }));
    }
  });
});

const EXIT_CASES: Array<[name: string, result: CommandResult, code: number]> = [
  ['done (help, --version, a command that did its job)', { kind: 'done' }, 0],
  ['run: success', { kind: 'run', outcome: 'success', interruption: null }, 0],
  ['run: partial', { kind: 'run', outcome: 'partial', interruption: null }, 3],
  ['run: refused', { kind: 'run', outcome: 'refused', interruption: null }, 4],
  ['run: drift', { kind: 'run', outcome: 'drift', interruption: null }, 6],
  ['run: failed', { kind: 'run', outcome: 'failed', interruption: null }, 1],
  ['run: interrupted by SIGINT', { kind: 'run', outcome: 'interrupted', interruption: 'SIGINT' }, 130],
  ['run: interrupted by SIGTERM', { kind: 'run', outcome: 'interrupted', interruption: 'SIGTERM' }, 143],
  ['run: interrupted, signal unknown (treated as SIGTERM)', { kind: 'run', outcome: 'interrupted', interruption: null }, 143],
  ['repair: nothing left', { kind: 'repair', remaining: 0 }, 0],
  ['repair: one problem left', { kind: 'repair', remaining: 1 }, 1],
  ['repair: several problems left', { kind: 'repair', remaining: 7 }, 1],
  ['second SIGINT', { kind: 'signal', signal: 'SIGINT' }, 130],
  ['second SIGTERM', { kind: 'signal', signal: 'SIGTERM' }, 143],
  ['UsageError', { kind: 'error', error: new UsageError('--limit: expected a number') }, 2],
  ['ConfigError', { kind: 'error', error: new ConfigError('unknown key', 'c.yaml:3', 'sync.x') }, 2],
  ['LockHeldError', { kind: 'error', error: new LockHeldError('held by host pid 1') }, 5],
  ['DatabaseError', { kind: 'error', error: new DatabaseError('not a database', '/tmp/x.db') }, 1],
  ['a DnssyncError of no more specific kind', { kind: 'error', error: new DnssyncError('odd') }, 1],
  ['a plain Error', { kind: 'error', error: new Error('bug') }, 1],
  ['a TypeError', { kind: 'error', error: new TypeError('x is undefined') }, 1],
  ['something thrown that is not an Error', { kind: 'error', error: 'a string' }, 1],
  ['undefined thrown', { kind: 'error', error: undefined }, 1],
];

describe('getExitCode: the codes of SPEC §2', () => {
  it('has exactly the codes of SPEC §2', () => {
    assert.deepEqual(
      Object.values(ExitCode).sort((a, b) => a - b),
      [0, 1, 2, 3, 4, 5, 6, 130, 143],
    );
  });

  for (const [name, result, code] of EXIT_CASES) {
    it(`${name} → ${code}`, () => {
      assert.equal(getExitCode(result), code);
    });
  }

  it('matches an error by class, not by its name or message', () => {
    const lookalike = Object.assign(new Error('another sync holds the database lock'), { name: 'LockHeldError' });
    assert.equal(getExitCode({ kind: 'error', error: lookalike }), 1);
    class SubUsage extends UsageError {}
    assert.equal(getExitCode({ kind: 'error', error: new SubUsage('x') }), 2);
  });

  it('reaches every ExitCode value through some result', () => {
    const reached = new Set(EXIT_CASES.map(([, result]) => getExitCode(result)));
    const missing = Object.entries(ExitCode).filter(([, code]) => !reached.has(code));
    assert.deepEqual(missing, []);
  });
});
