/** At most `size` holders at a time; waiters get their turn in arrival order. */
export class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  /** The most holders there ever were at once. */
  peak = 0;

  readonly size: number;

  constructor(size: number) {
    this.size = size;
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`semaphore size must be a positive integer, not ${size}`);
  }

  get inUse(): number {
    return this.active;
  }

  /** The release function when a place is free now, else null: no promise when none is needed (a request each, issue 13). */
  tryAcquire(): (() => void) | null {
    // Waiters only exist while every place is held, so taking a free one jumps no queue.
    if (this.active >= this.size) return null;
    this.active += 1;
    return this.holder();
  }

  /** Resolves with the release function once a place is free; call it exactly once. */
  async acquire(): Promise<() => void> {
    const now = this.tryAcquire();
    if (now) return now;
    // The releasing holder hands its place over directly, so `active` stays as it is.
    await new Promise<void>((resolve) => this.waiting.push(resolve));
    return this.holder();
  }

  private holder(): () => void {
    if (this.active > this.peak) this.peak = this.active;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.active -= 1;
    };
  }
}
