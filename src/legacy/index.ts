/**
 * Legacy conversion (SPEC §5): a database file of the Python tool unifi-dns-sync is converted in
 * place, after a backup copy is written beside it; `migrate --import-legacy PATH` imports one from
 * another file into the current database. Both repair the legacy defects (convert.ts).
 */
export { convertInPlace } from './in-place.ts';
export { convertOrRefuse } from './open.ts';
export { importLegacy } from './import.ts';
export { LegacyDatabaseError, refuseLegacy } from './refuse.ts';
export { legacyShape } from './shape.ts';
export { logLegacySummary, summaryLines, type LegacySummary } from './summary.ts';
