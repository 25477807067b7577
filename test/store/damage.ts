import { createHash } from 'node:crypto';
import { closeSync, copyFileSync, existsSync, openSync, readFileSync, statSync, truncateSync, writeSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { pathToFileURL } from 'node:url';

/**
 * Damage done to copies of a real dnssync database, the way a disk, a crash or a careless copy
 * does it. Each returns what it damaged, for assertion messages.
 */

export function sha(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** The file and whether SQLite left -wal / -shm beside it: what "not written" compares. */
export function fingerprint(path: string): { sha: string; wal: boolean; shm: boolean } {
  return { sha: sha(path), wal: existsSync(`${path}-wal`), shm: existsSync(`${path}-shm`) };
}

/** Copies a closed database (its -wal checkpointed away) to `to`. */
export function copyDatabase(from: string, to: string): string {
  if (existsSync(`${from}-wal`) && statSync(`${from}-wal`).size > 0) throw new Error(`${from} has an uncheckpointed -wal: close every connection first`);
  copyFileSync(from, to);
  return to;
}

/** Reads a closed copy immutable: a plain reader would leave -wal and -shm files beside it. */
function read<T>(path: string, sql: string, ...params: Array<string | number>): T[] {
  const url = pathToFileURL(path);
  url.search = 'mode=ro&immutable=1';
  const db = new DatabaseSync(url, { readOnly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

function pageSize(path: string): number {
  return read<{ page_size: number }>(path, 'PRAGMA page_size')[0]!.page_size;
}

/** Deterministic garbage, so that a test damages the same way on every run. */
function garbage(size: number): Buffer {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i += 32) createHash('sha256').update(`garbage-${i}`).digest().copy(bytes, i);
  return bytes;
}

function overwrite(path: string, offset: number, bytes: Buffer): void {
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, bytes, 0, bytes.length, offset);
  } finally {
    closeSync(fd);
  }
}

/** Garbage over the b-tree page in the middle of the file (of all pages that hold tables or indexes). */
export function garbleMiddlePage(path: string): string {
  const pages = read<{ pageno: number; name: string }>(path, "SELECT pageno, name FROM dbstat WHERE pagetype IN ('internal', 'leaf') ORDER BY pageno");
  const middle = pages[Math.floor(pages.length / 2)]!;
  const size = pageSize(path);
  overwrite(path, (middle.pageno - 1) * size, garbage(size));
  return `page ${middle.pageno} of ${pages.length} (${middle.name})`;
}

/** Cuts the file off in the middle of its last page. */
export function truncateMidPage(path: string): string {
  const size = statSync(path).size;
  truncateSync(path, size - pageSize(path) / 2);
  return `${size} bytes cut to ${size - pageSize(path) / 2}`;
}

/** Garbage over the root page of `index`, found in sqlite_master. */
export function damageRoot(path: string, index: string): string {
  const [row] = read<{ rootpage: number }>(path, 'SELECT rootpage FROM sqlite_master WHERE name = ?', index);
  if (!row) throw new Error(`no ${index} in ${path}`);
  const size = pageSize(path);
  overwrite(path, (row.rootpage - 1) * size, garbage(size));
  return `root page ${row.rootpage} of ${index}`;
}

/**
 * Points the overflow chain of a long dns_records row past the end of the file: the page walk at
 * open reads only b-tree pages and passes, the first statement that reads the row's payload gets
 * SQLITE_CORRUPT. The row must span three pages or more, so its first overflow page has a next.
 */
export function breakOverflowChain(path: string): string {
  const [first] = read<{ pageno: number }>(path, "SELECT pageno FROM dbstat WHERE name = 'dns_records' AND pagetype = 'overflow' ORDER BY path LIMIT 1");
  if (!first) throw new Error(`no overflow page in dns_records of ${path}`);
  const next = Buffer.alloc(4);
  next.writeUInt32BE(0x7fff_fff0);
  overwrite(path, (first.pageno - 1) * pageSize(path), next);
  return `overflow page ${first.pageno} of dns_records`;
}
