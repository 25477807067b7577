const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000, ms: 1 } as const;
type Unit = keyof typeof UNIT_MS;
const ORDER: readonly Unit[] = ['d', 'h', 'm', 's', 'ms'];
const PART = /(\d+(?:\.\d+)?)(ms|d|h|m|s)/y;

/**
 * Milliseconds of `15m`, `30s`, `1h30m`, `500ms`, `2d`, `0`; a bare number means seconds.
 * Units must come largest first, each once, so that `1m1h` (probably a typo) is refused.
 * Throws a plain Error; the loader adds the key path.
 */
export function parseDuration(text: string | number): number {
  if (typeof text === 'number') return fromSeconds(text);
  const s = text.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return fromSeconds(Number(s));
  if (s === '') throw new Error('empty duration; expected e.g. 30s, 15m, 1h30m, 2d');
  let ms = 0;
  let last = -1;
  PART.lastIndex = 0;
  while (PART.lastIndex < s.length) {
    const m = PART.exec(s);
    if (!m) throw new Error(`not a duration: "${s}"; expected e.g. 500ms, 30s, 15m, 1h30m, 2d`);
    const unit = m[2] as Unit;
    const rank = ORDER.indexOf(unit);
    if (rank <= last) throw new Error(`not a duration: "${s}"; units must go from largest to smallest, each once`);
    last = rank;
    ms += Number(m[1]) * UNIT_MS[unit];
  }
  return check(Math.round(ms), s);
}

function fromSeconds(n: number): number {
  if (!Number.isFinite(n) || n < 0) throw new Error(`not a duration: ${n}; expected a non-negative number of seconds`);
  return check(Math.round(n * 1000), String(n));
}

function check(ms: number, s: string): number {
  if (!Number.isSafeInteger(ms)) throw new Error(`duration too long: "${s}"`);
  return ms;
}
