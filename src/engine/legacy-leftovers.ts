/**
 * What a legacy conversion leaves for the syncs after it (issue 17), in one place for the run:
 * the evidence at the shared default-site uuid, decided at each console's site by the first sync
 * that reads it, and the tool's identical copies, remembered until deleted. Costs nothing on a
 * database that never was a legacy one: two empty reads.
 */
import type { DnsRecord } from '../domain/record.ts';
import type { RecordType } from '../domain/policy.ts';
import type { KnownState, SiteSnapshot } from '../domain/state.ts';
import { duplicateChanges } from '../planner/legacy-duplicates.ts';
import { holdOrphans, resolveEvidence, type EvidenceResolution } from '../planner/legacy-evidence.ts';
import { observe, type Observation } from '../planner/observe.ts';
import type { Store } from '../store/database.ts';
import { LegacyDuplicateRepository } from '../store/legacy-duplicates.ts';
import { LegacyEvidenceRepository } from '../store/legacy-evidence.ts';
import type { LegacyEvidence } from '../domain/legacy-evidence.ts';

export class LegacyLeftovers {
  readonly #duplicates: LegacyDuplicateRepository | null;
  readonly #evidence: LegacyEvidenceRepository | null;
  readonly #pending: LegacyEvidence[];
  #resolution: EvidenceResolution | null = null;

  /** Loads the duplicates into `known`, and the evidence no sync has decided yet. */
  constructor(store: Store | null, known: KnownState) {
    this.#duplicates = store ? new LegacyDuplicateRepository(store.db) : null;
    this.#evidence = store ? new LegacyEvidenceRepository(store.db) : null;
    this.#pending = this.#evidence?.pending() ?? [];
    if (this.#duplicates) known.duplicates = this.#duplicates.all();
  }

  /** `observe`, on the known state with what the evidence decides at the sites read this run. */
  observe(
    snapshots: SiteSnapshot[],
    known: KnownState,
    passes: (record: DnsRecord, types: readonly RecordType[]) => boolean,
    now: string,
  ): Observation {
    this.#resolution = this.#pending.length > 0 ? resolveEvidence(this.#pending, snapshots, known, passes, now) : null;
    const observation = observe({ snapshots, known: this.#resolution?.known ?? known, passes, now });
    if (this.#resolution) holdOrphans(observation, this.#resolution.held);
    return observation;
  }

  /**
   * In the run's transaction: the evidence decided (before the observations, whose adoptions and
   * origins rest on its rows), then, after them, the duplicates found and gone.
   */
  recordDecisions(at: string): void {
    if (this.#resolution) this.#evidence!.record(this.#resolution.decisions, at);
  }

  recordDuplicates(observation: Observation, known: KnownState, at: string): void {
    const copies = duplicateChanges(observation, known);
    this.#duplicates!.observed(copies.found, copies.gone, at);
  }
}
