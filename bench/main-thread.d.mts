/** See main-thread.mjs. */
export function mainThread(): { busyMs: number; lifeMs: number; elu: number };
