/**
 * Tables show times in the machine's time zone, to the second (`2026-11-22 09:11:21`): what a person
 * at that machine compares with the clock. JSON keeps the stored ISO UTC times.
 */
export function localTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return iso;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${t.getFullYear()}-${pad(t.getMonth() + 1)}-${pad(t.getDate())} ${pad(t.getHours())}:${pad(t.getMinutes())}:${pad(t.getSeconds())}`;
}
