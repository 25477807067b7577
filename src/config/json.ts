/**
 * Finds JSON syntax errors and the offset of every key and array item. JSON.parse alone is not
 * enough: V8's messages quote the text around the error (which may be an API key) and often give
 * no position, and it silently keeps the last of duplicate keys.
 */
import { formatPath, type KeyPath } from './path.ts';

export class JsonSyntaxError extends Error {
  readonly offset: number;
  readonly reason: string;

  constructor(offset: number, reason: string) {
    super(reason);
    this.offset = offset;
    this.reason = reason;
  }
}

const LITERAL = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;
const ESCAPE = /\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/y;

/** Offsets by formatted key path; throws JsonSyntaxError. */
export function scanJson(text: string): Map<string, number> {
  const positions = new Map<string, number>();
  let i = 0;
  const fail = (reason: string, at = i): never => {
    throw new JsonSyntaxError(at, text[at] === undefined ? 'unexpected end of file' : reason);
  };
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const string = (): string => {
    const start = i++;
    for (;;) {
      const c = text[i];
      if (c === undefined) fail('unterminated string', start);
      if (c === '"') return JSON.parse(text.slice(start, ++i)) as string;
      if (c === '\\') {
        ESCAPE.lastIndex = i;
        if (!ESCAPE.test(text)) fail('bad escape sequence in string');
        i = ESCAPE.lastIndex;
      } else if (c! < ' ') fail('control character in string (use \\n, \\t, ...)');
      else i++;
    }
  };
  const value = (path: KeyPath): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const seen = new Set<string>();
      ws();
      if (text[i] === '}') return void i++;
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a double-quoted key');
        const at = i;
        const key = string();
        if (seen.has(key)) fail(`duplicate key "${key}"`, at);
        seen.add(key);
        positions.set(formatPath([...path, key]), at);
        ws();
        if (text[i] !== ':') fail("expected ':' after the key");
        i++;
        value([...path, key]);
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') return void i++;
        else fail("expected ',' or '}'");
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') return void i++;
      for (let n = 0; ; n++) {
        ws();
        positions.set(formatPath([...path, n]), i);
        value([...path, n]);
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') return void i++;
        else fail("expected ',' or ']'");
      }
    }
    if (c === '"') return void string();
    LITERAL.lastIndex = i;
    if (!LITERAL.test(text)) fail('unexpected character; expected a value (strings need double quotes)');
    i = LITERAL.lastIndex;
  };
  value([]);
  ws();
  if (i < text.length) fail('unexpected text after the end of the JSON value');
  return positions;
}
