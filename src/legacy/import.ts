/** `migrate --import-legacy`: a legacy file read, never changed, and added to the current database. */
import { existsSync } from '../system/fs.ts';
import { DatabaseSync } from 'node:sqlite';
import { DatabaseError } from '../domain/errors.ts';
import { hasSqliteHeader } from '../store/sqlite-file.ts';
import { immediateTransaction } from '../store/transaction.ts';
import { convertLegacy } from './convert.ts';
import { readLegacy } from './read.ts';
import { incomplete } from './refuse.ts';
import { legacyShape } from './shape.ts';
import { summaryWarnings, type LegacySummary } from './summary.ts';
import { writeConversion } from './write.ts';

export interface ImportOptions {
  now?: () => Date;
}

/**
 * `migrate --import-legacy SOURCE`: reads SOURCE read-only (it is never modified) and adds what it
 * holds to the dnssync database `db`, with the same repairs; a second import adds nothing.
 */
export function importLegacy(db: DatabaseSync, databasePath: string, source: string, options: ImportOptions = {}): LegacySummary {
  if (!existsSync(source)) throw new DatabaseError(`--import-legacy: no file at ${source}`, source);
  if (!hasSqliteHeader(source)) throw new DatabaseError(`--import-legacy: ${source} is not a SQLite database`, source);
  let data;
  const reader = openReadOnly(source);
  try {
    const shape = legacyShape(reader);
    if (shape.kind === 'incomplete') throw incomplete(source, shape);
    if (shape.kind === 'none') {
      const dnssync = reader.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
      throw new DatabaseError(
        `--import-legacy: ${source} is not a database of the legacy Python tool (unifi-dns-sync)${dnssync ? '; it is a dnssync database' : ''}`,
        source,
      );
    }
    data = readLegacy(reader, shape);
  } catch (error) {
    if (error instanceof DatabaseError) throw error;
    throw new DatabaseError(`--import-legacy: cannot read ${source} (${(error as Error).message})`, source);
  } finally {
    reader.close();
  }
  const at = (options.now?.() ?? new Date()).toISOString();
  const conversion = convertLegacy(data, at);
  const written = immediateTransaction(db, () => writeConversion(db, conversion));
  const partial = {
    mode: 'import' as const,
    database: databasePath,
    source,
    backup: null,
    at,
    ...written,
    repaired: conversion.repairs,
    notImported: conversion.notImported,
  };
  return { ...partial, warnings: summaryWarnings(partial) };
}

function openReadOnly(path: string): DatabaseSync {
  try {
    return new DatabaseSync(path, { readOnly: true });
  } catch (error) {
    throw new DatabaseError(`--import-legacy: cannot open ${path} (${(error as Error).message})`, path);
  }
}
