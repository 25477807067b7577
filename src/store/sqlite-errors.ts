/**
 * SQLite's primary result codes that dnssync tells apart, and the checks on node:sqlite's errors.
 * Extended codes (SQLITE_BUSY_SNAPSHOT, SQLITE_CORRUPT_INDEX, …) carry the primary one in their
 * low byte, so every check masks it.
 */

export const SQLITE_BUSY = 5;
export const SQLITE_READONLY = 8;
export const SQLITE_CORRUPT = 11;
export const SQLITE_CANTOPEN = 14;
export const SQLITE_NOTADB = 26;

/** The primary result code of an error node:sqlite threw, or null for any other error. */
function primaryCode(error: unknown): number | null {
  if ((error as { code?: string } | null)?.code !== 'ERR_SQLITE_ERROR') return null;
  return ((error as { errcode?: number }).errcode ?? 0) & 0xff;
}

/** Another connection holds the lock past the busy timeout. */
export function isBusy(error: unknown): boolean {
  return primaryCode(error) === SQLITE_BUSY;
}

/** SQLite says the file is damaged (or not a database at all). */
export function isCorruption(error: unknown): boolean {
  const code = primaryCode(error);
  return code === SQLITE_CORRUPT || code === SQLITE_NOTADB;
}
