import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { NOT_WANTED } from '../../src/planner/plan.ts';
import { openStore } from '../../src/store/database.ts';
import { RecordRepository } from '../../src/store/records.ts';
import { runCli } from '../support/cli.ts';
import { demoAfterTwoRuns } from '../support/demo-env.ts';
import { matchSnapshot, normalise } from '../support/snapshot.ts';
import { syncEnv } from '../support/sync-env.ts';
import { tempDir } from '../support/tmp.ts';

// Built at the top level: the temp folder and simulator then live until the file is done.
const demo = await demoAfterTwoRuns();

interface Place {
  controller: string;
  name: string;
  origin: boolean;
  replica: boolean;
  reason: string | null;
}
interface Placed {
  type: string;
  domain: string;
  target: string;
  sites: Place[];
}

const records = async (...args: string[]): Promise<Placed[]> => {
  const result = await demo.cli(['records', '--json', ...args]);
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout).records;
};
/** `site: holds (reason)` per site of the one record a query returns. */
const places = (found: Placed[]) => {
  assert.equal(found.length, 1, JSON.stringify(found.map((r) => `${r.type} ${r.domain}`)));
  return Object.fromEntries(found[0]!.sites.map((s) => [s.name, `${s.origin ? 'origin' : s.replica ? 'replica' : '-'}${s.reason ? ` (${s.reason})` : ''}`]));
};
/** The env's config with `change` applied, in a file of its own. */
function variant(name: string, change: (config: { controllers: Array<Record<string, unknown>>; sync: Record<string, unknown> }) => void): string {
  const config = JSON.parse(readFileSync(demo.configFile, 'utf8'));
  change(config);
  const file = join(demo.dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

const SHOWN = ['*media*', 'printer.home.lan', 'old-nas.home.lan', 'wiki.office.lan'];

describe('dnssync records', () => {
  it('matches the snapshot of its text and --json output on the demo after two runs', async () => {
    const volatile = { paths: { [demo.dir]: '<dir>' } };
    let text = '';
    let json = '';
    for (const query of SHOWN) {
      const table = await demo.cli(['records', query]);
      const doc = JSON.parse((await demo.cli(['records', query, '--json'])).stdout);
      delete doc.formatVersion; // added by the output layer, not by this command
      text += `$ dnssync records ${query}\n${table.stdout}\n`;
      json += `$ dnssync records ${query} --json\n${JSON.stringify(doc, null, 2)}\n\n`;
    }
    matchSnapshot('records.txt', normalise(text, volatile));
    matchSnapshot('records.json.txt', normalise(json, volatile));
  });

  it('shows each record with its origin, every site holding a replica, and why the others have neither', async () => {
    assert.deepEqual(places(await records('printer.home.lan')), {
      Default: 'origin',
      Garage: 'replica',
      Lab: `- (refused ${new Date().toISOString().slice(0, 10)}: overlap-with-local-dns)`,
      Branch: 'replica',
      HQ: 'replica',
    });
    const wiki = places(await records('wiki.office.lan'));
    assert.equal(wiki.Branch, `- (${NOT_WANTED.sameController})`);
    assert.equal(wiki.HQ, 'origin');
    const [media] = (await records('media.home.lan')).filter((r) => r.type === 'CNAME_RECORD');
    assert.match(media!.sites.find((s) => s.name === 'Default')!.reason!, /^skipped \d{4}-\d\d-\d\d: CNAME at Default conflicts with the A record wanted there$/);
    const orphan = places(await records('old-nas.home.lan'));
    for (const [name, holds] of Object.entries(orphan)) {
      assert.match(holds, new RegExp(`^${name === 'Garage' ? '-' : 'replica'} \\(orphaned since \\S+, replicas go at \\S+\\)$`), name);
    }
  });

  it('filters by domain: exact in any case with or without the trailing dot, or a glob with * and ?', async () => {
    assert.deepEqual((await records('NAS.Home.LAN.')).map((r) => `${r.type} ${r.domain}`), ['AAAA_RECORD nas.home.lan', 'A_RECORD nas.home.lan']);
    const office = await records('*.office.lan');
    assert.deepEqual([...new Set(office.map((r) => r.domain))], ['intranet.office.lan', 'vpn.branch.office.lan', 'wiki.office.lan']);
    assert.deepEqual((await records('???.home.lan')).map((r) => r.domain), ['nas.home.lan', 'nas.home.lan', 'www.home.lan', 'www.home.lan']);
    const all = await records();
    assert.equal(all.length, demo.query<{ n: number }>('SELECT count(*) AS n FROM dns_records')[0]!.n);
    const none = await demo.cli(['records', 'nowhere.lan']);
    assert.equal(none.code, 0, none.stderr);
    assert.equal(none.stdout, 'no record matches nowhere.lan\n');
    assert.equal((await demo.cli(['records', '.'])).code, 2);
  });

  it('--site answers "why not at Lab?" in one row; an unknown site is exit 2', async () => {
    const result = await demo.cli(['records', 'printer.home.lan', '--site', 'lab']);
    assert.equal(result.code, 0, result.stderr);
    const rows = result.stdout.split('\n').filter((l) => l.startsWith('│') && !l.includes('why not'));
    assert.equal(rows.length, 1, result.stdout);
    assert.match(rows[0]!, /│ A +│ printer\.home\.lan +│ 192\.168\.1\.20 +│ home \/ Lab +│ - +│ refused \d{4}-\d\d-\d\d: overlap-with-local-dns +│$/);
    // The origin is at another site, which --site leaves out of the rows but not out of the reasons.
    assert.deepEqual(places(await records('wiki.office.lan', '--site', 'Branch')), { Branch: `- (${NOT_WANTED.sameController})` });
    const unknown = await demo.cli(['records', '--site', 'attic']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /--site attic: no such site/);
  });

  it('gives the reasons only the config knows when there is one: filters, excluded sites, controllers left out', async () => {
    const file = variant('narrower', (c) => {
      c.sync.excludeDomains = ['k8s.*'];
      c.controllers.find((x) => x.name === 'home')!.excludeSites = ['garage'];
    });
    const found = await runCli(['records', 'k8s.lab.home.lan', '--json', '--config', file, '--db', demo.db]);
    const [record] = (JSON.parse(found.stdout).records as Placed[]).filter((r) => r.type === 'A_RECORD');
    const reasons = Object.fromEntries(record!.sites.map((s) => [s.name, s.reason]));
    assert.equal(reasons.Lab, null, 'the origin');
    assert.equal(reasons.Garage, 'the config leaves the site out (sites/excludeSites): no sync touches its replica');
    assert.equal(reasons.Default, `${NOT_WANTED.filtered}; the next sync deletes it`);

    const homeOnly = variant('home-only', (c) => (c.controllers = c.controllers.filter((x) => x.name === 'home')));
    const left = await runCli(['records', 'media.home.lan', '--json', '--config', homeOnly, '--db', demo.db]);
    const [cname] = (JSON.parse(left.stdout).records as Placed[]).filter((r) => r.type === 'CNAME_RECORD');
    assert.equal(cname!.sites.find((s) => s.name === 'HQ')!.reason, 'its controller is not in the config: no sync touches its replica');
    assert.equal(cname!.sites.find((s) => s.name === 'Branch')!.reason, 'its controller is not in the config');
  });

  it('only reads: needs no config (and says what it cannot tell without one), asks no controller, changes no byte', async () => {
    const before = createHash('sha256').update(readFileSync(demo.db)).digest('hex');
    demo.sim.clearRequests();
    const elsewhere = tempDir();
    const result = await runCli(['records', 'wiki.office.lan', '--db', demo.db], { cwd: elsewhere });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /no config file found: reasons that only the config can give/);
    // Without the config, Branch is explained by what the database knows: the last run could not read it.
    assert.match(result.stdout, /office \/ Branch +│ - +│ the last run could not read the site \(last read \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\)/);
    assert.deepEqual(demo.sim.requests(), []);
    assert.equal(createHash('sha256').update(readFileSync(demo.db)).digest('hex'), before);
  });

  it('a gone site: its replicas noted, and no row where it holds nothing', async () => {
    const env = await syncEnv({
      controllers: [{ name: 'home', sites: [{ internalReference: 'default', policies: [{ type: 'A_RECORD', domain: 'nas.lan', ipv4Address: '10.0.0.1' }] }, { internalReference: 'old' }] }],
    });
    assert.equal((await env.sync()).code, 0);
    env.sim.removeSite('home', 'old');
    env.sim.addPolicy('home', 'default', { type: 'A_RECORD', domain: 'new.lan', ipv4Address: '10.0.0.2' });
    assert.equal((await env.sync()).code, 0);
    const nas = JSON.parse((await env.cli(['records', 'nas.lan', '--json'])).stdout).records[0] as Placed;
    assert.match(nas.sites.find((s) => s.name === 'old')!.reason!, /^the site is gone \(since \d{4}-\d\d-\d\dT[\d:.]+Z\)$/);
    const fresh = JSON.parse((await env.cli(['records', 'new.lan', '--json'])).stdout).records[0] as Placed;
    assert.deepEqual(fresh.sites.map((s) => s.name), ['default'], 'a gone site that never held it is not listed');
    const none = await env.cli(['records', 'new.lan', '--site', 'old']);
    assert.equal(none.code, 0, none.stderr);
    assert.equal(none.stdout, 'no record matches new.lan at site old\n');
  });

  it('looks up replicas, origins and events along their indexes', () => {
    const store = openStore(demo.db, { create: false, readOnly: true });
    try {
      const repo = new RecordRepository(store.db);
      const id = 'x'.repeat(64);
      const plan = (sql: string, ...params: Array<string | number>) => repo.explain(sql, params).join('; ');
      assert.match(plan(RecordRepository.REPLICAS, id), /SEARCH replicas USING PRIMARY KEY \(site_id=\? AND record_id=\?\)/);
      assert.match(plan(RecordRepository.ORIGINS, id), /SEARCH record_origins USING PRIMARY KEY \(record_id=\?\)/);
      assert.match(plan(RecordRepository.LAST_EVENT, 1, 'nas.home.lan', id), /SEARCH sync_events USING INDEX sync_events_site_domain \(site_id=\? AND domain=\?\)/);
      assert.doesNotMatch(plan(RecordRepository.LAST_EVENT, 1, 'nas.home.lan', id), /TEMP B-TREE/);
    } finally {
      store.close();
    }
  });
});
