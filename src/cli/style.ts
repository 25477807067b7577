/**
 * The five colours dnssync prints, as SGR escape sequences of the 16-colour palette (what chalk's
 * level 1 wrote), or the text itself when colour is off. Not chalk: loading it cost every command
 * about 5 ms of start-up, of issue 13's 100 ms for `history --record` (README, Dependencies).
 */
export interface Style {
  bold(text: string): string;
  gray(text: string): string;
  green(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
}

const PLAIN = (text: string) => text;

export function createStyle(color: boolean): Style {
  if (!color) return { bold: PLAIN, gray: PLAIN, green: PLAIN, red: PLAIN, yellow: PLAIN };
  return { bold: sgr(1, 22), gray: sgr(90, 39), green: sgr(32, 39), red: sgr(31, 39), yellow: sgr(33, 39) };
}

/**
 * Wraps text in an SGR pair. A line break closes the style and opens it again after, so that each
 * line of a wrapped table cell is coloured on its own and a border between never is; a close
 * inside the text (a coloured word in a coloured line) opens it again, as chalk did.
 */
function sgr(open: number, close: number): (text: string) => string {
  const on = `\x1b[${open}m`;
  const off = `\x1b[${close}m`;
  return (text) => {
    if (text === '') return text;
    const inner = text.includes(off) ? text.replaceAll(off, off + on) : text;
    return on + inner.replace(/(\r?\n)/g, `${off}$1${on}`) + off;
  };
}
