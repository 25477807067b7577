import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { Scenario } from '../../fixtures/simulator/index.ts';
import { matchSnapshot, normalise } from '../support/snapshot.ts';
import { syncEnv } from '../support/sync-env.ts';

// One controller and one request at a time: events are written in the same order on every run.
const scenario: Scenario = {
  controllers: [
    {
      name: 'home',
      sites: [
        {
          internalReference: 'default',
          name: 'Home',
          policies: [
            { id: '11111111-1111-4111-8111-111111111111', type: 'A_RECORD', domain: 'nas.home.arpa', ipv4Address: '10.0.0.10' },
            { id: '22222222-2222-4222-8222-222222222222', type: 'A_RECORD', domain: 'printer.home.arpa', ipv4Address: '10.0.0.20' },
            { type: 'CNAME_RECORD', domain: 'files.home.arpa', targetDomain: 'nas.home.arpa' },
            { type: 'A_RECORD', domain: 'tv.home.arpa', ipv4Address: '10.0.0.11' },
          ],
        },
        { internalReference: 'garage', name: 'Garage', localDns: ['tv.home.arpa'] },
        { internalReference: 'lab', name: 'Lab', policies: [{ type: 'AAAA_RECORD', domain: 'v6.lab.arpa', ipv6Address: 'fd00::6' }] },
      ],
    },
  ],
};

/**
 * Three runs: the first sync (one create refused: tv.home.arpa is a client's name at Garage);
 * printer.home.arpa deleted at its origin with no grace period (orphaned, copies deleted at once);
 * nas.home.arpa deleted with an hour's grace (orphaned, copies kept).
 */
async function synced() {
  const env = await syncEnv(scenario, { sync: { orphanGracePeriod: 0, concurrency: 1 } });
  const run = async () => {
    const result = await env.sync();
    assert.equal(result.code, 0, result.stderr);
  };
  await run();
  env.sim.removePolicy('home', 'default', '22222222-2222-4222-8222-222222222222');
  await run();
  const config = JSON.parse(readFileSync(env.configFile, 'utf8'));
  config.sync.orphanGracePeriod = '1h';
  writeFileSync(env.configFile, JSON.stringify(config));
  env.sim.removePolicy('home', 'default', '11111111-1111-4111-8111-111111111111');
  await run();
  return env;
}

const env = await synced();
const cli = async (...args: string[]) => {
  // Tables show local time; UTC keeps a time that is not masked (none should be) the same anywhere.
  const result = await env.cli(args, { env: { TZ: 'UTC' } });
  assert.equal(result.code, 0, result.stderr);
  return result.stdout;
};
const RUN_COLUMNS = { duration: '<duration>', host: '<host>', pid: '<pid>' };

describe('snapshots: what a person sees', () => {
  it('history', async () => {
    matchSnapshot('history.txt', normalise(await cli('history'), { paths: { [env.dir]: '<dir>' } }));
  });

  it('history --limit 4 (the line under a cut list)', async () => {
    matchSnapshot('history-limit.txt', normalise(await cli('history', '--limit', '4'), { paths: { [env.dir]: '<dir>' } }));
  });

  it('history --json (JSON lines; the run durations, hosts and pids vary)', async () => {
    const lines = (await cli('history', '--json')).trim().split('\n').map((line) => JSON.parse(line));
    matchSnapshot('history.jsonl', normalise(lines.map((l) => JSON.stringify(l)).join('\n') + '\n', { paths: { [env.dir]: '<dir>' } }));
  });

  it('history --runs', async () => {
    matchSnapshot('history-runs.txt', normalise(await cli('history', '--runs'), { paths: { [env.dir]: '<dir>' }, columns: RUN_COLUMNS }));
  });

  it('orphans', async () => {
    matchSnapshot('orphans.txt', normalise(await cli('orphans'), { paths: { [env.dir]: '<dir>' } }));
  });

  it('orphans --json', async () => {
    matchSnapshot('orphans.json', normalise(await cli('orphans', '--json'), { paths: { [env.dir]: '<dir>' } }));
  });
});
