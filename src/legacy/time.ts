/**
 * Legacy timestamps: Python's `datetime.utcnow()` stored by sqlite3 as `YYYY-MM-DD HH:MM:SS.ffffff`
 * (UTC, no zone; no fraction when the microseconds were 0). Turned into dnssync's ISO 8601 form
 * `YYYY-MM-DDTHH:MM:SS.mmmZ` (microseconds truncated to milliseconds).
 */

const PYTHON_TIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** The ISO form of a legacy time, or null when it is missing or not a time. */
export function legacyTime(value: unknown): string | null {
  if (typeof value === 'number' || typeof value === 'bigint') {
    // Not what the legacy tool wrote, but a number in a DATETIME column can only be epoch time.
    const n = Number(value);
    const ms = n > 1e11 ? n : n * 1000;
    return validIso(new Date(ms));
  }
  if (typeof value !== 'string') return null;
  const match = PYTHON_TIME.exec(value.trim());
  if (!match) return null;
  const [, y, mo, d, h, mi, s, fraction, zone] = match;
  const ms = Number(((fraction ?? '') + '000').slice(0, 3));
  let time = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0), ms);
  if (zone && zone.toUpperCase() !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offsetMinutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || 0);
    time -= sign * offsetMinutes * 60_000;
  }
  const date = new Date(time);
  // Date.UTC rolls 2025-02-30 over to March; a legacy file never holds that, so refuse it.
  if (!zone && (date.getUTCMonth() !== Number(mo) - 1 || date.getUTCDate() !== Number(d) || date.getUTCHours() !== Number(h))) return null;
  return validIso(date);
}

function validIso(date: Date): string | null {
  const t = date.getTime();
  return Number.isFinite(t) && t > 0 ? date.toISOString() : null;
}

/** The earlier of two ISO times (either may be missing). */
export function earliest(a: string | null | undefined, b: string | null | undefined): string | null {
  if (!a) return b ?? null;
  if (!b) return a;
  return a <= b ? a : b;
}

/** The later of two ISO times (either may be missing). */
export function latest(a: string | null | undefined, b: string | null | undefined): string | null {
  if (!a) return b ?? null;
  if (!b) return a;
  return a >= b ? a : b;
}
