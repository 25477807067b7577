/**
 * Issue 17 on an installation the legacy tool itself built (replayed, crowded-fixture.ts): a site
 * with more than 25 policies, a console read for A and CNAME only, a client named with dots.
 * dnssync takes it over with the legacy controllers.json and database as they are.
 */
import assert from 'node:assert/strict';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, describe, it } from 'node:test';
import { startSimulator, type Policy } from '../../fixtures/simulator/index.ts';
import { runCli } from '../support/cli.ts';
import { tempDir } from '../support/tmp.ts';
import { crowdedConfig, crowdedScenario, runLegacyTool } from './crowded-fixture.ts';

const sim = await startSimulator(crowdedScenario(), { ephemeralPorts: true });
after(() => sim.close());
const SITES = [['home', 'default'], ['home', 'lab'], ['office', 'default'], ['office', 'hq']] as const;
const policiesAt = () => new Map(SITES.map(([c, s]) => [`${c}/${s}`, sim.policies(c, s)]));
const natives = policiesAt();
const dir = tempDir('dnssync-crowded-');
const dbPath = await runLegacyTool(sim, dir);
const leftByTool = policiesAt();
writeFileSync(join(dir, 'controllers.json'), JSON.stringify(crowdedConfig(sim).map(({ url: _url, ...c }) => c)));
const env = { CONFIG_PATH: join(dir, 'controllers.json'), DB_PATH: dbPath };
const cwd = tempDir('dnssync-crowded-cwd-');

const identity = (p: Policy) => `${p.type} ${p.domain} ${p.ipv4Address ?? p.ipv6Address ?? p.targetDomain}`;
const duplicatesAt = (list: Policy[]) => list.length - new Set(list.map(identity)).size;
const writes = () => sim.requests().filter((r) => r.method !== 'GET');
function query<T>(sql: string): T[] {
  const db = new DatabaseSync(dbPath, { readOnly: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}

describe('a crowded legacy installation, built by the legacy tool itself', () => {
  it('the tool left duplicates where it could not see its copies, and AAAA copies at office every pass', () => {
    assert.ok(duplicatesAt(leftByTool.get('home/lab')!) > 0 && duplicatesAt(leftByTool.get('office/hq')!) > 0);
    assert.ok(leftByTool.get('office/default')!.filter((p) => p.domain === 'lab6.lab.lan').length >= 2);
    assert.ok(leftByTool.get('home/lab')!.some((p) => p.domain === 'tv-home-arpa.home.arpa' && p.ttlSeconds === 3600));
  });

  it('migrate converts, 0600, and announces the duplicates the first sync will delete and what it will orphan', async () => {
    sim.clearRequests();
    const result = await runCli(['migrate'], { env, cwd });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(statSync(dbPath).mode & 0o777, 0o600);
    assert.match(result.stdout, /created more than once at a site .*: the first sync keeps one copy as the replica and deletes the others/);
    // Announced, not discovered: what the first sync will orphan, when its copies would go, how to keep them.
    assert.match(result.stdout, /the first sync will make 1 record an orphan \(checked against the controllers with a dry run\):/);
    assert.match(result.stdout, /A_RECORD unifi\.office\.lan 10\.21\.0\.254: served at HQ \(\S+\) as SYSTEM_DEFINED, which dnssync does not sync; 3 copies go 15 min after the first sync/);
    assert.match(result.stdout, /dnssync sync --policy upsert-only/);
    assert.deepEqual(writes(), [], 'the prediction is a dry run');
  });

  it('the first sync is refused by the delete limit, writing nothing, and its plan names the duplicates', async () => {
    sim.clearRequests();
    const result = await runCli(['sync', '--json'], { env, cwd });
    assert.equal(result.code, 4, result.stderr);
    assert.deepEqual(writes(), []);
    const report = JSON.parse(result.stdout);
    assert.deepEqual(report.refusals.map((r: { site: string }) => r.site).sort(), ['HQ', 'Lab']);
    const reasons = report.sites.flatMap((s: { actions: Array<{ action: string; reason?: string }> }) => s.actions.filter((a) => a.action === 'delete').map((a) => a.reason));
    assert.ok(reasons.length > 0 && reasons.every((r: string) => r === 'a duplicate the legacy tool made'), reasons.join('\n'));
  });

  it('with --force: one copy each stays, as the replica; the duplicates go; natives untouched; client copies kept', async () => {
    sim.clearRequests();
    const result = await runCli(['sync', '--json', '--force'], { env, cwd });
    assert.equal(result.code, 0, result.stderr);
    // The refused run recorded nothing: this is the first sync, and it says what it orphaned.
    assert.match(result.stderr, /this first sync after the legacy conversion made 1 record an orphan/);
    assert.match(result.stderr, /unifi\.office\.lan 10\.21\.0\.254: .*3 copies go at the first sync after \d{4}-\d\d-\d\dT/);
    const now = policiesAt();
    const replicaIds = new Set(query<{ id: string }>('SELECT policy_id AS id FROM replicas').map((r) => r.id));
    const originIds = new Set(query<{ id: string }>('SELECT policy_id AS id FROM record_origins WHERE policy_id IS NOT NULL').map((r) => r.id));
    const deleted = new Set(writes().filter((w) => w.method === 'DELETE').map((w) => w.path.split('/').pop()));
    for (const [where, list] of now) {
      assert.equal(duplicatesAt(list), 0, `no duplicate left at ${where}`);
      const nativeIds = new Set(natives.get(where)!.map((p) => p.id));
      for (const p of natives.get(where)!) assert.deepEqual(list.find((l) => l.id === p.id), p, `native ${p.domain} at ${where} untouched`);
      for (const copy of leftByTool.get(where)!.filter((p) => !nativeIds.has(p.id))) {
        assert.ok(!originIds.has(copy.id), `the tool's copy ${copy.domain} at ${where} is no origin`);
        assert.ok(replicaIds.has(copy.id) !== deleted.has(copy.id), `the tool's copy ${copy.domain} at ${where} is the replica, or deleted as a duplicate`);
      }
    }
    // Office is read for A and CNAME only: its native AAAA stays home, the AAAA copies it got stay.
    assert.ok(!now.get('home/lab')!.some((p) => p.domain === 'vpn.office.lan'));
    assert.equal(now.get('office/hq')!.filter((p) => p.domain === 'lab6.lab.lan').length, 1);
    // The tool's names and TTL for clients: nothing renamed or rewritten.
    assert.ok(now.get('office/hq')!.some((p) => p.domain === 'tv-home-arpa.home.arpa' && p.ttlSeconds === 3600));
    assert.ok(!writes().some((w) => w.method === 'PUT'));
    // What the tool never saw (beyond 25 at its origin) is copied now.
    assert.ok(now.get('office/hq')!.some((p) => p.domain === 'host-30.home.lan'));
    assert.equal(query<{ n: number }>('SELECT count(*) AS n FROM legacy_duplicates')[0]!.n, 0);
  });

  it('the next sync writes nothing, and announces nothing again', async () => {
    sim.clearRequests();
    const result = await runCli(['sync'], { env, cwd });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(writes(), []);
    assert.doesNotMatch(result.stderr, /first sync after the legacy conversion/);
  });
});
