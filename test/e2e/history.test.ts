import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
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
    const all = await q('--limit', '1000');
    for (const runId of [1, 2]) {
      const ofRun = all.filter((e) => e.runId === runId);
      assert.ok(ofRun.length > 0, `run ${runId} has events`);
      assert.deepEqual(await q('--run', String(runId)), ofRun, `--run ${runId}: exactly its events, along their ids`);
    }
    assert.equal((await q('--since', '24h')).length, (await q('--limit', '1000')).length);
    assert.deepEqual(await q('--since', '2999-01-01T00:00:00Z'), []);
    assert.equal((await q('--limit', '2')).length, 2);
    const combined = await q('--status', 'CREATED', '--site', 'Cabin', '--record', '*.home.arpa', '--run', '1');
    assert.ok(combined.length > 0 && combined.every((e) => e.status === 'CREATED' && e.site === 'Cabin' && e.runId === 1 && e.domain.endsWith('.home.arpa')));
  });

  it('prints a table by default and needs no config file', async () => {
    const result = await runCli(['history', '--db', env.db, '--limit', '5'], { cwd: dirname(env.db) + '/..' });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /│ time +│ run +│ status +│ type +│ domain +│ target +│ site +│ reason +│/);
    assert.match(result.stdout, /│ \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} │/, 'times to the second');
    assert.doesNotMatch(result.stdout, /\d{2}:\d{2}:\d{2}\.\d{3}|T\d{2}:/, 'no raw ISO time');
    assert.match(result.stdout, /│ (home\/Home|home\/Garage|cabin\/Cabin) +│/, 'the site as controller/site');
    assert.doesNotMatch(result.stdout, /\x1b\[/);
  });

  it('--runs lists runs with start, duration, outcome, and planned beside done counts', async () => {
    const json = lines((await env.cli(['history', '--runs', '--json'])).stdout);
    assert.deepEqual(json.map((r) => r.id), [3, 2, 1]);
    assert.deepEqual(json.map((r) => [r.mode, r.outcome, r.state, r.deleted, r.plannedDelete]), [
      ['sync', 'success', 'finished', 0, 0],
      ['sync', 'success', 'finished', 2, 2],
      ['sync', 'success', 'finished', 0, 0],
    ]);
    // Six creates planned, one of them refused by the controller (a skip).
    assert.deepEqual([json[2].plannedCreate, json[2].created, json[2].plannedSkip, json[2].skipped], [6, 5, 0, 1]);
    const table = await env.cli(['history', '--runs']);
    assert.match(table.stdout, /│ run +│ started +│ duration +│ outcome +│ planned +│ done +│ sites ok\/failed +│ host +│ pid +│/);
    assert.doesNotMatch(table.stdout, /mode/, 'one mode only: no column for it');
    assert.match(table.stdout, /│ 2 +│ [\d: -]+ │ [^│]+ │ success +│ 2 delete, \d+ skip +│ 2 deleted, \d+ skipped +│/);
  });

  it('rejects a bad --since, an unknown site or status with exit 2', async () => {
    for (const args of [['--since', 'yesterday-ish'], ['--site', 'nowhere'], ['--status', 'EXPLODED'], ['--limit', '0'], ['--runs', '--record', 'x'], ['--runs', '--controller', 'home']]) {
      const result = await env.cli(['history', ...args]);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, /^dnssync: .* \(see dnssync history --help\)\n$/);
    }
  });

  it('serves every filter, and the count of what it matches, from an index', () => {
    const store = openStore(env.db, { create: false, readOnly: true });
    const repo = new HistoryRepository(store.db);
    const filters = [
      {},
      { record: 'nas.home.arpa' },
      { record: '*.home.arpa' },
      { record: 'nas*' },
      { siteKeys: [1] },
      // --controller: every site of one controller; --site on several sites of one controller.
      { siteKeys: [1, 2] },
      { siteKeys: [] },
      { status: 'DELETED' as const },
      // CREATED is left out of the index by status (schema.sql): found along the time index.
      { status: 'CREATED' as const },
      { runId: 2 },
      { since: '2026-01-01T00:00:00.000Z' },
      { siteKeys: [1, 2], status: 'CREATED' as const, since: '2026-01-01T00:00:00.000Z' },
      { record: '*.home.arpa', siteKeys: [3], runId: 1 },
    ];
    const indexed = (line: string) => /USING (COVERING )?INDEX sync_events_|USING INTEGER PRIMARY KEY/.test(line);
    for (const filter of filters) {
      for (const [what, { sql, params }] of [
        ['rows', repo.eventsQuery({ limit: 50, ...filter })],
        ['count', repo.eventsCountQuery(filter)],
      ] as const) {
        const plan = repo.explain(sql, params).filter((line) => /\b(e|sync_events)\b/.test(line));
        assert.ok(plan.length > 0 && plan.every(indexed), `${what} ${JSON.stringify(filter)}: ${plan.join('; ')}`);
        // A record's events are looked up site by site, whatever the table statistics say; a run's
        // are read along the ids they got (schema.sql, runs): there is no index by run.
        const bySite = plan.some((line) => line.includes('sync_events_site_domain (site_id=?'));
        const byRun = filter.runId !== undefined && plan.some((line) => line.includes('INTEGER PRIMARY KEY (rowid>? AND rowid<?)'));
        if (filter.record || filter.runId !== undefined) assert.ok(filter.record ? bySite || byRun : byRun, plan.join('; '));
        assert.ok(plan.every((line) => !/^SCAN (e|sync_events)$/.test(line)), `${what} ${JSON.stringify(filter)}: no scan of the table`);
      }
    }
    for (const filter of [{}, { since: '2026-01-01' }, { runId: 2 }, { runId: 2, since: '2026-01-01' }]) {
      for (const { sql, params } of [repo.runsQuery({ limit: 50, ...filter }), repo.runsCountQuery(filter)]) {
        const plan = repo.explain(sql, params);
        assert.ok(plan.every((line) => /USING (COVERING )?INDEX runs_started|INTEGER PRIMARY KEY/.test(line)), `${JSON.stringify(filter)}: ${plan.join('; ')}`);
      }
    }
    // The counts agree with the rows.
    assert.equal(repo.eventsCount({ siteKeys: [1, 2] }), repo.events({ siteKeys: [1, 2], limit: 10_000 }).length);
    assert.equal(repo.runsCount({ since: '2026-01-01' }), 3);
    store.close();
  });

  it('says "showing N of M" after a table the limit cut, counting with the same filters', async () => {
    const all = lines((await env.cli(['history', '--json', '--limit', '10000'])).stdout).length;
    const cut = await env.cli(['history', '--limit', '2']);
    assert.equal(cut.code, 0, cut.stderr);
    assert.match(cut.stdout, new RegExp(`┘\\nshowing 2 of ${all} events \\(--limit shows more\\)\\n$`));
    const created = lines((await env.cli(['history', '--json', '--status', 'CREATED', '--limit', '10000'])).stdout).length;
    assert.ok(created > 2 && created < all);
    assert.match((await env.cli(['history', '--status', 'CREATED', '--limit', '2'])).stdout, new RegExp(`showing 2 of ${created} events`));
    assert.doesNotMatch((await env.cli(['history', '--limit', String(all)])).stdout, /showing/, 'nothing cut, no line');
    assert.match((await env.cli(['history', '--runs', '--limit', '1'])).stdout, /showing 1 of 3 runs/);
    const json = await env.cli(['history', '--json', '--limit', '2']);
    assert.equal(json.stdout.trim().split('\n').length, 2, 'JSON lines only');
  });

  it('--controller: events at the sites of that controller, by name or host, any case', async () => {
    const q = async (...args: string[]) => lines((await env.cli(['history', '--json', '--limit', '1000', ...args])).stdout);
    const cabin = await q('--controller', 'cabin');
    assert.ok(cabin.length > 0);
    assert.deepEqual([...new Set(cabin.map((e) => e.controller))], ['cabin']);
    const home = await q('--controller', 'HOME');
    assert.deepEqual([...new Set(home.map((e) => e.site))].sort(), ['Garage', 'Home']);
    const host = env.query<{ host: string }>("SELECT host FROM controllers WHERE name = 'home'")[0]!.host;
    assert.deepEqual(await q('--controller', host), home);
    // Record-wide events (ORPHANED, RESTORED) have no site, so no controller.
    const all = await q();
    assert.equal(cabin.length + home.length, all.filter((e) => e.site !== null).length);
    assert.deepEqual(await q('--controller', 'home', '--site', 'Garage'), await q('--site', 'Garage'));

    const unknown = await env.cli(['history', '--controller', 'attic']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^dnssync: --controller attic: no such controller in .*dnssync\.db \(known: cabin, home\)/);
    const elsewhere = await env.cli(['history', '--controller', 'cabin', '--site', 'Garage']);
    assert.equal(elsewhere.code, 2);
    assert.match(elsewhere.stderr, /--site Garage: no such site on controller cabin/);
  });

  it('--site: a name on several controllers is a usage error listing them; CONTROLLER/SITE or --controller picks one', async () => {
    // Both consoles have a site whose internalReference is "default" (and the same uuid).
    const ambiguous = await env.cli(['history', '--site', 'default']);
    assert.equal(ambiguous.code, 2);
    assert.equal(ambiguous.stdout, '');
    assert.equal(ambiguous.stderr, 'dnssync: --site default matches sites on several controllers: cabin/Cabin, home/Home; name one as CONTROLLER/SITE (see dnssync history --help)\n');
    const uuid = env.query<{ uuid: string }>("SELECT uuid FROM sites WHERE name = 'Home'")[0]!.uuid;

    const q = async (...args: string[]) => lines((await env.cli(['history', '--json', '--limit', '1000', ...args])).stdout);
    const home = await q('--site', 'home/default');
    assert.ok(home.length > 0);
    assert.deepEqual([...new Set(home.map((e) => `${e.controller}/${e.site}`))], ['home/Home']);
    assert.deepEqual(await q('--site', 'HOME/Home'), home);
    assert.deepEqual(await q('--site', `home/${uuid}`), home);
    assert.deepEqual(await q('--site', 'default', '--controller', 'home'), home);
    assert.equal((await env.cli(['history', '--site', 'cabin/garage'])).code, 2);
  });
});

describe('history --runs: a run whose process died', () => {
  it('shows as running while it holds the lock, as interrupted once it is killed, and stays so after a later run', async () => {
    const env = await syncEnv(scenario);
    // Discovery never gets an answer: the run waits with its run row written and the lock held.
    env.sim.setFault({ controller: 'cabin' }, { kind: 'hang' });
    const running = env.start();
    const started = () => {
      try {
        return env.query<{ id: number }>('SELECT id FROM runs').length > 0;
      } catch {
        return false; // the file, or its tables, not made yet
      }
    };
    while (!started()) await new Promise((r) => setTimeout(r, 20));
    const runs = async () => lines((await env.cli(['history', '--runs', '--json'])).stdout);
    const [live] = await runs();
    assert.deepEqual([live.id, live.state, live.outcome, live.pid], [1, 'running', null, running.child.pid]);
    assert.deepEqual(env.query<{ runId: number }>('SELECT run_id AS runId FROM sync_lock').map((r) => r.runId), [1], 'the lock names its run');
    assert.match((await env.cli(['history', '--runs'])).stdout, /│ 1 +│ [\d: -]+ │ +│ running +│/);

    running.child.kill('SIGKILL');
    assert.equal((await running.done).signal, 'SIGKILL');
    // Its pid on this host is gone: the lock it left holds nothing.
    const [dead] = await runs();
    assert.deepEqual([dead.id, dead.state, dead.outcome, dead.finishedAt], [1, 'interrupted', null, null]);
    assert.match((await env.cli(['history', '--runs'])).stdout, /│ 1 +│ [\d: -]+ │ +│ interrupted +│ +│ +│ +│/);

    env.sim.setFault({ controller: 'cabin' }, null);
    assert.equal((await env.sync()).code, 0);
    assert.deepEqual((await runs()).map((r) => [r.id, r.state, r.outcome]), [[2, 'finished', 'success'], [1, 'interrupted', null]]);
  });

  it('tells the live holder of a lock that names no run (an older dnssync) by its host, pid and start', async () => {
    const env = await syncEnv(scenario);
    assert.equal((await env.sync()).code, 0);
    const conn = new DatabaseSync(env.db);
    const at = new Date().toISOString();
    // This test's own process stands for a live sync on this host; run 3 is one that died earlier.
    conn.prepare("INSERT INTO runs (id, started_at, mode, host, pid, user, version, policy) VALUES (2, ?, 'sync', ?, 999999999, 'x', '0', 'sync')").run('2026-01-01T00:00:00.000Z', hostname());
    conn.prepare("INSERT INTO runs (id, started_at, mode, host, pid, user, version, policy) VALUES (3, ?, 'sync', ?, ?, 'x', '0', 'sync')").run(at, hostname(), process.pid);
    conn.prepare('INSERT INTO sync_lock (id, run_id, host, pid, acquired_at, heartbeat_at) VALUES (1, NULL, ?, ?, ?, ?)').run(hostname(), process.pid, at, at);
    const states = async () => lines((await env.cli(['history', '--runs', '--json'])).stdout).map((r) => [r.id, r.state]);
    assert.deepEqual(await states(), [[3, 'running'], [1, 'finished'], [2, 'interrupted']]);
    // A heartbeat older than two minutes holds nothing, whatever the pid.
    conn.prepare('UPDATE sync_lock SET heartbeat_at = ?').run(new Date(Date.now() - 180_000).toISOString());
    assert.deepEqual(await states(), [[3, 'interrupted'], [1, 'finished'], [2, 'interrupted']]);
    conn.close();
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
    assert.match(table.stdout, /nas\.home\.arpa.*home\/Home/);

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
