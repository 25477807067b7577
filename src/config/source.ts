/** Turns config text into plain data plus the offset of every key, so each problem can name its line. */
import { isMap, isNode, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import { ConfigError } from '../domain/errors.ts';
import { JsonSyntaxError, scanJson } from './json.ts';
import { formatPath, type KeyPath } from './path.ts';

export class Source {
  readonly file: string;
  private readonly text: string;
  private readonly positions: Map<string, number>;

  constructor(
    file: string,
    text: string,
    positions: Map<string, number>,
  ) {
    this.file = file;
    this.text = text;
    this.positions = positions;
  }

  /** Line of the key at `path`, or of its nearest ancestor present in the file (for a missing key). */
  lineOf(path: KeyPath): number | undefined {
    for (let n = path.length; n > 0; n--) {
      const at = this.positions.get(formatPath(path.slice(0, n)));
      if (at !== undefined) return lineAt(this.text, at);
    }
    return undefined;
  }

  error(path: KeyPath, problem: string): ConfigError {
    return errorAt(this.file, path.length ? this.lineOf(path) : undefined, path, problem);
  }
}

export function errorAt(file: string, line: number | undefined, path: KeyPath, problem: string): ConfigError {
  return new ConfigError(problem, line === undefined ? file : `${file}:${line}`, formatPath(path) || undefined);
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

export function parseSource(file: string, raw: string, syntax: 'yaml' | 'json'): { data: unknown; source: Source } {
  const text = raw.replace(/^\uFEFF/, '');
  if (text.trim() === '') throw new ConfigError('empty file', file);
  return syntax === 'json' ? parseJson(file, text) : parseYaml(file, text);
}

function parseJson(file: string, text: string) {
  try {
    const positions = scanJson(text);
    return { data: JSON.parse(text) as unknown, source: new Source(file, text, positions) };
  } catch (e) {
    if (!(e instanceof JsonSyntaxError)) throw e;
    throw errorAt(file, lineAt(text, e.offset), [], `invalid JSON: ${e.reason}`);
  }
}

function parseYaml(file: string, text: string) {
  const lines = new LineCounter();
  // prettyErrors off: the pretty form quotes the offending line, which may hold an API key.
  // Merge keys let many controllers share one `tls:` or `clients:` block through an anchor.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, merge: true });
  const bad = doc.errors[0];
  if (bad) {
    const problem =
      bad.code === 'MULTIPLE_DOCS' ? 'more than one YAML document'
      : bad.code === 'DUPLICATE_KEY' ? 'duplicate key'
      : bad.message;
    throw errorAt(file, lines.linePos(bad.pos[0]).line, [], `invalid YAML: ${problem}`);
  }
  if (doc.contents === null) throw new ConfigError('empty file', file);
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw new ConfigError(`invalid YAML: ${(e as Error).message}`, file);
  }
  const positions = new Map<string, number>();
  walk(doc.contents, [], positions);
  return { data, source: new Source(file, text, positions) };
}

function walk(node: unknown, path: KeyPath, out: Map<string, number>): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const at = isNode(pair.key) ? pair.key.range?.[0] : undefined;
      if (at !== undefined) out.set(formatPath([...path, key]), at);
      walk(pair.value, [...path, key], out);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, n) => {
      const at = isNode(item) ? item.range?.[0] : undefined;
      if (at !== undefined) out.set(formatPath([...path, n]), at);
      walk(item, [...path, n], out);
    });
  }
}
