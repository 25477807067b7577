import { readFileSync } from '../system/fs.ts';

/**
 * dnssync's version, from package.json (recorded in every run row): two folders up from
 * src/engine/ in a checkout, one up from the bundle in dist/ (the package, the image).
 */
export const VERSION: string = readVersion();

function readVersion(): string {
  for (const path of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as { name?: string; version: string };
      if (pkg.name === 'dnssync') return pkg.version;
    } catch {
      // not this one
    }
  }
  throw new Error('dnssync: package.json not found beside the program');
}
