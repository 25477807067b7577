// Preloaded into each measured dnssync process (NODE_OPTIONS=--import): on exit it writes the
// process's own peak RSS (getrusage maxrss, the real high-water mark), its CPU time (user +
// system), its main thread's busy and CPU time, its worker threads' CPU time and the rows its
// SQLite connections changed (total_changes() at close) to $DNSSYNC_BENCH_OUT. Plain JS so that it loads before dnssync
// registers tsx; it changes nothing dnssync does.
//
// Main thread busy: everything before the event loop started (start-up, loading the modules)
// plus the loop's active time since (performance.eventLoopUtilization()): the time the one
// JavaScript thread was working rather than waiting. CPU time beyond the main thread's and the
// worker threads' was spent by V8's and libuv's helper threads (garbage collection, the compiler,
// libuv's pool) alongside it; wall time beyond it was waiting (for the controllers, the disk, or
// a CPU).
//
// A worker thread (dnssync's write thread, store/write-thread.ts) loads the hook too: there it
// writes the rows its connections changed and its own CPU time to $DNSSYNC_BENCH_OUT.thread-N,
// which the main thread adds up at exit (it exits after its workers).
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { isMainThread, threadId } from 'node:worker_threads';
import { mainThread } from './main-thread.mjs';

const out = process.env.DNSSYNC_BENCH_OUT;
if (out) {
  let totalChanges = 0;
  const close = DatabaseSync.prototype.close;
  DatabaseSync.prototype.close = function (...args) {
    try {
      totalChanges += Number(this.prepare('SELECT total_changes() AS n').get().n);
    } catch {
      // not open: nothing to count
    }
    return close.apply(this, args);
  };
  process.on('exit', () => {
    if (!isMainThread) return writeFileSync(`${out}.thread-${threadId}`, JSON.stringify({ totalChanges, cpuMs: threadCpuMs() }));
    let workerCpuMs = 0;
    const prefix = `${basename(out)}.thread-`;
    for (const name of readdirSync(dirname(out)).filter((n) => n.startsWith(prefix))) {
      const worker = JSON.parse(readFileSync(join(dirname(out), name), 'utf8'));
      totalChanges += worker.totalChanges;
      workerCpuMs += worker.cpuMs;
      rmSync(join(dirname(out), name));
    }
    const usage = process.resourceUsage();
    const { busyMs, lifeMs, elu } = mainThread();
    writeFileSync(
      out,
      JSON.stringify({ maxRssKb: usage.maxRSS, cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000, mainCpuMs: threadCpuMs(), workerCpuMs, mainBusyMs: busyMs, lifeMs, elu, totalChanges }),
    );
  });
}

/** This thread's own CPU time: unlike the main thread's busy time, not lengthened while other threads or processes hold the cores. */
function threadCpuMs() {
  const { user, system } = process.threadCpuUsage();
  return (user + system) / 1000;
}
