// The SQL side of an initial sync alone, without HTTP: dnssync's own schema and pragmas
// (openStore), its ReplicaRepository and EventWriter, and apply's pattern of one transaction for
// the intent of a batch (one create_intents row) and one for their outcomes, over `sites` × (`records` − 10) creates,
// 16 sites interleaved batch by batch as apply runs them (4 controllers × 4 sites). For trying
// store changes: what a batch size, the page cache or synchronous cost.
//
//   node bench/apply-sql.ts [--sites 200] [--records 2000] [--batch 2000] [--cache-mb 2] [--sync FULL|NORMAL]
//                          [--settle-every N] [--checkpoint PAGES]
//
//   --settle-every N   commit the outcomes (replica confirmed + event) every N creates instead of
//                      after each batch (intents are still committed before each batch)
//   --checkpoint PAGES wal_autocheckpoint (SQLite's default: 1000)
//   --drop-index A,B   schema experiment: without these indexes
//   --row-intents      the design before issue 13: one intent per create, a pending replica row
//                      that its outcome then rewrites
//   --sql "..."        schema experiment: any SQL run after the above (e.g. CREATE INDEX ...)
import { randomUUID, createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openStore } from '../src/store/database.ts';
import { EventWriter } from '../src/store/events.ts';
import { ReplicaRepository } from '../src/store/replicas.ts';
import { immediateTransaction } from '../src/store/transaction.ts';
import type { DnsRecord } from '../src/domain/record.ts';

const { values } = parseArgs({
  options: {
    sites: { type: 'string', default: '200' },
    records: { type: 'string', default: '2000' },
    batch: { type: 'string', default: '2000' },
    'cache-mb': { type: 'string' },
    sync: { type: 'string' },
    'settle-every': { type: 'string' },
    checkpoint: { type: 'string' },
    'drop-index': { type: 'string' },
    'row-intents': { type: 'boolean', default: false },
    sql: { type: 'string' },
  },
});
const SITES = Number(values.sites);
const RECORDS = Number(values.records);
const BATCH = Number(values.batch);
const PER_SITE = RECORDS / SITES;

const dir = mkdtempSync(join(tmpdir(), 'dnssync-apply-sql-'));
const path = join(dir, 'dnssync.db');
const store = openStore(path, { create: true });
const { db } = store;
if (values['cache-mb']) db.exec(`PRAGMA cache_size = -${Number(values['cache-mb']) * 1024}`);
if (values.checkpoint) db.exec(`PRAGMA wal_autocheckpoint = ${Number(values.checkpoint)}`);
if (values.sync) db.exec(`PRAGMA synchronous = ${values.sync === 'NORMAL' ? 'NORMAL' : 'FULL'}`);
const at = new Date().toISOString();
for (const index of (values['drop-index'] ?? '').split(',').filter(Boolean)) db.exec(`DROP INDEX ${index}`);
const rowIntents = values['row-intents'];

// Setup (not timed): a controller, the sites, the records, a run.
if (values.sql) db.exec(values.sql);
const records: DnsRecord[] = [];
immediateTransaction(db, () => {
  db.prepare("INSERT INTO controllers (host, name, url) VALUES ('127.0.0.1:1', 'c', 'http://127.0.0.1:1')").run();
  const site = db.prepare("INSERT INTO sites (controller_host, uuid, internal_reference, name, first_seen) VALUES ('127.0.0.1:1', ?, ?, ?, ?)");
  for (let s = 1; s <= SITES; s++) site.run(randomUUID(), `site-${s}`, `Site ${s}`, at);
  const record = db.prepare('INSERT INTO dns_records (id, type, domain, target, record_raw, first_seen) VALUES (?, ?, ?, ?, ?, ?)');
  for (let i = 0; i < RECORDS; i++) {
    const domain = `h${(i % PER_SITE) + 1}.s${Math.floor(i / PER_SITE) + 1}.c.lan`;
    const target = `10.${Math.floor(i / PER_SITE) + 1}.0.${(i % PER_SITE) + 1}`;
    const r: DnsRecord = { id: createHash('sha256').update(`A_RECORD:${domain}:${target}`).digest('hex'), type: 'A_RECORD', domain, target, fields: { type: 'A_RECORD', domain, ipv4Address: target } };
    records.push(r);
    record.run(r.id, r.type, r.domain, r.target, JSON.stringify(r.fields), at);
  }
  db.prepare("INSERT INTO runs (started_at, mode, host, pid, user, version, policy) VALUES (?, 'sync', 'h', 1, 'u', '0', 'sync')").run(at);
});
const runId = 1;

const replicas = new ReplicaRepository(db);
const events = new EventWriter(db);
// Per site the creates it gets, sorted by domain as the planner sorts them.
const queues = Array.from({ length: SITES }, (_, s) =>
  records.filter((_, i) => Math.floor(i / PER_SITE) !== s).sort((a, b) => (a.domain < b.domain ? -1 : a.domain > b.domain ? 1 : 0)),
);

let statementsMs = 0;
let transactionsMs = 0;
let transactions = 0;
const timed = (work: () => void) => {
  const t0 = performance.now();
  immediateTransaction(db, () => {
    const t1 = performance.now();
    work();
    statementsMs += performance.now() - t1;
  });
  transactionsMs += performance.now() - t0;
  transactions += 1;
};

/** Bytes this process has written (write syscalls), from /proc/self/io where there is one. */
const written = () => {
  try {
    return Number(/^wchar: (\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'))?.[1] ?? NaN);
  } catch {
    return NaN;
  }
};
const writtenBefore = written();
const SETTLE_EVERY = Number(values['settle-every'] ?? BATCH);
let outcomes: Array<{ record: DnsRecord; site: number }> = [];
let settledBatches = new Set<number>();
const confirm = db.prepare('UPDATE replicas SET policy_id = ?, pending = NULL, pending_run_id = NULL, pending_body = NULL WHERE record_id = ? AND site_id = ?');
const settle = () => {
  const done = outcomes;
  const batches = settledBatches;
  outcomes = [];
  settledBatches = new Set();
  timed(() => events.together(() => {
    const made = new Map<number, string[]>();
    for (const { record, site } of done) {
      if (rowIntents) confirm.run(randomUUID(), record.id, site);
      else if (made.has(site)) made.get(site)!.push(record.id, randomUUID());
      else made.set(site, [record.id, randomUUID()]);
      events.add({ runId, record, siteKey: site, status: 'CREATED', reason: null, at });
    }
    for (const site of batches) replicas.createsSettled(site, runId, made.get(site) ?? [], at);
  }));
};
const started = performance.now();
let creates = 0;
// 16 sites at a time, their batches interleaved round robin.
for (let group = 0; group < SITES; group += 16) {
  const active = queues.slice(group, group + 16).map((queue, k) => ({ site: group + k + 1, queue, offset: 0 }));
  while (active.some((a) => a.offset < a.queue.length)) {
    for (const a of active) {
      if (a.offset >= a.queue.length) continue;
      const batch = a.queue.slice(a.offset, a.offset + BATCH);
      a.offset += BATCH;
      timed(() => {
        if (rowIntents) for (const r of batch) replicas.intendCreate(r.id, a.site, runId, at);
        else {
          replicas.intendCreates(batch.map((r) => r.id), a.site, runId);
          settledBatches.add(a.site);
        }
      });
      for (const r of batch) outcomes.push({ record: r, site: a.site });
      if (outcomes.length >= SETTLE_EVERY) settle();
      creates += batch.length;
    }
  }
}
if (outcomes.length > 0) settle();
const ms = performance.now() - started;
const writtenMb = (written() - writtenBefore) / 1048576;
const size = statSync(path).size + (statSync(`${path}-wal`, { throwIfNoEntry: false })?.size ?? 0);
store.close();
rmSync(dir, { recursive: true, force: true });
const us = (x: number) => ((x * 1000) / creates).toFixed(1);
process.stdout.write(
  `${JSON.stringify({ batch: BATCH, cacheMb: values['cache-mb'] ?? 'default', sync: values.sync ?? 'FULL', settleEvery: SETTLE_EVERY, checkpoint: values.checkpoint ?? 'default', dropped: values['drop-index'] ?? '', rowIntents, sql: values.sql ?? '', creates, transactions, ms: Math.round(ms), statementsMs: Math.round(statementsMs), commitMs: Math.round(transactionsMs - statementsMs), usPerCreate: us(ms), dbMb: +(size / 1048576).toFixed(1), writtenMb: Math.round(writtenMb) })}\n`,
);
