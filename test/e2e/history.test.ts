import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import type { Scenario } from '../../fixtures/simulator/index.ts';
import { openStore } from '../../src/store/database.ts';
import { HistoryRepository } from '../../src/store/history.ts';
import { runCli } from '../support/cli.ts';
import { syncEnv, type SyncEnv } from '../support/sync-env.ts';


const scenario: Scenario = {
  controllers: [
    {
      name: 'home',
      sites: [
        {
          internalReference: 'default',
          name: 'Home',
          policies: [
            { id: '22222222-2222-4222-8222-222222222222', type: 'A_RECORD', domain: 'nas.home.arpa', ipv4Address: '10.0.0.10' },
            { type: 'A_RECORD', domain: 'tv.home.arpa', ipv4Address: '10.0.0.11' },
          ],
        },
        { internalReference: 'garage', name: 'Garage', localDns: ['tv.home.arpa'] },
      ],
    },
    { name: 'cabin', sites: [{ internalReference: 'default', name: 'Cabin', policies: [{ type: 'CNAME_RECORD', domain: 'www.cabin.lan', targetDomain: 'nas.home.arpa' }] }] },
  ],
};

/** Three runs: initial sync (with an overlap skip), a deletion, and a no-op. */
async function history(): Promise<SyncEnv> {
  const env = await syncEnv(scenario, { sync: { orphanGracePeriod: 0 } });
  assert.equal((await env.sync()).code, 0);
  env.sim.removePolicy('home', 'default', '22222222-2222-4222-8222-222222222222');
  assert.equal((await env.sync()).code, 0);
  assert.equal((await env.sync()).code, 0);
  return env;
}

const lines = (stdout: string) => stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));

// Built at the top level: the temp folder and simulator then live until the file is done.
const env = await history();

describe('dnssync history', () => {
  it('lists events newest first, as JSON lines, with every column', async () => {
    const result = await env.cli(['history', '--json']);
    assert.equal(result.code, 0, result.stderr);
    const events = lines(result.stdout);
    const times = events.map((e) => e.timestamp);
    assert.deepEqual(times, [...times].sort().reverse());
    assert.deepEqual(Object.keys(events[0]).sort(), ['controller', 'domain', 'id', 'reason', 'runId', 'site', 'siteUuid', 'status', 'target', 'timestamp', 'type'].sort());
    assert.ok(events.some((e) => e.status === 'DELETED' && e.domain === 'nas.home.arpa' && e.site === 'Cabin' && e.controller === 'cabin'));
    assert.ok(events.some((e) => e.status === 'SKIPPED' && /^refused \d{4}-\d{2}-\d{2}: overlap-with-local-dns$/.test(e.reason ?? '')));
  });

  it('filters by record (exact and glob), site, status, run, since and limit, combined', async () => {
    const q = async (...args: string[]) => lines((await env.cli(['history', '--json', ...args])).stdout);
    assert.ok((await q('--record', 'NAS.home.arpa.')).every((e) => e.domain === 'nas.home.arpa'));
    assert.deepEqual([...new Set((await q('--record', '*.home.arpa')).map((e) => e.domain))].sort(), ['nas.home.arpa', 'tv.home.arpa']);
    for (const site of ['Garage', 'garage']) assert.ok((await q('--site', site)).every((e) => e.site === 'Garage'));
    const cabin = await q('--site', 'Cabin');
    assert.ok(cabin.length > 0);
    assert.deepEqual(await q('--site', cabin[0].siteUuid), cabin);
    assert.deepEqual([...new Set((await q('--status', 'deleted')).map((e) => e.status))], ['DELETED']);
    assert.ok((await q('--run', '2')).every((e) => e.runId === 2));
    assert.equal((await q('--since', '24h')).length, (await q('--limit', '1000')).length);
    assert.deepEqual(await q('--since', '2999-01-01T00:00:00Z'), []);
    assert.equal((await q('--limit', '2')).length, 2);
    const combined = await q('--status', 'CREATED', '--site', 'Cabin', '--record', '*.home.arpa', '--run', '1');
    assert.ok(combined.length > 0 && combined.every((e) => e.status === 'CREATED' && e.site === 'Cabin' && e.runId === 1 && e.domain.endsWith('.home.arpa')));
  });

  it('prints a table by default and needs no config file', async () => {
    const result = await runCli(['history', '--db', env.db, '--limit', '5'], { cwd: dirname(env.db) + '/..' });
    assert.equal(result.code, 0, result.stderr);
    for (const head of ['time (UTC)', 'run', 'status', 'type', 'domain', 'target', 'site', 'controller', 'reason']) assert.ok(result.stdout.includes(head));
    assert.doesNotMatch(result.stdout, /\x1b\[/);
  });

  it('--runs lists runs with start, duration, mode, outcome and counts', async () => {
    const json = lines((await env.cli(['history', '--runs', '--json'])).stdout);
    assert.deepEqual(json.map((r) => r.id), [3, 2, 1]);
    assert.deepEqual(json.map((r) => [r.mode, r.outcome, r.deleted]), [['sync', 'success', 0], ['sync', 'success', 2], ['sync', 'success', 0]]);
    assert.ok(json[2].created > 0 && json[2].skipped === 1);
    const table = await env.cli(['history', '--runs']);
    assert.match(table.stdout, /duration/);
    assert.match(table.stdout, /success/);
  });

  it('rejects a bad --since, an unknown site or status with exit 2', async () => {
    for (const args of [['--since', 'yesterday-ish'], ['--site', 'nowhere'], ['--status', 'EXPLODED'], ['--limit', '0'], ['--runs', '--record', 'x']]) {
      const result = await env.cli(['history', ...args]);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
    }
  });

  it('serves every filter from an index', () => {
    const store = openStore(env.db, { create: false, readOnly: true });
    const repo = new HistoryRepository(store.db);
    const filters = [{}, { record: 'nas.home.arpa' }, { record: '*.home.arpa' }, { record: 'nas*' }, { siteKeys: [1] }, { status: 'DELETED' as const }, { runId: 2 }, { since: '2026-01-01T00:00:00.000Z' }];
    for (const filter of filters) {
      const { sql, params } = repo.eventsQuery({ limit: 50, ...filter });
      const plan = repo.explain(sql, params).filter((line) => /\b(e|sync_events)\b/.test(line));
      const indexed = (line: string) => /USING (COVERING )?INDEX sync_events_|USING INTEGER PRIMARY KEY/.test(line);
      assert.ok(plan.length > 0 && plan.every(indexed), `${JSON.stringify(filter)}: ${plan.join('; ')}`);
      // A record's events are looked up site by site, whatever the table statistics say.
      if (filter.record) assert.ok(plan.some((line) => line.includes('sync_events_site_domain (site_id=?')), plan.join('; '));
    }
    for (const filter of [{}, { since: '2026-01-01' }]) {
      const { sql, params } = repo.runsQuery({ limit: 50, ...filter });
      assert.ok(repo.explain(sql, params).every((line) => /USING (COVERING )?INDEX runs_started|INTEGER PRIMARY KEY/.test(line)));
    }
    store.close();
  });
});

describe('dnssync orphans', () => {
  it('shows each orphan with its last origin, since when, when its replicas go and how many', async () => {
    const env = await syncEnv(scenario, { sync: { orphanGracePeriod: '1h' } });
    await env.sync();
    env.sim.removePolicy('home', 'default', '22222222-2222-4222-8222-222222222222');
    await env.sync();
    const result = await env.cli(['orphans', '--json']);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout);
    assert.equal(report.orphans.length, 1);
    const [orphan] = report.orphans;
    assert.deepEqual([orphan.domain, orphan.lastOriginSite, orphan.lastOriginController, orphan.replicas], ['nas.home.arpa', 'Home', 'home', 2]);
    assert.equal(Date.parse(orphan.replicasGo) - Date.parse(orphan.orphanedAt), 3_600_000);
    const table = await env.cli(['orphans']);
    assert.match(table.stdout, /nas\.home\.arpa.*home \/ Home/);

    const held = await runCli(['orphans', '--json', '--db', env.db, '--config', env.configFile.replace('dnssync.json', 'held.json')]);
    assert.equal(held.code, 2, 'a named config that does not exist is still an error');
  });

  it('--prune removes orphans with no replica left and keeps their events', async () => {
    const env = await syncEnv(scenario, { sync: { orphanGracePeriod: 0 } });
    await env.sync();
    env.sim.removePolicy('home', 'default', '22222222-2222-4222-8222-222222222222');
    await env.sync(); // orphaned and its replicas deleted in the same run
    const events = env.query<{ n: number }>('SELECT count(*) AS n FROM sync_events')[0]!.n;
    assert.equal(JSON.parse((await env.cli(['orphans', '--json'])).stdout).orphans[0].replicasGo, '-');
    const pruned = await env.cli(['orphans', '--prune']);
    assert.equal(pruned.code, 0, pruned.stderr);
    assert.match(pruned.stdout, /pruned 1 orphan/);
    assert.equal(env.query<{ n: number }>("SELECT count(*) AS n FROM dns_records WHERE domain = 'nas.home.arpa'")[0]!.n, 0);
    assert.equal(env.query<{ n: number }>('SELECT count(*) AS n FROM sync_events')[0]!.n, events);
    assert.ok(lines((await env.cli(['history', '--json', '--record', 'nas.home.arpa'])).stdout).length > 0, 'history still shows it');
  });
});

describe('sync --metrics-file', () => {
  it('writes Prometheus text atomically with the run, changes, sites, records, replicas and orphans', async () => {
    const env = await syncEnv(scenario);
    const file = join(env.dir, 'dnssync.prom');
    const result = await env.sync(['--metrics-file', file]);
    assert.equal(result.code, 0, result.stderr);
    const text = readFileSync(file, 'utf8');
    for (const line of [
      /^dnssync_last_run_timestamp_seconds \d+(\.\d+)?$/m,
      /^dnssync_last_run_duration_seconds \d+(\.\d+)?$/m,
      /^dnssync_last_run_outcome\{outcome="success"\} 1$/m,
      /^dnssync_last_run_outcome\{outcome="partial"\} 0$/m,
      /^dnssync_last_run_changes\{outcome="created"\} 5$/m,
      /^dnssync_last_run_planned_changes\{action="create"\} 6$/m,
      /^dnssync_last_run_changes\{outcome="skipped"\} 1$/m,
      /^dnssync_last_run_sites\{status="discovered"\} 3$/m,
      /^dnssync_records 3$/m,
      /^dnssync_replicas 5$/m,
      /^dnssync_orphans 0$/m,
      /^# TYPE dnssync_replicas gauge$/m,
    ]) {
      assert.match(text, line);
    }
    assert.deepEqual(readdirSync(env.dir).filter((f) => f.includes('.tmp')), []);
    assert.ok(existsSync(file));
  });
});
