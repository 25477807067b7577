import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { knownMigrations } from '../../src/store/migrations.ts';

const DIR = new URL('../../src/store/migrations/', import.meta.url);

describe('store: the migrations', () => {
  it("each checksum, written out in migrations.ts, is its file's sha256", () => {
    const files = readdirSync(DIR).filter((f) => f.endsWith('.sql')).sort();
    const known = knownMigrations();
    assert.equal(known.length, files.length);
    for (const [i, file] of files.entries()) {
      const sha256 = createHash('sha256').update(readFileSync(new URL(file, DIR))).digest('hex');
      assert.equal(known[i]!.checksum, sha256, `${file} changed: its line in CHECKSUMS (src/store/migrations.ts) must be '${sha256}'`);
    }
  });
});
