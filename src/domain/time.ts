/** The one timestamp format dnssync stores: UTC ISO 8601 with milliseconds, so text order is time order. */
export function nowIso(): string {
  return new Date().toISOString();
}

/** `20261122T081121Z`: UTC to the second, safe in a file name on every system, and sorting as time does. */
export function fileStamp(at: Date): string {
  return at.toISOString().replace(/\.\d+Z$/, 'Z').replace(/[-:]/g, '');
}
