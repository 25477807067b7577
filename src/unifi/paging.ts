// Reading a whole list, page by page, so that nothing past the first page is
// ever missed (the original tool saw only the first 25 items). A listing is
// the proof that a policy is absent, so every page must add up (SPEC §4.5).
import { createHash } from 'node:crypto';
import type { Transport } from './transport.ts';
import { ShapeProblem, checkPage, type What } from './validate.ts';

export const PAGE_LIMIT = 200;
/** Readings restarted because the list changed under us, before giving up. */
const MAX_RESTARTS = 2;

export interface ListRequest<T extends { id: string }> {
  /** API path, e.g. `/v1/sites/{id}/dns/policies`. */
  path: string;
  siteId?: string;
  /** Item noun for messages: "policy" gives "policy 3 of page at offset 200". */
  noun: string;
  /** Its plural: "read 400 policies but totalCount says 450". */
  nouns: string;
  check: (item: unknown, what: What) => T;
}

/**
 * A listing read whole, with the fingerprint of its bytes (sha256 of every page's text, in order):
 * the same fingerprint, the same listing. Its items are checked and kept by `items()`.
 */
export interface Listing<U> {
  fingerprint: string;
  /** Every item, checked and kept; a `malformed` UnifiError when one is wrong. */
  items(): U[];
}

/**
 * Every item of a paged list: `offset`/`limit=200` until `offset >= totalCount`.
 * Each page must answer the offset asked for, hold as many items as its `count`
 * says, and repeat no id of the listing; the items read must come to exactly
 * `totalCount`. Anything else is a `malformed` error, never an endless loop or
 * a list silently short or long. If totalCount changes between pages (someone
 * wrote meanwhile), the reading starts over.
 *
 * What no check can see: a controller that leaves items out while `count` and
 * `totalCount` agree with what it sends. Only reading a missing policy by id
 * tells that apart from a real absence.
 */
export async function readAll<T extends { id: string }>(transport: Transport, list: ListRequest<T>): Promise<T[]>;
/**
 * The same, each item turned by `keep` into what the caller keeps of it as soon as it is checked,
 * so that a page's raw objects die young instead of being held until the last page (issue 13).
 */
export async function readAll<T extends { id: string }, U>(transport: Transport, list: ListRequest<T>, keep: (item: T) => U): Promise<U[]>;
export async function readAll<T extends { id: string }, U>(transport: Transport, list: ListRequest<T>, keep?: (item: T) => U): Promise<Array<T | U>> {
  return (await readListing<T, T | U>(transport, list, keep ?? ((item: T) => item), false)).items();
}

/**
 * The same checks, and the listing's fingerprint. `deferred`: the items are checked and kept only
 * when `items()` asks, so that a caller who finds the fingerprint it knows spends nothing on them;
 * until then the text of the pages is held (a string is cheap to keep: held across garbage
 * collections, its parsed objects cost the no-op sync 12–27% more CPU: README, Performance).
 */
export async function readListing<T extends { id: string }, U>(transport: Transport, list: ListRequest<T>, keep: (item: T) => U, deferred: boolean): Promise<Listing<U>> {
  const req = { method: 'GET', path: list.path, ...(list.siteId !== undefined && { siteId: list.siteId }) } as const;
  const malformed = (problem: string) => transport.error('malformed', req, problem);
  const changes: string[] = [];
  for (let reading = 0; reading <= MAX_RESTARTS; reading++) {
    const items = new Items(list, keep);
    const pages: Array<{ text: string; where: string }> = [];
    const hash = createHash('sha256');
    let text = '';
    let read = 0;
    let total: number | null = null;
    for (;;) {
      // Offsets follow what was really received, so a short page loses nothing: the next one starts where it ended.
      const offset = read;
      const body = await transport.call({
        ...req,
        query: { offset, limit: PAGE_LIMIT },
        expect: [200],
        json: true,
        text: (answer) => {
          hash.update(answer);
          text = answer;
        },
      });
      const where = `page at offset ${offset}`;
      try {
        const page = checkPage(body, where);
        if (page.offset !== offset) throw new ShapeProblem(`${where}: the controller answered offset ${page.offset} instead`);
        if (total !== null && page.totalCount !== total) {
          changes.push(`${total} → ${page.totalCount}`);
          break;
        }
        total = page.totalCount;
        if (page.count !== page.data.length) throw new ShapeProblem(`${where}: count says ${page.count} but the page holds ${page.data.length} ${list.nouns}`);
        read += page.data.length;
        if (deferred) pages.push({ text, where });
        else items.add(page.data, where);
        const shortfall = read < total && page.data.length === 0 ? ` (the page at offset ${offset} is empty)` : '';
        if (read > total || shortfall) throw new ShapeProblem(`read ${read} ${list.nouns} but totalCount says ${total}${shortfall}`);
      } catch (error) {
        if (error instanceof ShapeProblem) throw malformed(error.message);
        throw error;
      }
      if (read === total) {
        const fingerprint = hash.digest('hex');
        return {
          fingerprint,
          items: () => {
            try {
              // Parsed and checked as a page once already.
              for (const { text, where } of pages.splice(0)) items.add((JSON.parse(text) as { data: unknown[] }).data, where);
            } catch (error) {
              if (error instanceof ShapeProblem) throw malformed(error.message);
              throw error;
            }
            return items.kept;
          },
        };
      }
    }
  }
  throw malformed(`the list kept changing while it was read (totalCount ${changes.join(', ')}); try again`);
}

/** The items of one reading, checked and kept page by page; an id listed twice is a ShapeProblem. */
class Items<T extends { id: string }, U> {
  readonly kept: U[] = [];
  private readonly seen = new Set<string>();
  private readonly list: ListRequest<T>;
  private readonly keep: (item: T) => U;

  constructor(list: ListRequest<T>, keep: (item: T) => U) {
    this.list = list;
    this.keep = keep;
  }

  add(data: unknown[], where: string): void {
    const { list } = this;
    data.forEach((raw, i) => {
      const item = list.check(raw, () => `${list.noun} ${i} of ${where}`);
      if (this.seen.has(item.id)) throw new ShapeProblem(`${where} repeats ${list.noun} ${item.id} already listed`);
      this.seen.add(item.id);
      this.kept.push(this.keep(item));
    });
  }
}
