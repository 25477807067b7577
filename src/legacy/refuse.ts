/** A legacy database met where it cannot be converted: by a command that only reads, or lacking what the conversion needs. */
import type { DatabaseSync } from 'node:sqlite';
import { DatabaseError } from '../domain/errors.ts';
import { legacyShape, type LegacyShape } from './shape.ts';

/** A legacy database opened by a command that only reads: it is left untouched (exit 1). */
export class LegacyDatabaseError extends DatabaseError {
  override name = 'LegacyDatabaseError';
  /** `incomplete`: some legacy table or column is missing, so it cannot be converted at all. */
  readonly shape: 'legacy' | 'incomplete';

  constructor(message: string, file: string, shape: 'legacy' | 'incomplete') {
    super(message, file);
    this.shape = shape;
  }
}

/**
 * For a read-only open: throws when `db` is a legacy database, whose conversion writes.
 */
export function refuseLegacy(db: DatabaseSync, path: string): void {
  const shape = legacyShape(db);
  if (shape.kind === 'incomplete') throw incomplete(path, shape);
  if (shape.kind === 'legacy') {
    throw new LegacyDatabaseError(
      `${path} is a database of the legacy Python tool (unifi-dns-sync); this command only reads, so it left the file untouched: run 'dnssync migrate --db ${path}' to convert it (a backup copy is written beside it first)`,
      path,
      'legacy',
    );
  }
}

export function incomplete(path: string, shape: Extract<LegacyShape, { kind: 'incomplete' }>): DatabaseError {
  return new LegacyDatabaseError(
    `${path} looks like a database of the legacy Python tool (unifi-dns-sync) but lacks ${shape.missing.join(', ')}; dnssync cannot convert it and left it untouched`,
    path,
    'incomplete',
  );
}
