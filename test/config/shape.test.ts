import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { boolean, list, looseMapping, mapping, number, oneOf, string, stringOrNumber, type Issue } from '../../src/config/shape.ts';

/**
 * The checks below the config's schema (src/config/shape.ts); test/config/schema.test.ts has the
 * schema's own cases, worded as a user reads them.
 */

const issuesOf = (result: { success: boolean; issues?: Issue[] }) => (result.success ? [] : result.issues!);

describe('config shape', () => {
  it('tells a key left out ("required") from a value of the wrong type', () => {
    const schema = mapping({ url: string(), port: number().nullish() });
    assert.deepEqual(issuesOf(schema.safeParse({})), [{ path: ['url'], problem: 'required' }]);
    assert.deepEqual(issuesOf(schema.safeParse({ url: 1, port: 'x' })), [
      { path: ['url'], problem: 'expected a string, got a number' },
      { path: ['port'], problem: 'expected a number, got a string' },
    ]);
  });

  it('leaves a key that was left out out of the data, and keeps null as null', () => {
    const schema = mapping({ a: string().nullish(), b: boolean().nullish() });
    assert.deepEqual(schema.safeParse({ b: null }), { success: true, data: { b: null } });
  });

  it('lists a mapping\'s unknown keys in one issue; a loose mapping keeps them as they are', () => {
    assert.deepEqual(issuesOf(mapping({ a: string() }).safeParse({ a: 'x', zz: 1, yy: 2 })), [{ path: [], unknownKeys: ['zz', 'yy'] }]);
    assert.deepEqual(looseMapping({ a: string() }).safeParse({ a: 'x', zz: 1 }), { success: true, data: { a: 'x', zz: 1 } });
  });

  it('keeps a key named __proto__ a key: unknown in a strict mapping, an own key in a loose one', () => {
    const data = JSON.parse('{"a": "x", "__proto__": {"polluted": true}}') as unknown;
    assert.deepEqual(issuesOf(mapping({ a: string() }).safeParse(data)), [{ path: [], unknownKeys: ['__proto__'] }]);
    const parsed = looseMapping({ a: string() }).safeParse(data);
    assert.ok(parsed.success);
    assert.equal(Object.getPrototypeOf(parsed.data), Object.prototype);
    assert.deepEqual(Object.keys(parsed.data), ['a', '__proto__']);
    assert.equal((parsed.data as Record<string, unknown>).polluted, undefined);
  });

  it('runs a refinement or transform only on a value that passed the step before', () => {
    let calls = 0;
    const schema = string().transform((v) => {
      calls += 1;
      if (v === 'bad') throw new Error('not good');
      return v.length;
    });
    assert.deepEqual(issuesOf(schema.safeParse(3)), [{ path: [], problem: 'expected a string, got a number' }]);
    assert.equal(calls, 0);
    assert.deepEqual(issuesOf(schema.safeParse('bad')), [{ path: [], problem: 'not good' }]);
    assert.deepEqual(schema.safeParse('four'), { success: true, data: 4 });
  });

  it('checks every item of a list, then its length', () => {
    const schema = list(number()).min(2, 'too short');
    assert.deepEqual(issuesOf(schema.safeParse([1, 'x', true])), [
      { path: [1], problem: 'expected a number, got a string' },
      { path: [2], problem: 'expected a number, got true/false' },
    ]);
    assert.deepEqual(issuesOf(schema.safeParse([1])), [{ path: [], problem: 'too short' }]);
  });

  it('refuses NaN and the infinities as numbers, and names the choices of oneOf whatever the value', () => {
    assert.deepEqual(issuesOf(number().safeParse(Number.NaN)), [{ path: [], problem: 'expected a number, got NaN' }]);
    assert.deepEqual(issuesOf(stringOrNumber('a duration').safeParse(-Infinity)), [{ path: [], problem: 'a duration' }]);
    for (const value of ['C', 3, ['a'], null]) assert.deepEqual(issuesOf(oneOf(['a', 'b']).safeParse(value)), [{ path: [], problem: 'must be one of a, b' }]);
  });

  it('finds the schema of a key or an item through nullish and transforms (for `dnssync check`)', () => {
    const schema = mapping({ items: list(mapping({ x: string(), y: string() }).nullish()).min(1, 'empty').nullish() });
    assert.deepEqual(schema.keys(), ['items']);
    assert.deepEqual(schema.child('items')?.child(0)?.keys(), ['x', 'y']);
    assert.equal(schema.child('items')?.child('x'), undefined);
    assert.equal(schema.child('nope'), undefined);
  });
});
