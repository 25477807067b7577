// The main thread's busy time, shared by child-hook.mjs (dnssync) and the floor scripts.
// Plain JS: the hook loads before any TypeScript support. Types: main-thread.d.mts.

/**
 * Since the process started (performance's time origin): `busyMs`, the time before the event loop
 * started plus the loop's active time since (performance.eventLoopUtilization()), i.e. the time
 * the one JavaScript thread was working rather than waiting; `lifeMs`, the time so far; `elu`, the
 * loop's own utilization, active / (active + idle), start-up not counted. A process that exits
 * before its event loop ever ran (a synchronous process.exit) was busy all its life.
 */
export function mainThread() {
  const lifeMs = performance.now();
  const loopStart = performance.nodeTiming.loopStart;
  if (!(loopStart > 0)) return { busyMs: lifeMs, lifeMs, elu: 1 };
  const { active, utilization } = performance.eventLoopUtilization();
  return { busyMs: loopStart + active, lifeMs, elu: utilization };
}
