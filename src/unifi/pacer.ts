import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Evenly spaced starts: one caller at a time holds the turn, in arrival order, and gets it no
 * sooner than `intervalMs` after the previous holder started. The holder may still wait for
 * something else (a connection slot) while holding it, so that the spacing is between real
 * starts, not between the moments callers were let through.
 */
export class Pacer {
  private readonly intervalMs: number;
  private queue: Promise<void> = Promise.resolve();
  /** When the last holder started (performance.now()). */
  private lastStart = -Infinity;

  constructor(perSecond: number) {
    if (!(perSecond > 0) || !Number.isFinite(perSecond)) throw new RangeError(`pace must be a positive number per second, not ${perSecond}`);
    this.intervalMs = 1000 / perSecond;
  }

  /**
   * Waits for this caller's turn. Call the function it resolves with exactly once: `true` when the
   * paced thing starts (the next turn is counted from now), `false` when it does not happen at all.
   * When `giveUp` turns true the wait ends early, so that a slow pace never delays stopping; the
   * caller must then not start.
   */
  async turn(giveUp?: () => boolean): Promise<(started: boolean) => void> {
    const previous = this.queue;
    let pass!: () => void;
    this.queue = new Promise<void>((resolve) => (pass = resolve));
    await previous;
    // A timer may fire a little before its time by the monotonic clock: wait again until it is really due.
    for (let wait = this.due(); wait > 0 && !giveUp?.(); wait = this.due()) {
      await sleep(giveUp ? Math.min(Math.ceil(wait), GIVE_UP_POLL_MS) : Math.ceil(wait));
    }
    let done = false;
    return (started) => {
      if (done) return;
      done = true;
      if (started) this.lastStart = performance.now();
      pass();
    };
  }

  /** Milliseconds until the next start is allowed. */
  private due(): number {
    return this.lastStart + this.intervalMs - performance.now();
  }
}

/** How often a long wait looks at `giveUp`. */
const GIVE_UP_POLL_MS = 100;
