/**
 * The replay of the legacy tool (legacy-tool.ts) against the consoles of the real run, as they were
 * before it: it must leave the same policies and write the same database as the tool itself did
 * (fixtures/legacy/real-two-consoles/), but for the ids it cannot know and the times.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, describe, it } from 'node:test';
import { startSimulator } from '../../fixtures/simulator/index.ts';
import { tempDir } from '../support/tmp.ts';
import { LegacyTool, PythonClock, type LegacyController } from './legacy-tool.ts';
import { ORIGINAL_HOSTS, policiesAfter, policiesBefore, REAL_DIR, realScenario } from './real-fixture.ts';

const sim = await startSimulator(realScenario(policiesBefore()), { ephemeralPorts: true });
after(() => sim.close());
const path = join(tempDir('dnssync-legacy-tool-'), 'dns_sync.db');
// The run's own config, with the original hosts (so that the rows compare) and the simulator's URLs.
const config = JSON.parse(readFileSync(join(REAL_DIR, 'controllers.json'), 'utf8')) as LegacyController[];
for (const c of config) c.url = sim.controller(c.host === ORIGINAL_HOSTS.home ? 'home' : 'office').url;
const tool = new LegacyTool(path, config, new PythonClock('2026-11-26T09:39:49Z'));
await tool.pass();
await tool.pass();
tool.close();

const rows = (file: string, sql: string) => {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    return db.prepare(sql).all().map((r) => JSON.stringify(r));
  } finally {
    db.close();
  }
};
const real = join(REAL_DIR, 'dns_sync.db');
/** A policy but for its id, keys sorted. */
const identity = (p: object) => JSON.stringify(Object.fromEntries(Object.entries(p).filter(([k]) => k !== 'id').sort(([a], [b]) => a.localeCompare(b))));

describe('the replay of the legacy tool, against the consoles of the real run', () => {
  it('leaves every site with the policies the tool left there', () => {
    for (const [key, expected] of Object.entries(policiesAfter())) {
      const [where, uuid] = key.split(' ') as [string, string];
      const live = sim.policies(where.split('/')[0]!, uuid);
      assert.deepEqual(live.map(identity).sort(), expected.map(identity).sort(), where);
    }
  });

  it('writes the rows the tool wrote, in its order, but for the times', () => {
    for (const sql of [
      'SELECT host, api_key FROM controllers ORDER BY host',
      'SELECT uuid, controller_host, name FROM sites ORDER BY uuid',
      'SELECT id, type, domain, target FROM dns_records ORDER BY id',
      'SELECT record_id, site_uuid FROM record_origins ORDER BY record_id, site_uuid',
      'SELECT id, record_id, site_uuid, status FROM sync_events ORDER BY id',
    ]) {
      assert.deepEqual(rows(path, sql), rows(real, sql), sql);
    }
    // record_raw: the last sighting, with that copy's id, which a replay cannot know.
    const raw = (file: string) => rows(file, 'SELECT record_raw FROM dns_records ORDER BY id').map((r) => (JSON.parse(r) as { record_raw: string }).record_raw.replace(/"id": "[^"]+", /, ''));
    assert.deepEqual(raw(path), raw(real));
  });
});
