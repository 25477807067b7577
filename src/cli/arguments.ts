import { InvalidArgumentError } from 'commander';

/** Option parsers shared by the commands; commander turns their errors into exit 2. */

export function positiveInteger(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError('expected a whole number of 1 or more');
  return Number(value);
}

/** For repeatable options: `--site a --site b`. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
