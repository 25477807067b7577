/** What a run is asked to do and how it ended: the words the run rows and events are written in. */

/** SPEC §3 sync.policy: which changes a run may make. */
export type SyncPolicy = 'sync' | 'upsert-only' | 'create-only';
export const SYNC_POLICIES: readonly SyncPolicy[] = ['sync', 'upsert-only', 'create-only'];

export type RunOutcome = 'success' | 'partial' | 'refused' | 'drift' | 'failed' | 'interrupted';

/** The signal that asked a run to stop. */
export type Interruption = 'SIGINT' | 'SIGTERM';

export interface RunCounts {
  created: number;
  updated: number;
  deleted: number;
  skipped: number;
  failed: number;
}

/** The status of a SYNC_EVENT row (SPEC §5). */
export type EventStatus = 'CREATED' | 'UPDATED' | 'DELETED' | 'SKIPPED' | 'FAILED' | 'DISCOVERED' | 'ORPHANED' | 'RESTORED';
