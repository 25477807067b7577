import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';

const MB = 1024 * 1024;
const MODULE = new URL('../../src/cli/heap-bounds.ts', import.meta.url).href;

/**
 * Runs `body` in a fresh Node (V8's flags are the process's); its JSON line. `bound`: after
 * boundHeap() and holdOldGeneration() (a sync that plans); `young`: boundHeap() alone (a sync that
 * finds every site in step); `free`: neither.
 */
function run<T>(body: string, mode: 'bound' | 'young' | 'free', nodeOptions: string[] = []): T {
  const script = `
import { getHeapSpaceStatistics } from 'node:v8';
import { boundHeap } from ${JSON.stringify(MODULE)};
const space = (name) => getHeapSpaceStatistics().find((s) => s.space_name === name).space_size;
const mode = process.argv[1];
const heap = mode === 'free' ? null : boundHeap();
if (mode === 'bound') heap.holdOldGeneration();
${body}
heap?.release();
`;
  const out = execFileSync(process.execPath, [...nodeOptions, '--input-type=module', '--eval', script, mode], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  return JSON.parse(out) as T;
}

// Keeps 2,000,000 small objects, a batch at a time with the event loop turning in between (as a
// sync's pages arrive): enough surviving bytes for V8 to grow its young generation to the most
// it may (128 MB on this machine), unless something stops it.
const KEEPS = `
const kept = [];
for (let batch = 0; batch < 400; batch++) {
  for (let i = 0; i < 5000; i++) kept.push({ batch, i, id: 'policy-' + batch + '-' + i });
  await new Promise((resolve) => setImmediate(resolve));
}
console.log(JSON.stringify({ newSpace: space('new_space'), kept: kept.length }));
`;

function newSpaceAfter(mode: 'bound' | 'free', nodeOptions: string[] = []): number {
  const { newSpace, kept } = run<{ newSpace: number; kept: number }>(KEEPS, mode, nodeOptions);
  assert.equal(kept, 2_000_000);
  return newSpace;
}

test('a sync bounds V8 young generation at 16 MB semi-spaces; left free it grows further; a user’s own sizing is left alone', () => {
  // Node's most depends on the machine's memory: 128 MB here (24 GB).
  assert.ok(newSpaceAfter('free') > 64 * MB, 'the allocation grows an unbounded young generation past the bound');
  // Checked after each collection: one doubling past 32 MB may slip in before the check runs.
  assert.ok(newSpaceAfter('bound') <= 64 * MB, 'bounded: two 16 MB semi-spaces, one growth past them at most');
  assert.equal(newSpaceAfter('bound', ['--max-semi-space-size=64']), 128 * MB, 'a start-up flag sizes it as the user said');
});

// 200,000 objects kept for good, and batches of 10,000 that each live ten turns of the event loop
// (as a site's listing lives until it is planned): old enough to be moved to the old generation,
// and dead there soon after. How far the old generation grows before V8 collects it is the bound.
const CHURNS = `
const live = [];
for (let i = 0; i < 200_000; i++) live.push({ a: 'x' + i, b: i });
const ring = [];
let peak = 0;
for (let round = 0; round < 150; round++) {
  const batch = [];
  for (let i = 0; i < 10_000; i++) batch.push({ s: 'y' + i + round, n: [i, round] });
  ring.push(batch);
  if (ring.length > 10) ring.shift();
  await new Promise((resolve) => setImmediate(resolve));
  peak = Math.max(peak, space('old_space'));
}
console.log(JSON.stringify({ peak, live: live.length }));
`;

test('a sync that plans holds V8 old generation closer to what it keeps: the same work peaks lower than left free', () => {
  const free = run<{ peak: number; live: number }>(CHURNS, 'free');
  const bound = run<{ peak: number; live: number }>(CHURNS, 'bound');
  assert.equal(bound.live, 200_000);
  // Measured here: 94–136 MB free, 40–57 MB bound, 136–165 MB with the user's 400.
  assert.ok(bound.peak < free.peak * 0.8, `bound ${Math.round(bound.peak / MB)} MB, free ${Math.round(free.peak / MB)} MB`);
  // Until asked (a sync that finds every site in step), V8 sizes it as it would: fewer full collections.
  const young = run<{ peak: number; live: number }>(CHURNS, 'young');
  assert.ok(young.peak > bound.peak * 1.5, `not held until asked: ${Math.round(young.peak / MB)} MB against ${Math.round(bound.peak / MB)} MB held`);
  const own = run<{ peak: number; live: number }>(CHURNS, 'bound', ['--heap-growing-percent=400']);
  assert.ok(own.peak > bound.peak * 1.5, `a user's --heap-growing-percent is left alone: ${Math.round(own.peak / MB)} MB against ${Math.round(bound.peak / MB)} MB`);
});
