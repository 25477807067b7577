/**
 * Evidence the legacy tool left at a site uuid that several consoles share (issue 17). Its
 * `sites` table was keyed by uuid alone, and every console's `default` site has the same uuid, so
 * its rows there may be about any console. The conversion keeps them per legacy controller; the
 * first sync that reads a console's site decides there what each policy is.
 */
import type { Attributes } from './record.ts';

/** The uuid of the `default` site, the same on every console (a name-based uuid). */
export const DEFAULT_SITE_UUID = '88f7af54-98f8-306a-a1c7-c9349722b1f6';

/**
 * What the evidence says of a record's policies at that uuid:
 * - replica: the tool CREATED it there and had not seen it there before its first CREATED;
 * - native: it was seen there first (or never created there);
 * - undecided: the times cannot tell (unreadable): treated as native, so never deleted, and listed.
 */
export type EvidenceVerdict = 'replica' | 'native' | 'undecided';

export interface LegacyEvidence {
  controllerHost: string;
  uuid: string;
  recordId: string;
  /** The first DISCOVERY (or origin row) of the record at that uuid; null if never seen there. */
  firstDiscovered: string | null;
  /** The time of every CREATED there, oldest first; null for one that could not be read. */
  created: Array<string | null>;
  verdict: EvidenceVerdict;
}

/**
 * The rule of issue 17, on the evidence of one record at one uuid: `firstDiscovered` is the first
 * sighting there whose time is known, `unreadableSighting` whether another one's time is unknown.
 */
export function evidenceVerdict(firstDiscovered: string | null, unreadableSighting: boolean, created: ReadonlyArray<string | null>): EvidenceVerdict {
  if (created.length === 0) return 'native';
  if (created.some((t) => t === null)) return 'undecided';
  const firstCreated = created.reduce((a, b) => (b! < a! ? b : a))!;
  if (firstDiscovered !== null && firstDiscovered < firstCreated) return 'native';
  // A sighting of unknown time may have come before the first CREATED, or after.
  return unreadableSighting ? 'undecided' : 'replica';
}

/** What the first sync that read a console's site made of one evidence row there. */
export interface EvidenceDecision {
  evidence: LegacyEvidence;
  siteKey: number;
  /** Policies of the record found at that site. */
  found: number;
  /** Taken as the tool's copy: a replica whose policy id discovery learns by identity. */
  replica: { createdAt: string } | null;
  /** Taken as native: an origin there since the tool first saw it. */
  origin: { firstSeen: string; attributes: Attributes } | null;
}
