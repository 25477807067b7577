import type { Writable } from 'node:stream';
import { createStyle, type Style } from './style.ts';
import { naturalWidths, PADDING, renderTable } from './table.ts';

/**
 * The version of every JSON document dnssync prints. Raised only when a field changes meaning or
 * goes away; new fields do not raise it, so a script reads what it knows and ignores the rest.
 */
export const FORMAT_VERSION = 1;

/** Where output goes: a pipe or file, or a terminal (which knows its width). */
export type OutputStream = Writable & { isTTY?: boolean; columns?: number };

/** Data for stdout: tables for people, JSON for scripts. Logs never come through here. */
export interface Output {
  /** Colour allowed: stdout is a terminal and neither NO_COLOR nor --no-color. */
  readonly color: boolean;
  /** stdout is a terminal (progress lines are shown only then). */
  readonly tty: boolean;
  readonly style: Style;
  line(text?: string): void;
  /** One JSON document (an object), with `formatVersion` first. */
  json(document: unknown): void;
  /** On a terminal the table is made to fit its width: the widest columns wrap. A pipe gets it whole. */
  table(head: string[], rows: Array<Array<string | number>>): void;
}

export function createOutput(stream: OutputStream, color: boolean): Output {
  const style = createStyle(color);
  const tty = stream.isTTY === true;
  return {
    color,
    tty,
    style,
    line: (text = '') => stream.write(text + '\n'),
    json: (document) => {
      // Every document is an object, so that formatVersion has a place; anything else is a bug here.
      if (typeof document !== 'object' || document === null || Array.isArray(document)) throw new TypeError('output.json takes an object');
      stream.write(JSON.stringify({ formatVersion: FORMAT_VERSION, ...document }, null, 2) + '\n');
    },
    table: (head, rows) => {
      const cells = [head.map((h) => style.bold(h)), ...rows.map((row) => row.map(String))];
      // Read at each table, not once: a terminal can be resized while a command runs.
      const width = tty && typeof stream.columns === 'number' && stream.columns > 0 ? stream.columns : null;
      const colWidths = width === null ? null : fittedWidths(cells, width);
      const fitted = colWidths ? cells.map((row) => row.map((cell, i) => breakLongWords(cell, colWidths[i]! - PADDING))) : cells;
      stream.write(renderTable(fitted, colWidths, color ? style.gray : (text) => text) + '\n');
    },
  };
}

/** Columns no wider than this (a count, a status, a record type) never wrap. */
const SHORT = 8;

/**
 * Column widths (padding included) that fit `columns`, or null when the table fits as it is.
 * Short columns stay whole; the long ones (times, domains, reasons) give way, the widest first,
 * down to one common width. Only when even that cannot fit do the short ones wrap too; a table of
 * more columns than the terminal has room for borders still overflows.
 */
export function fittedWidths(cells: string[][], columns: number): number[] | null {
  const natural = naturalWidths(cells);
  const count = natural.length;
  const room = columns - (count + 1) - count * PADDING;
  const sum = (widths: number[]) => widths.reduce((a, b) => a + b, 0);
  if (sum(natural) <= room) return null;
  const isLong = natural.map((w) => w > SHORT);
  const shortRoom = room - sum(natural.filter((_, i) => !isLong[i]));
  const capped = (which: boolean[], space: number) => {
    let cap = Math.max(...natural);
    const widths = () => natural.map((w, i) => (which[i] ? Math.min(w, cap) : w));
    while (cap > 1 && sum(widths().filter((_, i) => which[i])) > space) cap--;
    return widths();
  };
  const content = isLong.filter(Boolean).length <= shortRoom ? capped(isLong, shortRoom) : capped(natural.map(() => true), room);
  return content.map((w) => w + PADDING);
}

/**
 * A table wraps at spaces. A domain or uuid longer than its column is broken over lines first,
 * so that every line fits. A coloured
 * word is left alone: breaking it could split an escape sequence (it is a short label anyway).
 */
function breakLongWords(cell: string, width: number): string {
  if (width < 1 || cell.includes('\x1b')) return cell;
  return cell
    .split('\n')
    .map((line) => line.replace(/\S+/g, (word) => (word.length <= width ? word : (word.match(new RegExp(`.{1,${width}}`, 'gu')) ?? [word]).join('\n'))))
    .join('\n');
}
