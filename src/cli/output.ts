import { Chalk, type ChalkInstance } from 'chalk';
import Table from 'cli-table3';
import type { Writable } from 'node:stream';

/** Data for stdout: tables for people, JSON for scripts. Logs never come through here. */
export interface Output {
  /** Colour allowed: stdout is a terminal and neither NO_COLOR nor --no-color. */
  readonly color: boolean;
  /** stdout is a terminal (progress lines are shown only then). */
  readonly tty: boolean;
  readonly style: ChalkInstance;
  line(text?: string): void;
  json(document: unknown): void;
  table(head: string[], rows: Array<Array<string | number>>): void;
}

export function createOutput(stream: Writable & { isTTY?: boolean }, color: boolean): Output {
  const style = new Chalk({ level: color ? 1 : 0 });
  return {
    color,
    tty: stream.isTTY === true,
    style,
    line: (text = '') => stream.write(text + '\n'),
    json: (document) => stream.write(JSON.stringify(document, null, 2) + '\n'),
    table: (head, rows) => {
      const table = new Table({
        head: head.map((h) => style.bold(h)),
        // cli-table3 colours heads and borders by default; no escape may reach a pipe.
        style: { head: [], border: color ? ['grey'] : [], compact: true },
      });
      table.push(...rows.map((row) => row.map(String)));
      stream.write(table.toString() + '\n');
    },
  };
}
