/**
 * The conversion's rows at the shared default-site uuid (places.ts): not guessed into origins or
 * replicas of one console, but kept as evidence, per legacy controller, for the first sync.
 */
import { evidenceVerdict, type EvidenceVerdict, type LegacyEvidence } from '../domain/legacy-evidence.ts';
import { earliest } from './time.ts';

interface Seen {
  firstDiscovered: string | null;
  /** A DISCOVERY (or origin row) whose time could not be read. */
  unreadable: boolean;
  created: Array<string | null>;
}

export class SharedEvidence {
  readonly #byRecord = new Map<string, Seen>();
  readonly uuid: string | null;

  constructor(uuid: string | null) {
    this.uuid = uuid;
  }

  /** A DISCOVERY event, or an origin row, of the record at the shared uuid. */
  seen(recordId: string, at: string | null): void {
    const e = this.#entry(recordId);
    if (at === null) e.unreadable = true;
    else e.firstDiscovered = earliest(e.firstDiscovered, at);
  }

  created(recordId: string, at: string | null): void {
    this.#entry(recordId).created.push(at);
  }

  /** The evidence rows, one per legacy controller and record. */
  rows(controllerHosts: readonly string[]): LegacyEvidence[] {
    const rows: LegacyEvidence[] = [];
    for (const [recordId, seen] of this.#byRecord) {
      // Oldest first; an unreadable time last.
      const created = seen.created.toSorted((a, b) => (a === null ? 1 : b === null ? -1 : a < b ? -1 : a > b ? 1 : 0));
      const verdict = verdictOf(seen);
      for (const controllerHost of controllerHosts) {
        rows.push({ controllerHost, uuid: this.uuid!, recordId, firstDiscovered: seen.firstDiscovered, created, verdict });
      }
    }
    return rows;
  }

  /** Records that may still have an origin there: not orphans before the first sync has looked. */
  mayBeNative(recordId: string): boolean {
    const seen = this.#byRecord.get(recordId);
    return seen !== undefined && verdictOf(seen) !== 'replica';
  }

  #entry(recordId: string): Seen {
    let e = this.#byRecord.get(recordId);
    if (!e) this.#byRecord.set(recordId, (e = { firstDiscovered: null, unreadable: false, created: [] }));
    return e;
  }
}

function verdictOf(seen: Seen): EvidenceVerdict {
  return evidenceVerdict(seen.firstDiscovered, seen.unreadable, seen.created);
}
