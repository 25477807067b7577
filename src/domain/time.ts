/** The one timestamp format dnssync stores: UTC ISO 8601 with milliseconds, so text order is time order. */
export function nowIso(): string {
  return new Date().toISOString();
}
