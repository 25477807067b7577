/**
 * Shared site uuids (issue 17): every console's default site has one uuid, which the legacy tool's
 * tables could not tell apart. The conversion keeps its rows there as evidence, per console; the
 * first sync decides at each console's site: created there before it was ever seen there → the
 * tool's copy (a replica); seen there first → native; times it cannot read → undecided, kept as
 * native (never deleted) and listed.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, it } from 'node:test';
import { DEFAULT_SITE_UUID, evidenceVerdict, type LegacyEvidence } from '../../src/domain/legacy-evidence.ts';
import type { SiteRef } from '../../src/domain/state.ts';
import { holdOrphans, resolveEvidence } from '../../src/planner/legacy-evidence.ts';
import { observe } from '../../src/planner/observe.ts';
import { recordFilter } from '../../src/planner/filters.ts';
import { runCli } from '../support/cli.ts';
import { tempDir } from '../support/tmp.ts';
import { A, known, NOW, rec, snap } from '../sync/builders.ts';
import { LEGACY_DDL, legacyId } from './fixture.ts';

describe('the verdict of the evidence at a shared uuid', () => {
  const t = (s: number) => `2025-01-10T08:00:0${s}.000Z`;
  it('created there before it was ever seen there: the copy; seen first or never created: native; unreadable: undecided', () => {
    assert.equal(evidenceVerdict(null, false, [t(2)]), 'replica');
    assert.equal(evidenceVerdict(t(3), false, [t(2), t(5)]), 'replica');
    assert.equal(evidenceVerdict(t(1), false, [t(2)]), 'native');
    assert.equal(evidenceVerdict(t(1), false, []), 'native');
    assert.equal(evidenceVerdict(t(1), false, [t(2), null]), 'undecided');
    assert.equal(evidenceVerdict(t(3), true, [t(2)]), 'undecided');
    // A sighting of known time before the first CREATED decides, whatever another one's time.
    assert.equal(evidenceVerdict(t(1), true, [t(2)]), 'native');
  });
});

describe('the conversion keeps the rows at the shared uuid as evidence, per console', () => {
  it('makes no site of it, guesses no origin or replica there, keeps the events without a site, and lists the undecided', async () => {
    const path = join(tempDir('dnssync-evidence-'), 'dns_sync.db');
    const db = new DatabaseSync(path);
    db.exec(LEGACY_DDL);
    const branch = 'b1b1b1b1-0000-4000-8000-000000000001';
    db.exec(`INSERT INTO controllers VALUES ('10.0.0.1', 'home-key-123456', NULL), ('10.0.0.2', 'office-key-123456', NULL)`);
    // One row for the uuid both default sites have: it names whichever console was written last.
    db.exec(`INSERT INTO sites VALUES ('${DEFAULT_SITE_UUID}', '10.0.0.2', 'Default', NULL), ('${branch}', '10.0.0.1', 'Branch', NULL)`);
    const ids: Record<string, string> = {};
    for (const [name, ip] of [['nas', '10.0.0.10'], ['cam', '10.0.0.11'], ['odd', '10.0.0.12']] as const) {
      ids[name] = legacyId('A_RECORD', `${name}.lan`, ip);
      db.prepare('INSERT INTO dns_records VALUES (?, ?, ?, ?, ?)').run(ids[name]!, 'A_RECORD', `${name}.lan`, ip, JSON.stringify({ type: 'A_RECORD', domain: `${name}.lan`, ipv4Address: ip, enabled: true, ttlSeconds: 0 }));
    }
    const row = (record: string, site: string, status: string, at: string) => {
      db.prepare('INSERT INTO sync_events (record_id, site_uuid, status, timestamp) VALUES (?, ?, ?, ?)').run(ids[record]!, site, status, at);
      if (status === 'DISCOVERY') db.prepare('INSERT OR IGNORE INTO record_origins VALUES (?, ?, ?)').run(ids[record]!, site, at);
    };
    row('nas', DEFAULT_SITE_UUID, 'DISCOVERY', '2025-01-10 08:00:00.100000');
    row('cam', branch, 'DISCOVERY', '2025-01-10 08:00:00.200000');
    row('odd', branch, 'DISCOVERY', '2025-01-10 08:00:00.300000');
    row('cam', DEFAULT_SITE_UUID, 'CREATED', '2025-01-10 08:00:01.000000');
    row('odd', DEFAULT_SITE_UUID, 'CREATED', 'the day after');
    row('cam', DEFAULT_SITE_UUID, 'DISCOVERY', '2025-01-10 09:00:00.000000');
    db.close();

    const result = await runCli(['migrate', '--db', path]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`4 events and the origins of 3 records at ${DEFAULT_SITE_UUID}, the default site of every console, kept as evidence: the first sync decides at each console's default site \\(10\\.0\\.0\\.1, 10\\.0\\.0\\.2\\): 1 record the legacy tool created there .*, 1 seen there first \\(native\\), 1 undecided`));
    assert.match(result.stdout, /warning: 1 record at the shared default site cannot be told from the legacy file .*: A_RECORD odd\.lan 10\.0\.0\.12/);

    const converted = new DatabaseSync(path, { readOnly: true });
    try {
      const all = (sql: string) => converted.prepare(sql).all().map((r) => Object.values(r).join(' '));
      assert.deepEqual(all(`SELECT controller_host, uuid FROM sites ORDER BY 1`), [`10.0.0.1 ${branch}`]);
      assert.deepEqual(all(`SELECT d.domain, e.controller_host, e.verdict FROM legacy_evidence e JOIN dns_records d ON d.id = e.record_id ORDER BY 1, 2`), [
        'cam.lan 10.0.0.1 replica',
        'cam.lan 10.0.0.2 replica',
        'nas.lan 10.0.0.1 native',
        'nas.lan 10.0.0.2 native',
        'odd.lan 10.0.0.1 undecided',
        'odd.lan 10.0.0.2 undecided',
      ]);
      // Nothing at the shared uuid became an origin or a replica of a guessed console.
      assert.deepEqual(all('SELECT count(*) FROM replicas'), ['0']);
      assert.deepEqual(all('SELECT d.domain FROM record_origins o JOIN dns_records d ON d.id = o.record_id ORDER BY 1'), ['cam.lan', 'odd.lan']);
      // nas.lan may be native at either default site: no orphan before the first sync has looked.
      assert.deepEqual(all('SELECT domain FROM dns_records WHERE orphaned_at IS NOT NULL'), []);
      assert.deepEqual(all(`SELECT count(*) FROM sync_events WHERE site_id IS NULL AND reason LIKE 'legacy site ${DEFAULT_SITE_UUID}%'`), ['4']);
    } finally {
      converted.close();
    }
  });
});

describe('the first sync decides at each console', () => {
  const ref = (key: number, controller: string, uuid = DEFAULT_SITE_UUID): SiteRef => ({ key, controller, controllerName: controller, uuid, name: 'Default', internalReference: 'default' });
  const home = ref(10, 'home:443');
  const office = ref(20, 'office:443');
  const branch = ref(1, 'home:443', 'b1b1b1b1-0000-4000-8000-000000000001');
  const nas = A('nas.lan', '10.0.0.10');
  const cam = A('cam.lan', '10.0.0.11');
  const odd = A('odd.lan', '10.0.0.12');
  const evidence = (recordBody: typeof nas, verdict: LegacyEvidence['verdict'], controllerHost: string): LegacyEvidence => ({
    controllerHost,
    uuid: DEFAULT_SITE_UUID,
    recordId: rec(recordBody).id,
    firstDiscovered: '2025-01-10T08:00:00.100Z',
    created: verdict === 'native' ? [] : ['2025-01-10T08:00:01.000Z'],
    verdict,
  });
  const rows = ['home:443', 'office:443'].flatMap((c) => [evidence(nas, 'native', c), evidence(cam, 'replica', c), evidence(odd, 'undecided', c)]);
  const state = () => {
    const k = known({ sites: [home, office, branch], origins: [[cam, 1], [odd, 1]] });
    k.records.set(rec(nas).id, { record: rec(nas), firstSeen: '2025-01-10T08:00:00.100Z', orphanedAt: null });
    return k;
  };
  const passes = recordFilter({ domains: [], excludeDomains: [] });

  it("takes the tool's copies for replicas (every identical one), its natives and undecided for origins since it first saw them", () => {
    const snapshots = [
      snap(home, [['h-nas', nas], ['h-cam1', cam], ['h-cam2', cam], ['h-odd', odd]]),
      snap(office, [['o-cam', cam]]),
      snap(branch, [['native-1-cam.lan', cam], ['native-1-odd.lan', odd]]),
    ];
    const resolution = resolveEvidence(rows, snapshots, state(), passes, NOW.toISOString());
    const observation = observe({ snapshots, known: resolution.known, passes, now: NOW.toISOString() });
    const ops = observation.changes.map((c) => `${c.op} ${c.record.domain}${'siteKey' in c ? ` @${c.siteKey}` : ''}`);
    assert.deepEqual(ops.sort(), ['origin.update nas.lan @10', 'origin.update odd.lan @10', 'replica.adopt cam.lan @10', 'replica.adopt cam.lan @20'].sort());
    assert.deepEqual(observation.sites.find((s) => s.snapshot.site.key === 10)!.duplicates.map((d) => d.policyId), ['h-cam2']);
    // Origins keep the time the tool first saw them: the oldest origin wins attributes.
    assert.equal(resolution.known.origins.get(rec(nas).id)!.get(10)!.firstSeen, '2025-01-10T08:00:00.100Z');
    assert.deepEqual(
      resolution.decisions.map((d) => `${d.evidence.controllerHost} ${d.evidence.verdict} found ${d.found} ${d.replica ? 'replica' : d.origin ? 'origin' : '-'}`).sort(),
      ['home:443 native found 1 origin', 'home:443 replica found 2 replica', 'home:443 undecided found 1 origin', 'office:443 native found 0 -', 'office:443 replica found 1 replica', 'office:443 undecided found 0 -'],
    );
  });

  it('orphans nothing whose origin may be at a console not read this run, and decides there later', () => {
    // home could not be read: nas.lan, native only at some default site, is held.
    const snapshots = [snap(home, [], { status: 'failed' }), snap(office, [['o-cam', cam]]), snap(branch, [['native-1-cam.lan', cam], ['native-1-odd.lan', odd]])];
    const resolution = resolveEvidence(rows, snapshots, state(), passes, NOW.toISOString());
    assert.ok(resolution.held.has(rec(nas).id));
    assert.ok(!resolution.decisions.some((d) => d.evidence.controllerHost === 'home:443'), 'home decides at a later run');
    const observation = observe({ snapshots, known: resolution.known, passes, now: NOW.toISOString() });
    assert.ok(observation.changes.some((c) => c.op === 'record.orphan' && c.record.domain === 'nas.lan'), 'observe alone would orphan it');
    holdOrphans(observation, resolution.held);
    assert.ok(!observation.changes.some((c) => c.op === 'record.orphan'));
    assert.equal(observation.records.get(rec(nas).id)!.orphanedAt, null);
  });
});
