/**
 * Issue 17, on the real thing: the database the legacy tool itself wrote for two consoles whose
 * default sites share one uuid (fixtures/legacy/real-two-consoles/), converted in place by the
 * first sync, against the consoles as the tool left them. Then a second sync, then a record deleted
 * at its only true origin.
 */
import assert from 'node:assert/strict';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, describe, it } from 'node:test';
import { startSimulator } from '../../fixtures/simulator/index.ts';
import { runCli } from '../support/cli.ts';
import { tempDir } from '../support/tmp.ts';
import { iso } from './fixture.ts';
import { copyRealDb, KEYS, policiesAfter, policiesBefore, REAL_DIR, realControllersJson, realScenario, SHARED_UUID } from './real-fixture.ts';

const sim = await startSimulator(realScenario(), { ephemeralPorts: true });
after(() => sim.close());
const dir = tempDir('dnssync-real-');
const hosts = { home: new URL(sim.controller('home').url).host, office: new URL(sim.controller('office').url).host };
const dbPath = join(dir, 'dns_sync.db');
copyRealDb(dbPath, hosts);
writeFileSync(join(dir, 'controllers.json'), realControllersJson(hosts));
// The legacy deployment's environment, and a working directory with no dnssync config in it.
const env = { CONFIG_PATH: join(dir, 'controllers.json'), DB_PATH: dbPath };
const cwd = tempDir('dnssync-real-cwd-');
const consoleOf = (host: string) => (host === hosts.home ? 'home' : 'office');

function query<T>(sql: string, ...params: Array<string | number | null>): T[] {
  const db = new DatabaseSync(dbPath, { readOnly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

/** Every site as `console/uuid`, with the ids of the policies the tool found there and of its copies. */
function sitesOf(): Array<{ console: 'home' | 'office'; uuid: string; natives: Set<string>; copies: Set<string> }> {
  const before = policiesBefore();
  return Object.entries(policiesAfter()).map(([key, after]) => {
    const [where, uuid] = key.split(' ') as [string, string];
    const natives = new Set(before[key]!.map((p) => p.id));
    return { console: where.split('/')[0] as 'home' | 'office', uuid, natives, copies: new Set(after.map((p) => p.id).filter((id) => !natives.has(id))) };
  });
}

const writesSeen = () => sim.requests().filter((r) => r.method !== 'GET');

describe('the real legacy database of two consoles sharing the default-site uuid', () => {
  it('first sync: converts in place (0600), and takes every copy the tool made for a replica, none for an origin', async () => {
    const result = await runCli(['sync', '--json'], { env, cwd });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(statSync(dbPath).mode & 0o777, 0o600, 'the converted file is readable by its owner only');
    // The one record whose legacy origin dnssync does not sync, announced with when its copies go.
    assert.match(result.stderr, /this first sync after the legacy conversion made 1 record an orphan/);
    assert.match(result.stderr, /A_RECORD unifi\.home\.lan 192\.168\.1\.1: served at Default \(\S+\) as SYSTEM_DEFINED, which dnssync does not sync; 4 copies go at the first sync after /);
    assert.match(result.stderr, /--policy upsert-only/);

    const replicas = new Set(query<{ id: string }>('SELECT policy_id AS id FROM replicas').map((r) => r.id));
    const origins = new Set(query<{ id: string }>('SELECT policy_id AS id FROM record_origins WHERE policy_id IS NOT NULL').map((r) => r.id));
    let copies = 0;
    for (const site of sitesOf()) {
      for (const id of site.copies) {
        copies++;
        assert.ok(replicas.has(id), `copy ${id} at ${site.console}/${site.uuid} is a replica`);
        assert.ok(!origins.has(id), `copy ${id} at ${site.console}/${site.uuid} is no origin`);
      }
      for (const id of site.natives) assert.ok(!replicas.has(id), `native ${id} at ${site.console}/${site.uuid} is no replica`);
    }
    assert.equal(copies, 66 + 18, 'the tool made 84 copies (66 recorded as origins, 18 at the shared uuid)');

    // Each console's default site was decided on its own: home's natives are home's origins only.
    const sharedOrigins = query<{ domain: string; host: string }>(
      `SELECT d.domain, s.controller_host AS host FROM record_origins o JOIN sites s ON s.id = o.site_id JOIN dns_records d ON d.id = o.record_id WHERE s.uuid = ? ORDER BY 2, 1`,
      SHARED_UUID,
    );
    assert.deepEqual(
      sharedOrigins.map((o) => `${consoleOf(o.host)} ${o.domain}`).sort(),
      [
        'home desk-pc.home.arpa',
        'home laptop.home.arpa',
        'home media.home.lan',
        'home nas.home.lan',
        'home nas6.home.lan',
        'home printer.home.lan',
        'home shared.corp.lan',
        'home tv-home-arpa.home.arpa',
        'office git.office.lan',
        'office www.corp.lan',
      ],
    );
  });

  it('first sync: every native policy untouched, no duplicate anywhere, client copies kept with their names and TTL', () => {
    const before = policiesBefore();
    const nativeIds = new Set(Object.values(before).flatMap((list) => list.map((p) => p.id)));
    const touched = writesSeen().filter((w) => w.method !== 'POST' && nativeIds.has(w.path.split('/').pop()!));
    assert.deepEqual(touched, []);
    for (const [key, list] of Object.entries(before)) {
      const [where, uuid] = key.split(' ') as [string, string];
      const live = sim.policies(where.split('/')[0]!, uuid);
      for (const p of list) assert.deepEqual(live.find((l) => l.id === p.id), p, `native ${p.domain} at ${where} as it was`);
      const identities = live.map((p) => `${p.type} ${p.domain.toLowerCase().replace(/\.$/, '')} ${p.ipv4Address ?? p.ipv6Address ?? p.targetDomain ?? p.ipAddress}`);
      assert.equal(identities.length, new Set(identities).size, `no duplicate at ${where}: ${identities.join(', ')}`);
    }
    // The tool's client copies keep its names (tv-home-arpa.home.arpa) and TTL 3600: nothing renamed, nothing rewritten.
    const clientWrites = writesSeen().filter((w) => w.method !== 'POST' && /\.home\.arpa$/.test(String((w.body as { domain?: string } | undefined)?.domain)));
    assert.deepEqual(clientWrites, []);
    assert.ok(sim.policies('home', 'lab').some((p) => p.domain === 'tv-home-arpa.home.arpa' && p.ttlSeconds === 3600));
    assert.equal(query<{ n: number }>("SELECT count(*) AS n FROM dns_records WHERE domain LIKE '%.home.arpa' AND orphaned_at IS NOT NULL")[0]!.n, 0);
  });

  it('history keeps every legacy event with its time; the shared ones without a site, saying why', () => {
    const events = query<{ timestamp: string; reason: string | null; site_id: number | null }>('SELECT timestamp, reason, site_id FROM sync_events WHERE run_id IS NULL ORDER BY id');
    const original = new DatabaseSync(join(REAL_DIR, 'dns_sync.db'), { readOnly: true });
    const times = (original.prepare('SELECT timestamp FROM sync_events ORDER BY id').all() as Array<{ timestamp: string }>).map((e) => iso(e.timestamp));
    original.close();
    assert.equal(events.length, 186);
    assert.deepEqual(events.map((e) => e.timestamp), times.sort());
    const shared = events.filter((e) => e.site_id === null);
    assert.equal(shared.length, 38);
    assert.ok(shared.every((e) => e.reason?.includes(SHARED_UUID) && e.reason.includes('which console')));
    assert.equal(events[0]!.timestamp, '2026-11-26T09:39:49.549Z');
    assert.equal(events.at(-1)!.timestamp, '2026-11-26T09:39:56.522Z');
  });

  it('second sync: writes nothing but what refusal memory allows', async () => {
    sim.clearRequests();
    const result = await runCli(['sync', '--json'], { env, cwd });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(writesSeen(), []);
    const report = JSON.parse(result.stdout);
    assert.deepEqual([report.summary.created, report.summary.updated, report.summary.deleted], [0, 0, 0]);
    const skips = report.sites.flatMap((s: { actions: Array<{ action: string; domain: string; reason: string }> }) => s.actions.filter((a) => /refused/.test(a.reason ?? '')));
    assert.deepEqual(skips.map((a: { domain: string }) => a.domain).sort(), ['laptop.home.arpa', 'nas.home.lan']);
  });

  it('a record deleted at its only true origin goes from every copy, at both default sites too', async () => {
    // The user moves to dnssync.json (same consoles, same database) and sets no grace period.
    const config = join(dir, 'dnssync.json');
    const controller = (name: 'home' | 'office') => ({ url: `https://${hosts[name]}`, apiKey: KEYS[name], tls: { verify: false } });
    writeFileSync(
      config,
      JSON.stringify({
        controllers: [{ ...controller('home'), clients: { enabled: true, domainSuffix: 'home.arpa', naming: 'legacy' } }, controller('office')],
        sync: { orphanGracePeriod: 0 },
      }),
    );
    const cam = sim.policies('home', 'branch').find((p) => p.domain === 'cam.branch.lan')!;
    assert.ok(sim.removePolicy('home', 'branch', cam.id));
    sim.clearRequests();
    const result = await runCli(['sync', '--json', '--config', config], { env, cwd });
    assert.equal(result.code, 0, result.stderr);
    for (const site of sitesOf()) {
      assert.ok(!sim.policies(site.console, site.uuid).some((p) => p.domain === 'cam.branch.lan'), `cam.branch.lan gone from ${site.console}/${site.uuid}`);
    }
    const deleted = writesSeen().filter((w) => w.method === 'DELETE').map((w) => `${w.controller} ${w.site}`);
    // cam at 5 sites; unifi.home.lan (an orphan since the first sync: its origin is SYSTEM_DEFINED) at 4.
    assert.equal(deleted.length, 9, deleted.join('\n'));
    // Natives stay: every policy of before, but the one deleted by hand.
    for (const [key, list] of Object.entries(policiesBefore())) {
      const [where, uuid] = key.split(' ') as [string, string];
      const live = new Set(sim.policies(where.split('/')[0]!, uuid).map((p) => p.id));
      for (const p of list) if (p.id !== cam.id) assert.ok(live.has(p.id), `native ${p.domain} at ${where}`);
    }
  });
});
