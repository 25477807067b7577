import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDuration } from '../../src/config/duration.ts';

test('parseDuration accepts units, combinations and bare seconds', () => {
  const table: [string | number, number][] = [
    ['15m', 900_000],
    ['30s', 30_000],
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['500ms', 500],
    ['2d', 172_800_000],
    ['1d2h3m4s5ms', 93_784_005],
    ['0', 0],
    ['0s', 0],
    ['90', 90_000],
    ['1.5', 1_500],
    ['1.5h', 5_400_000],
    [' 10s ', 10_000],
    [0, 0],
    [45, 45_000],
    [0.25, 250],
  ];
  for (const [input, ms] of table) assert.equal(parseDuration(input), ms, `parseDuration(${JSON.stringify(input)})`);
});

test('parseDuration refuses what is not a duration', () => {
  for (const input of ['', ' ', '15x', 'm', '1h 30m', '30m1h', '1m1m', '-5s', '15M', '1e3', 'ms500', '1h30', -1, Number.NaN, Infinity, '999999999999999d']) {
    assert.throws(() => parseDuration(input), Error, `parseDuration(${JSON.stringify(input)}) should throw`);
  }
});

test('parseDuration errors say what is expected', () => {
  assert.throws(() => parseDuration('soon'), /not a duration: "soon"; expected e\.g\. 500ms, 30s, 15m, 1h30m, 2d/);
  assert.throws(() => parseDuration('30m1h'), /largest to smallest/);
});
