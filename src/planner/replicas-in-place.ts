import type { Attributes, DnsRecord } from '../domain/record.ts';
import type { LivePolicy, ReplicasInPlace, StoredReplica } from '../domain/state.ts';

/** What the compact form needs of the run's record catalogue: each record and attributes object by a small number. */
export interface CatalogueIndex {
  recordIndex(recordId: string): number | undefined;
  recordAt(index: number): DnsRecord;
  attributesIndex(attributes: Attributes): number;
  attributesAt(index: number): Attributes;
}

/**
 * Takes out of a site's live policies those that are a settled replica of their own record under
 * the id the database holds (`stored`, a site's replicasAt), and takes their rows out of `stored`
 * too: what is left of both is what observe still has to match. Holding 400,000 policies at L as
 * objects, id strings and map entries until the plan is made cost about 150 bytes each; in place
 * they cost 22 (issue 13: memory that does not grow with sites × records).
 */
export function placeReplicas(policies: readonly LivePolicy[], stored: Map<string, StoredReplica>, catalogue: CatalogueIndex): { inPlace: ReplicasInPlace; rest: LivePolicy[] } {
  const placed: LivePolicy[] = [];
  const rest: LivePolicy[] = [];
  for (const live of policies) {
    const id = live.record.id;
    // A string is a settled row with its id (StoredReplica); each is taken once, so a second policy of the record stays.
    if (stored.get(id) === live.policyId && catalogue.recordIndex(id) !== undefined) {
      placed.push(live);
      stored.delete(id);
    } else rest.push(live);
  }
  return { inPlace: placed.length === 0 ? NONE : new CompactReplicas(placed, catalogue), rest };
}

const NONE: ReplicasInPlace = { size: 0, has: () => false, get: () => undefined, [Symbol.iterator]: () => [][Symbol.iterator]() };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const UUID_BYTES = 16;
const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/** In listing order: a record's number, its attributes' number and its policy id as the 16 bytes of a UUID. */
class CompactReplicas implements ReplicasInPlace {
  readonly size: number;
  readonly #catalogue: CatalogueIndex;
  /** Record number → slot + 1 (0: none). */
  readonly #slotOf: Uint32Array;
  readonly #records: Uint32Array;
  readonly #attributes: Uint32Array;
  readonly #ids: Uint8Array;
  /** Slot → an id that is not a lowercase UUID (none from a real controller): as it came. */
  readonly #otherIds = new Map<number, string>();

  constructor(placed: readonly LivePolicy[], catalogue: CatalogueIndex) {
    this.size = placed.length;
    this.#catalogue = catalogue;
    this.#records = new Uint32Array(placed.map((live) => catalogue.recordIndex(live.record.id)!));
    // A loop, not Math.max(...records): a site can hold more replicas than a call takes arguments.
    this.#slotOf = new Uint32Array(this.#records.reduce((max, record) => Math.max(max, record), 0) + 1);
    this.#attributes = new Uint32Array(placed.map((live) => catalogue.attributesIndex(live.attributes)));
    this.#ids = new Uint8Array(placed.length * UUID_BYTES);
    placed.forEach((live, slot) => {
      this.#slotOf[this.#records[slot]!] = slot + 1;
      if (!packUuid(live.policyId, this.#ids, slot * UUID_BYTES)) this.#otherIds.set(slot, live.policyId);
    });
  }

  has(recordId: string): boolean {
    return this.#slot(recordId) !== undefined;
  }

  get(recordId: string): LivePolicy | undefined {
    const slot = this.#slot(recordId);
    return slot === undefined ? undefined : this.#policy(slot);
  }

  *[Symbol.iterator](): Iterator<LivePolicy> {
    for (let slot = 0; slot < this.size; slot++) yield this.#policy(slot);
  }

  #slot(recordId: string): number | undefined {
    const index = this.#catalogue.recordIndex(recordId);
    const slot = index === undefined ? 0 : (this.#slotOf[index] ?? 0);
    return slot === 0 ? undefined : slot - 1;
  }

  #policy(slot: number): LivePolicy {
    return new PolicyInPlace(this.#catalogue.recordAt(this.#records[slot]!), this.#catalogue.attributesAt(this.#attributes[slot]!), this, slot);
  }

  policyIdAt(slot: number): string {
    return this.#otherIds.get(slot) ?? unpackUuid(this.#ids, slot * UUID_BYTES);
  }
}

/** A replica in place as a LivePolicy; its id is spelt out only when read: a plan reads few of them (updates and deletes). */
class PolicyInPlace implements LivePolicy {
  readonly record: DnsRecord;
  readonly attributes: Attributes;
  readonly #replicas: CompactReplicas;
  readonly #slot: number;

  constructor(record: DnsRecord, attributes: Attributes, replicas: CompactReplicas, slot: number) {
    this.record = record;
    this.attributes = attributes;
    this.#replicas = replicas;
    this.#slot = slot;
  }

  get policyId(): string {
    return this.#replicas.policyIdAt(this.#slot);
  }
}

function packUuid(id: string, bytes: Uint8Array, at: number): boolean {
  if (!UUID.test(id)) return false;
  let to = at;
  for (let i = 0; i < id.length; i += 2) {
    if (id.charCodeAt(i) === 45) i++; // '-'
    bytes[to++] = (nibble(id.charCodeAt(i)) << 4) | nibble(id.charCodeAt(i + 1));
  }
  return true;
}

function nibble(code: number): number {
  return code <= 57 ? code - 48 : code - 87; // '0'–'9', 'a'–'f'
}

function unpackUuid(bytes: Uint8Array, at: number): string {
  let id = '';
  for (let i = 0; i < UUID_BYTES; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) id += '-';
    id += HEX[bytes[at + i]!];
  }
  return id;
}
