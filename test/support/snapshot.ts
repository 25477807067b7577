import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const SNAPSHOTS = join(import.meta.dirname, '../snapshots');

/**
 * Compares `actual` with the committed file test/snapshots/NAME. With UPDATE_SNAPSHOTS=1 the file
 * is written instead (then review the diff before committing it). A missing file fails: a snapshot
 * is only ever made on purpose.
 */
export function matchSnapshot(name: string, actual: string): void {
  const file = join(SNAPSHOTS, name);
  if (process.env.UPDATE_SNAPSHOTS === '1') {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  assert.ok(existsSync(file), `no snapshot ${file}: run the test with UPDATE_SNAPSHOTS=1 to make it, and review it`);
  assert.equal(actual, readFileSync(file, 'utf8'), `output differs from ${file} (UPDATE_SNAPSHOTS=1 rewrites it)`);
}

/** What changes from run to run, in the words a snapshot keeps instead. */
export interface Volatile {
  /** Temporary folders, each replaced by its name (`<dir>`). */
  paths?: Record<string, string>;
  /** Table columns whose cells vary from run to run (a duration, a host, a pid): header → what to show. */
  columns?: Record<string, string>;
}

/**
 * Output made stable: temp paths, loopback ports, ISO times, local times and dates replaced by
 * placeholders, and tables reduced to their cells (`| a | b |`), because a placeholder of another
 * length than what it replaces would move every border of a table.
 */
export function normalise(text: string, volatile: Volatile = {}): string {
  let out = text;
  for (const [path, name] of Object.entries(volatile.paths ?? {}).sort(([a], [b]) => b.length - a.length)) out = out.replaceAll(path, name);
  out = out
    .replace(/\b(127\.0\.0\.1|localhost):\d+/g, '$1:<port>')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<iso>')
    .replace(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/g, '<time>')
    .replace(/\d{4}-\d\d-\d\d/g, '<date>')
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>');
  const columns = volatile.columns ?? {};
  const lines: string[] = [];
  let head: string[] | null = null;
  for (const line of out.split('\n')) {
    if (line.startsWith('┌')) head = null; // the next row is the table's head
    if (/^[┌├└]/.test(line)) continue;
    if (!line.startsWith('│')) {
      lines.push(line);
      continue;
    }
    let cells = line.slice(1, -1).split('│').map((cell) => cell.trim());
    if (head === null) head = cells;
    else cells = cells.map((cell, c) => (head![c]! in columns && cell !== '' ? columns[head![c]!]! : cell));
    lines.push(`| ${cells.join(' | ')} |`.replace(/ {2,}\|/g, ' |'));
  }
  return lines.join('\n');
}
