import { DatabaseSync } from 'node:sqlite';
import { BUSY_TIMEOUT_MS, guard } from '../store/database.ts';
import { convertInPlace, type InPlaceResult } from './in-place.ts';
import { refuseLegacy } from './refuse.ts';

/**
 * For an open that met a legacy database (LegacyDatabaseMet): a command that only reads refuses
 * it and leaves it untouched; one that writes converts it in place, after a backup copy (SPEC §5).
 * Null when there was nothing left to convert (another process converted it meanwhile).
 */
export function convertOrRefuse(path: string, readOnly: boolean): InPlaceResult | null {
  const db = guard(path, () => new DatabaseSync(path, { readOnly, timeout: BUSY_TIMEOUT_MS }));
  try {
    return guard(path, () => {
      if (!readOnly) return convertInPlace(db, path);
      refuseLegacy(db, path);
      return null;
    });
  } finally {
    db.close();
  }
}
