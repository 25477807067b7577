import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createOutput } from '../../src/cli/output.ts';

const FOLDER = fileURLToPath(new URL('../snapshots/', import.meta.url));

/**
 * Compares `text` with the committed test/snapshots/NAME. With UPDATE_SNAPSHOTS=1 it writes the
 * file instead (then look at the diff before committing it).
 */
export function matchSnapshot(name: string, text: string): void {
  const file = FOLDER + name;
  if (process.env.UPDATE_SNAPSHOTS === '1') {
    writeFileSync(file, text);
    return;
  }
  assert.ok(existsSync(file), `no snapshot ${name}: run with UPDATE_SNAPSHOTS=1 to write it`);
  assert.equal(text, readFileSync(file, 'utf8'), `snapshot ${name} (UPDATE_SNAPSHOTS=1 rewrites it)`);
}

export interface Normalise {
  /** The test's temp folder, shown as <dir>. */
  dir: string;
  /** Table columns whose cells vary from run to run (a duration, a host, a pid): header → what to show. */
  columns?: Record<string, string>;
}

/**
 * What varies from one run of a test to the next, made fixed: times (table and ISO), uuids, ports
 * and the temp folder. Tables are drawn again from their cells, so a masked cell of another width
 * moves no border.
 */
export function normalise(text: string, options: Normalise): string {
  const fixed = text
    .replaceAll(options.dir, '<dir>')
    .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g, '<ISO time>')
    .replace(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/g, 'YYYY-MM-DD hh:mm:ss')
    .replace(/\b\d{4}-\d{2}-\d{2}\b/g, 'YYYY-MM-DD')
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>')
    .replace(/\b(127\.0\.0\.1|localhost):\d+/g, '$1:<port>');
  return redrawTables(fixed, options.columns ?? {});
}

/** Each table (a pipe's: one line per row) drawn again from its cells, with `columns` masked. */
function redrawTables(text: string, columns: Record<string, string>): string {
  const lines = text.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]!.startsWith('┌')) {
      out.push(lines[i]!);
      continue;
    }
    const rows: string[][] = [];
    for (i++; i < lines.length && !lines[i]!.startsWith('└'); i++) {
      if (lines[i]!.startsWith('│')) rows.push(lines[i]!.slice(1, -1).split('│').map((cell) => cell.trim()));
    }
    const [head, ...body] = rows;
    const masked = body.map((row) => row.map((cell, c) => (head![c]! in columns && cell !== '' ? columns[head![c]!]! : cell)));
    let drawn = '';
    createOutput({ write: (chunk: string) => ((drawn += chunk), true) } as never, false).table(head!, masked);
    out.push(drawn.trimEnd());
  }
  return out.join('\n');
}
