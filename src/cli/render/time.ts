/**
 * The one way a table shows a time: local time to the second, `2026-11-20 10:49:03` (the zone is
 * the machine's, TZ included). People read tables, and milliseconds or a `T…Z` only get in their
 * way; scripts read JSON, which keeps the stored UTC ISO times as they are.
 */
export function tableTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const at = new Date(iso);
  // A time that does not parse is shown as stored rather than as "Invalid Date".
  if (Number.isNaN(at.getTime())) return iso;
  const two = (n: number) => String(n).padStart(2, '0');
  const date = `${String(at.getFullYear()).padStart(4, '0')}-${two(at.getMonth() + 1)}-${two(at.getDate())}`;
  return `${date} ${two(at.getHours())}:${two(at.getMinutes())}:${two(at.getSeconds())}`;
}

const ISO_TIME = /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z\b/g;

/**
 * Text with every ISO time in it shown as tableTime shows it: reasons are worded where they are
 * made (the planner: "orphaned since 2026-11-20T09:49:03.120Z") and stored so, for JSON; a table
 * shows them in the same format as its time columns.
 */
export function tableTimesIn(text: string): string {
  return text.replace(ISO_TIME, tableTime);
}
