/** What a run is asked to do and how it ended: the words the run rows and events are written in. */

/** SPEC §3 sync.policy: which changes a run may make. */
export type SyncPolicy = 'sync' | 'upsert-only' | 'create-only';
export const SYNC_POLICIES: readonly SyncPolicy[] = ['sync', 'upsert-only', 'create-only'];

export type RunOutcome = 'success' | 'partial' | 'refused' | 'drift' | 'failed' | 'interrupted';

/** The signal that asked a run to stop. */
export type Interruption = 'SIGINT' | 'SIGTERM';

/** What a plan says it will do, applied or not. */
export interface PlanCounts {
  create: number;
  update: number;
  delete: number;
  skip: number;
}

/** What a run did: all 0 when nothing was applied (a dry, refused or drift run). */
export interface RunCounts {
  created: number;
  updated: number;
  deleted: number;
  skipped: number;
  failed: number;
}

/** The status of a SYNC_EVENT row (SPEC §5). */
export type EventStatus = 'CREATED' | 'UPDATED' | 'DELETED' | 'SKIPPED' | 'FAILED' | 'DISCOVERED' | 'ORPHANED' | 'RESTORED';
