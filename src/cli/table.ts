// A bordered table, as the CLI prints them. Written here rather than taken from cli-table3, which
// spent 30–50 ms on 50 rows (issue 13: `history` in 100 ms, start-up included) and 150 ms on a
// sync report's 1,000: each cell was measured with regular expressions many times over.

/** One space each side of a cell. */
export const PADDING = 2;

const ESCAPES = /\x1b\[[0-9;]*m/g;

/** Width on screen of one line of text: no colour escape counts. */
export function lineWidth(line: string): number {
  const plain = line.includes('\x1b') ? line.replace(ESCAPES, '') : line;
  let width = 0;
  for (const _ of plain) width++;
  return width;
}

/** Width on screen of the widest line of a cell. */
export function visibleWidth(text: string): number {
  let widest = 0;
  for (const line of text.split('\n')) widest = Math.max(widest, lineWidth(line));
  return widest;
}

/**
 * Each column's natural width, its widest cell's and at least 1, padding not included. A loop, not
 * `Math.max(...column)`: `records` at L is a table of 400,000 rows, more arguments than a call
 * can take.
 */
export function naturalWidths(cells: string[][]): number[] {
  const widths: number[] = [];
  for (const row of cells) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 1, visibleWidth(cell))));
  return widths;
}

/**
 * `cells[0]` is the head. `widths` (padding included) wrap each cell at spaces to fit its column;
 * null gives every column its natural width. `border` colours the lines between cells.
 */
export function renderTable(cells: string[][], widths: number[] | null, border: (text: string) => string): string {
  const columns = widths ?? naturalWidths(cells).map((w) => w + PADDING);
  const rule = (left: string, mid: string, right: string) => border(left + columns.map((w) => '─'.repeat(w)).join(mid) + right);
  const out = [rule('┌', '┬', '┐')];
  cells.forEach((row, r) => {
    const lines = columns.map((w, i) => (widths ? wrapLines(row[i] ?? '', w - PADDING) : (row[i] ?? '').split('\n')));
    const height = Math.max(1, ...lines.map((l) => l.length));
    for (let k = 0; k < height; k++) {
      const parts = columns.map((w, i) => {
        const text = lines[i]![k] ?? '';
        return ` ${text}${' '.repeat(Math.max(0, w - PADDING - lineWidth(text)))} `;
      });
      out.push(border('│') + parts.join(border('│')) + border('│'));
    }
    if (r === 0 && cells.length > 1) out.push(rule('├', '┼', '┤'));
  });
  out.push(rule('└', '┴', '┘'));
  return out.join('\n');
}

/** The lines of a cell wrapped at spaces to `width`; a word longer than that keeps a line of its own. */
export function wrapLines(cell: string, width: number): string[] {
  const lines: string[] = [];
  for (const paragraph of cell.split('\n')) {
    let line = '';
    for (const word of paragraph.split(/\s+/).filter(Boolean)) {
      if (line === '') line = word;
      else if (lineWidth(line) + 1 + lineWidth(word) <= width) line += ` ${word}`;
      else {
        lines.push(line);
        line = word;
      }
    }
    lines.push(line);
  }
  return lines;
}
