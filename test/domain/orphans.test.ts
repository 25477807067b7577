import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { orphanDeadline, orphanIsDue } from '../../src/domain/orphans.ts';

const ORPHANED = '2026-11-22T12:00:00.000Z';
const T = Date.parse(ORPHANED);
const MIN = 60_000;

describe('orphanDeadline: orphanedAt + grace period', () => {
  const cases: Array<[orphanedAt: string, graceMs: number, deadline: string]> = [
    [ORPHANED, 15 * MIN, '2026-11-22T12:15:00.000Z'],
    [ORPHANED, 0, ORPHANED],
    [ORPHANED, 1, '2026-11-22T12:00:00.001Z'],
    [ORPHANED, 36 * 60 * MIN, '2026-11-24T00:00:00.000Z'],
    // Rows written without milliseconds, or with an offset, are the same instants.
    ['2026-11-22T12:00:00Z', 15 * MIN, '2026-11-22T12:15:00.000Z'],
    ['2026-11-22T13:00:00+01:00', 15 * MIN, '2026-11-22T12:15:00.000Z'],
    ['2026-12-31T23:50:00.000Z', 15 * MIN, '2027-01-01T00:05:00.000Z'],
  ];
  for (const [orphanedAt, graceMs, deadline] of cases) {
    it(`${orphanedAt} + ${graceMs} ms = ${deadline}`, () => {
      assert.equal(orphanDeadline(orphanedAt, graceMs), Date.parse(deadline));
    });
  }
});

describe('orphanIsDue: due at the deadline and after it, never before', () => {
  const cases: Array<[name: string, graceMs: number, now: number, due: boolean]> = [
    ['one ms before the deadline', 15 * MIN, T + 15 * MIN - 1, false],
    ['exactly at the deadline', 15 * MIN, T + 15 * MIN, true],
    ['one ms after the deadline', 15 * MIN, T + 15 * MIN + 1, true],
    ['long after the deadline', 15 * MIN, T + 1000 * MIN, true],
    ['the moment it was orphaned, with a grace period', 15 * MIN, T, false],
    ['grace 0: the moment it was orphaned', 0, T, true],
    ['grace 0: later', 0, T + 1, true],
    ['grace 0: a clock that went back before orphanedAt', 0, T - 1, false],
  ];
  for (const [name, graceMs, now, due] of cases) {
    it(`${name} → ${due ? 'due' : 'not due'}`, () => {
      assert.equal(orphanIsDue(ORPHANED, graceMs, now), due);
    });
  }

  it('agrees with orphanDeadline for every instant around it', () => {
    for (const graceMs of [0, 1, 15 * MIN]) {
      const deadline = orphanDeadline(ORPHANED, graceMs);
      for (const now of [deadline - 2, deadline - 1, deadline, deadline + 1]) assert.equal(orphanIsDue(ORPHANED, graceMs, now), now >= deadline, `${graceMs} ${now}`);
    }
  });

  it('never makes an orphan due from a time it cannot read (so nothing is deleted on it)', () => {
    for (const bad of ['', 'yesterday', '2026-13-45T00:00:00Z']) {
      assert.ok(Number.isNaN(orphanDeadline(bad, 0)), bad);
      assert.equal(orphanIsDue(bad, 0, Date.now()), false, bad);
    }
  });
});
