// The scenarios that drive apply through its every write (creates, updates, deletes, refusals,
// failures, answers lost, a run killed midway or stopped by a signal, the legacy tool's duplicates
// deleted), run again with apply's writes on a connection in a worker thread
// (DNSSYNC_WRITE_THREAD=on; store/write-thread.ts). Elsewhere the tests write where a sync on this
// machine would: with fewer than 4 cores, on the run's own connection.
import { describe } from 'node:test';

process.env.DNSSYNC_WRITE_THREAD = 'on';

describe('with apply writing in a worker thread', async () => {
  await import('./converge.test.ts');
  await import('./failures.test.ts');
  await import('./deletion.test.ts');
  await import('./trust.test.ts');
  await import('./crash.test.ts');
  await import('../legacy/crowded.test.ts');
});
