import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

/**
 * How a sync sizes V8's heap, which left to itself grows with what a sync of 400,000 policies
 * allocates rather than with what it keeps (issue 13). Node sizes the heap only from start-up
 * flags, but V8 reads these two each time it resizes, so a sync sets them while it runs:
 *
 * - The young generation: V8 doubles it whenever more bytes survive its collections than it
 *   holds, up to two 64 MB semi-spaces here (128 MB of a run's peak RSS at L). A sync stops the
 *   growth at 16 MB semi-spaces, by setting the growth factor to 1 once they are that large and
 *   back to 2 should V8 shrink them. At 8 MB the initial sync at L paused 1.10 s for 1,061
 *   scavenges, at 16 MB 0.58 s for 530, at 32 MB 0.51 s for 278 (`--trace-gc`).
 * - The old generation: V8 lets it grow to a multiple of what survived the last full collection
 *   (up to 4×) before collecting again. A sync holds it to 1.5× from the first site whose
 *   listing it keeps to plan (`holdOldGeneration`): the full sync at L peaked at 231–232 MB RSS
 *   with 84 MB of heap in use, and at 190–192 MB with 32–46 MB. A sync that finds every site in
 *   step keeps none and V8's own factor: held, its no-op at L made 7 full collections instead of
 *   2 and spent 8–10% more CPU, for 152 MB of RSS instead of 170.
 *
 * A user's own start-up flag for either is theirs, and left alone.
 */
const SEMI_SPACE_BYTES = 16 * 1024 * 1024;
const HEAP_GROWING_PERCENT = 50;

const YOUNG_SIZED_BY_USER = /--(max|min)-semi-space-size|--semi-space-growth-factor/;
const OLD_SIZED_BY_USER = /--heap-growing-percent/;

export interface HeapBounds {
  /** From now on, until release: the work ahead keeps much for long (a sync that keeps listings to plan). */
  holdOldGeneration(): void;
  release(): void;
}

/** Bounds the young generation until release (a sync, which allocates much); the old one when asked. */
export function boundHeap(): HeapBounds {
  const options = `${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`;
  const releases = YOUNG_SIZED_BY_USER.test(options) ? [] : [boundYoungGeneration()];
  let oldHeld = OLD_SIZED_BY_USER.test(options);
  return {
    holdOldGeneration() {
      if (oldHeld) return;
      oldHeld = true;
      releases.push(boundOldGeneration());
    },
    release() {
      for (const release of releases.splice(0)) release();
    },
  };
}

function boundYoungGeneration(): () => void {
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

function boundOldGeneration(): () => void {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  // 0 is V8's own: the factor it works out from how fast it collects.
  return () => setFlagsFromString('--heap-growing-percent=0');
}

function newSpaceBytes(): number {
  return getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0;
}
