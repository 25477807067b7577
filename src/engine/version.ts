import { readFileSync } from 'node:fs';

/** dnssync's version, from package.json (recorded in every run row). */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
