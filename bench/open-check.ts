// What the damage check at open costs (src/store/damage.ts), on a database the benchmark left
// (`npm run bench -- --load L --keep` prints its folder), against PRAGMA quick_check. Read only:
// the file is not changed.
//
//   node bench/open-check.ts PATH [--runs 9]
import { statSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { parseArgs } from 'node:util';
import { openStore } from '../src/store/database.ts';
import { assertUndamaged } from '../src/store/damage.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { runs: { type: 'string', default: '9' } } });
const path = positionals[0];
if (!path) {
  process.stderr.write('usage: node bench/open-check.ts PATH [--runs 9]\n');
  process.exit(2);
}
const runs = Math.max(1, Number.parseInt(values.runs!, 10) || 9);

function time(work: () => void): number {
  const start = process.hrtime.bigint();
  work();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Median, min and max over `runs`, each on a fresh connection (a sync opens one). */
function measure(label: string, work: (db: DatabaseSync) => void): void {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const db = new DatabaseSync(path!, { readOnly: true });
    try {
      times.push(time(() => work(db)));
    } finally {
      db.close();
    }
  }
  times.sort((a, b) => a - b);
  const ms = (t: number) => `${t.toFixed(1)} ms`;
  console.log(`${label.padEnd(44)} ${ms(times[Math.floor(times.length / 2)]!).padStart(10)}  (min ${ms(times[0]!)}, max ${ms(times.at(-1)!)})`);
}

const probe = new DatabaseSync(path, { readOnly: true });
const pages = (probe.prepare('PRAGMA page_count').get() as { page_count: number }).page_count;
const btrees = (probe.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE rootpage > 0").get() as { n: number }).n;
probe.close();
console.log(`${path}: ${(statSync(path).size / 1e6).toFixed(1)} MB, ${pages} pages, ${btrees} b-trees; median of ${runs} runs`);
measure('open check (every b-tree page, cell_size_check)', (db) => assertUndamaged(db, path));
measure('openStore, read-only, verify (what a dry run does)', () => openStore(path, { create: false, readOnly: true, verify: true }).close());
measure('PRAGMA quick_check (for comparison)', (db) => db.prepare('PRAGMA quick_check').all());
