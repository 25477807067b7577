import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { writesBeside } from '../../src/engine/run.ts';

describe("sync: where apply writes (DNSSYNC_WRITE_THREAD)", () => {
  it('auto: a worker thread only for a large plan on a machine of 4 cores or more', () => {
    assert.equal(writesBeside('auto', 398_000, 16), true);
    assert.equal(writesBeside('auto', 20_000, 4), true);
    assert.equal(writesBeside('auto', 398_000, 2), false, 'two cores: the thread would take CPU from the event loop and the controllers');
    assert.equal(writesBeside('auto', 3_980, 16), false, 'an incremental sync: the thread would cost more than it saves');
  });

  it('on and off decide whatever the plan and the machine', () => {
    assert.equal(writesBeside('on', 1, 2), true);
    assert.equal(writesBeside('off', 398_000, 16), false);
  });
});
