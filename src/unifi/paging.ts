// Reading a whole list, page by page, so that nothing past the first page is
// ever missed (the original tool saw only the first 25 items).
import type { Transport } from './transport.ts';
import { ShapeProblem, checkPage } from './validate.ts';

export const PAGE_LIMIT = 200;
/** Readings restarted because the list changed under us, before giving up. */
const MAX_RESTARTS = 2;

export interface ListRequest<T> {
  /** API path, e.g. `/v1/sites/{id}/dns/policies`. */
  path: string;
  siteId?: string;
  /** Item noun for messages: "policy" gives "policy 3 of page at offset 200". */
  noun: string;
  check: (item: unknown, what: string) => T;
}

/**
 * Every item of a paged list: `offset`/`limit=200` until `offset >= totalCount`.
 * A page that does not move forward, answers another offset, or has a bad item
 * is a `malformed` error, never an endless loop or a short list. If totalCount
 * changes between pages (someone wrote meanwhile), the reading starts over.
 */
export async function readAll<T>(transport: Transport, list: ListRequest<T>): Promise<T[]> {
  const req = { method: 'GET', path: list.path, ...(list.siteId !== undefined && { siteId: list.siteId }) } as const;
  const malformed = (problem: string) => transport.error('malformed', req, problem);
  const changes: string[] = [];
  for (let reading = 0; reading <= MAX_RESTARTS; reading++) {
    const items: T[] = [];
    let offset = 0;
    let total: number | null = null;
    for (;;) {
      const body = await transport.call({ ...req, query: { offset, limit: PAGE_LIMIT }, expect: [200], json: true });
      const where = `page at offset ${offset}`;
      try {
        const page = checkPage(body, where);
        if (page.offset !== offset) throw new ShapeProblem(`${where}: the controller answered offset ${page.offset} instead`);
        if (total !== null && page.totalCount !== total) {
          changes.push(`${total} → ${page.totalCount}`);
          break;
        }
        total = page.totalCount;
        page.data.forEach((item, i) => items.push(list.check(item, `${list.noun} ${i} of ${where}`)));
        offset += page.data.length;
        if (offset >= total) return items;
        if (page.data.length === 0) throw new ShapeProblem(`${where}: no items, but totalCount is ${total}`);
      } catch (error) {
        if (error instanceof ShapeProblem) throw malformed(error.message);
        throw error;
      }
    }
  }
  throw malformed(`the list kept changing while it was read (totalCount ${changes.join(', ')}); try again`);
}
