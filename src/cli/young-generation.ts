import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

/**
 * V8 doubles its young generation, up to two 64 MB semi-spaces here, whenever more bytes survive its
 * collections than it holds, which a sync of 400,000 policies always does: 128 MB of a run's
 * peak RSS at L. Node sizes the semi-spaces only from start-up flags, but V8 reads the growth
 * factor each time it grows them, so a sync stops the growth at 8 MB semi-spaces (the size the
 * image's `--max-semi-space-size=8` gave, at the same CPU: README "Performance") by setting the
 * factor to 1 once they are that large, and back to 2 if V8 shrinks them while the run waits.
 */
const SEMI_SPACE_BYTES = 8 * 1024 * 1024;

/** Options with which a user sizes the young generation: theirs to choose, left alone. */
const SIZED_BY_USER = /--(max|min)-semi-space-size|--semi-space-growth-factor/;

/** Bounds the young generation until the returned function is called (a sync, which allocates much). */
export function boundYoungGeneration(): () => void {
  if (SIZED_BY_USER.test(`${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`)) return () => {};
  let growing = true;
  const settle = () => {
    // new_space's size is both semi-spaces.
    const full = newSpaceBytes() >= 2 * SEMI_SPACE_BYTES;
    if (full === growing) {
      growing = !full;
      setFlagsFromString(`--semi-space-growth-factor=${growing ? 2 : 1}`);
    }
  };
  // Checked after each collection: V8 grows the semi-spaces only in one.
  const observer = new PerformanceObserver(settle);
  observer.observe({ entryTypes: ['gc'] });
  return () => {
    observer.disconnect();
    if (!growing) setFlagsFromString('--semi-space-growth-factor=2');
  };
}

function newSpaceBytes(): number {
  return getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0;
}
