import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Scenario } from '../../fixtures/simulator/index.ts';
import { runCli } from '../support/cli.ts';
import { demoAfterTwoRuns } from '../support/demo-env.ts';
import { matchSnapshot, normalise } from '../support/snapshot.ts';
import { syncEnv, type SyncEnv } from '../support/sync-env.ts';
import { tempDir } from '../support/tmp.ts';

// Built at the top level: the temp folder and simulator then live until the file is done.
const demo = await demoAfterTwoRuns();

const json = async (env: SyncEnv, ...args: string[]) => {
  const result = await env.cli(['status', '--json', ...args]);
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout);
};
const digest = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('dnssync status', () => {
  it('matches the snapshot of its text and --json output on the demo after two runs', async () => {
    const volatile = { paths: { [demo.dir]: '<dir>' } };
    const text = await demo.cli(['status']);
    assert.equal(text.code, 0, text.stderr);
    const doc = await json(demo);
    delete doc.formatVersion; // added by the output layer, not by this command
    matchSnapshot('status.txt', normalise(text.stdout, volatile));
    matchSnapshot('status.json', normalise(JSON.stringify(doc, null, 2) + '\n', volatile));
  });

  it('the last run with planned and done counts; every controller, site, open refusal and orphan', async () => {
    const doc = await json(demo);
    assert.deepEqual([doc.lastRun.id, doc.lastRun.outcome, doc.lastRun.exitCode, doc.lastRun.sitesOk, doc.lastRun.sitesFailed], [2, 'partial', 3, 4, 1]);
    const runs = demo.query<{ planned_skip: number; skipped: number }>('SELECT planned_skip, skipped FROM runs WHERE id = 2')[0]!;
    assert.deepEqual([doc.lastRun.planned.skip, doc.lastRun.done.skipped], [runs.planned_skip, runs.skipped]);
    assert.deepEqual(
      doc.controllers.map((c: { name: string; version: string; status: string; sites: number; sitesFailed: number }) => [c.name, c.version, c.status, c.sites, c.sitesFailed]),
      [['home', '10.1.89', 'ok', 3, 0], ['office', '10.1.89', 'ok', 2, 1]],
    );
    const sites = Object.fromEntries(doc.sites.map((s: { name: string; status: string; origins: number; replicas: number }) => [s.name, [s.status, s.origins, s.replicas]]));
    const counted = (table: string, uuid: string) => demo.query<{ n: number }>(`SELECT count(*) AS n FROM ${table} WHERE site_id = (SELECT id FROM sites WHERE uuid = ?)`, uuid)[0]!.n;
    for (const s of doc.sites) assert.deepEqual(sites[s.name], [s.status, counted('record_origins', s.uuid), counted('replicas', s.uuid)]);
    assert.equal(sites.Branch[0], 'failed');
    assert.deepEqual(Object.values(sites).filter((s) => (s as string[])[0] === 'ok').length, 4);
    assert.deepEqual(doc.refusals.map((r: { site: string; domain: string; code: string }) => `${r.site} ${r.domain} ${r.code}`), ['Lab printer.home.lan api.dns.policy.validation.overlap-with-local-dns']);
    const [orphan] = doc.orphans;
    assert.equal(orphan.domain, 'old-nas.home.lan');
    assert.equal(orphan.replicas, 4);
    assert.equal(Date.parse(orphan.replicasGo) - Date.parse(orphan.orphanedAt), 3_600_000, 'the config grace period of 1h');
  });

  it('only reads: needs no config file, asks no controller, leaves the database byte for byte as it was', async () => {
    const before = digest(demo.db);
    demo.sim.clearRequests();
    const elsewhere = tempDir();
    const result = await runCli(['status', '--db', demo.db, '--no-color'], { cwd: elsewhere });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(demo.sim.requests(), []);
    assert.equal(digest(demo.db), before);
    // Without the config the default grace period (15 min) is assumed, and the output says so.
    assert.match(result.stdout, /no config file found: grace period 15 min and policy sync assumed/);
    const doc = JSON.parse((await runCli(['status', '--json', '--db', demo.db], { cwd: elsewhere })).stdout);
    assert.equal(doc.configFile, null);
    assert.equal(Date.parse(doc.orphans[0].replicasGo) - Date.parse(doc.orphans[0].orphanedAt), 15 * 60_000);
  });

  it('status, orphans and records read the config but no key: they run where the keys are not at hand, as sync does not', async () => {
    // The demo's config, its keys in variables this shell does not have and a CA file that is gone.
    const config = JSON.parse(readFileSync(demo.configFile, 'utf8'));
    config.controllers = config.controllers.map(({ apiKeyFile: _file, ...c }: Record<string, unknown>, i: number) => ({ ...c, apiKeyEnv: `DNSSYNC_TEST_UNSET_${i}`, tls: { caFile: 'gone.pem' } }));
    const elsewhere = tempDir();
    const file = join(elsewhere, 'dnssync.json');
    writeFileSync(file, JSON.stringify(config));
    const before = digest(demo.db);
    const withSettings = async (...args: string[]) => {
      const result = await runCli([...args, '--json', '--db', demo.db], { cwd: elsewhere });
      assert.equal(result.code, 0, result.stderr);
      return JSON.parse(result.stdout);
    };
    const status = await withSettings('status');
    assert.equal(status.configFile, file);
    assert.equal(Date.parse(status.orphans[0].replicasGo) - Date.parse(status.orphans[0].orphanedAt), 3_600_000, "the config's grace period");
    const orphans = await withSettings('orphans');
    assert.deepEqual([orphans.configFile, orphans.gracePeriodMs], [file, 3_600_000]);
    // The same reasons as with the keys read (office keeps its records to itself: originScope controller).
    const records = await demo.cli(['records', '--json']);
    assert.deepEqual({ ...(await withSettings('records')), configFile: file }, { ...JSON.parse(records.stdout), configFile: file });
    assert.equal(digest(demo.db), before);
    // A command that talks to controllers needs the keys, and says which one is missing.
    const sync = await runCli(['sync', '--dry-run', '--db', demo.db], { cwd: elsewhere });
    assert.equal(sync.code, 2);
    assert.match(sync.stderr, /controllers\[0\]\.apiKeyEnv: environment variable DNSSYNC_TEST_UNSET_0 is not set/);
  });

  it('times in the table are local, to the second; JSON keeps ISO UTC', async () => {
    const doc = await json(demo);
    const started = new Date(doc.lastRun.startedAt);
    const result = await demo.cli(['status'], { env: { TZ: 'Asia/Kolkata' } });
    // UTC+05:30, no daylight saving: the same instant, five and a half hours on.
    const shifted = new Date(started.getTime() + 5.5 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
    assert.match(result.stdout, new RegExp(`^Last run 2: started ${shifted},`, 'm'));
    assert.match(doc.lastRun.startedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });
});

const site = (internalReference: string, domain?: string): NonNullable<Scenario['controllers'][number]['sites']>[number] => ({
  internalReference,
  policies: domain ? [{ type: 'A_RECORD', domain, ipv4Address: '10.0.0.1' }] : [],
});

describe('dnssync status: what the database can tell of failures', () => {
  it('a controller the last run could not reach is failed, with its last contact and its sites failed; an excluded site is not failed; a gone site is gone', async () => {
    const env = await syncEnv({
      controllers: [
        { name: 'home', sites: [site('default', 'nas.lan'), site('lab')] },
        { name: 'shop', sites: [site('default', 'till.lan'), site('back'), site('old')] },
      ],
    });
    assert.equal((await env.sync()).code, 0);
    const firstContact = (await json(env)).controllers[0].lastContact;
    env.sim.removeSite('shop', 'old');
    // home's key no longer accepted; shop's back room taken out by the config.
    const config = JSON.parse(readFileSync(env.configFile, 'utf8'));
    writeFileSync(config.controllers[0].apiKeyFile, 'a-wrong-key-0123456789\n');
    config.controllers[1].excludeSites = ['back'];
    writeFileSync(env.configFile, JSON.stringify(config));
    assert.equal((await env.sync()).code, 3);

    const doc = await json(env);
    assert.deepEqual(
      doc.controllers.map((c: { name: string; status: string; lastContact: string; sitesFailed: number }) => [c.name, c.status, c.lastContact === firstContact, c.sitesFailed]),
      [['home', 'failed', true, 2], ['shop', 'ok', false, 0]],
    );
    assert.deepEqual(doc.sites.map((s: { controller: string; internalReference: string; status: string }) => `${s.controller}/${s.internalReference} ${s.status}`), [
      'home/default failed',
      'home/lab failed',
      'shop/back excluded',
      'shop/default ok',
      'shop/old gone',
    ]);
    const table = await env.cli(['status']);
    assert.match(table.stdout, /│ home +│ http:\S+ +│ 10\.1\.89 +│ [\d: -]+ +│ failed +│ 2 \(2 failed\)/);
    assert.match(table.stdout, /failed: not read by run 2; the database keeps no reason/);
    assert.match(table.stdout, /│ shop \/ old +│ 0 +│ 2 +│ [\d: -]+ +│ gone since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);

    // Without the config, nothing tells an excluded site from a failed one.
    const bare = JSON.parse((await runCli(['status', '--json', '--db', env.db], { cwd: tempDir() })).stdout);
    assert.equal(bare.sites.find((s: { internalReference: string }) => s.internalReference === 'back').status, 'failed');
  });

  it('a database no sync has run on yet, and a sync running now', async () => {
    const env = await syncEnv({ controllers: [{ name: 'home', sites: [site('default', 'nas.lan'), site('lab')] }] });
    assert.equal((await env.cli(['migrate'])).code, 0);
    const empty = await env.cli(['status']);
    assert.equal(empty.code, 0, empty.stderr);
    assert.match(empty.stdout, /^No run yet: 'dnssync sync' records one in /);
    assert.deepEqual((await json(env)).controllers, []);

    env.sim.setFault({ controller: 'home', site: 'lab' }, { kind: 'slow', delayMs: 8000, path: '/dns/policies' });
    const running = env.start();
    try {
      for (let i = 0; i < 100 && env.query('SELECT 1 FROM runs WHERE outcome IS NULL').length === 0; i++) await new Promise((r) => setTimeout(r, 50));
      const doc = await json(env);
      assert.equal(doc.lastRun.outcome, null);
      assert.equal(doc.lastRun.running, true);
      assert.equal(doc.lock.pid, running.child.pid);
      assert.equal(doc.lock.stale, false);
      const text = await env.cli(['status']);
      assert.match(text.stdout, /^Last run 1: started [\d: -]+: running$/m);
      assert.match(text.stdout, new RegExp(`^A sync holds the lock: host \\S+, pid ${running.child.pid}, since`, 'm'));
    } finally {
      assert.equal((await running.done).code, 0);
    }
    const done = await json(env);
    assert.deepEqual([done.lastRun.outcome, done.lastRun.running, done.lock], ['success', false, null]);
  });
});
