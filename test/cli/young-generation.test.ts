import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';

const MB = 1024 * 1024;
const MODULE = new URL('../../src/cli/young-generation.ts', import.meta.url).href;

// Keeps 2,000,000 small objects, a batch at a time with the event loop turning in between (as a
// sync's pages arrive): enough surviving bytes for V8 to grow its young generation to the most
// it may (128 MB on this machine), unless something stops it.
const SCRIPT = `
import { getHeapSpaceStatistics } from 'node:v8';
import { boundYoungGeneration } from ${JSON.stringify(MODULE)};
const unbound = process.argv[1] === 'bound' ? boundYoungGeneration() : () => {};
const kept = [];
for (let batch = 0; batch < 400; batch++) {
  for (let i = 0; i < 5000; i++) kept.push({ batch, i, id: 'policy-' + batch + '-' + i });
  await new Promise((resolve) => setImmediate(resolve));
}
const newSpace = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space').space_size;
unbound();
console.log(JSON.stringify({ newSpace, kept: kept.length }));
`;

function newSpaceAfter(mode: 'bound' | 'free', nodeOptions: string[] = []): number {
  const out = execFileSync(process.execPath, [...nodeOptions, '--input-type=module', '--eval', SCRIPT, mode], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  const { newSpace, kept } = JSON.parse(out) as { newSpace: number; kept: number };
  assert.equal(kept, 2_000_000);
  return newSpace;
}

test('a sync bounds V8 young generation at 8 MB semi-spaces; left free it grows further; a user’s own sizing is left alone', () => {
  // Node's most depends on the machine's memory: 128 MB here (24 GB).
  assert.ok(newSpaceAfter('free') > 32 * MB, 'the allocation grows an unbounded young generation past the bound');
  // Checked after each collection: one doubling past 16 MB may slip in before the check runs.
  assert.ok(newSpaceAfter('bound') <= 32 * MB, 'bounded: two 8 MB semi-spaces, one growth past them at most');
  assert.equal(newSpaceAfter('bound', ['--max-semi-space-size=32']), 64 * MB, 'a start-up flag sizes it as the user said');
});
