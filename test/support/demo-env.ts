import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Scenario } from '../../fixtures/simulator/index.ts';
import { syncEnv, type EnvOptions, type SyncEnv } from './sync-env.ts';

const DEMO = fileURLToPath(new URL('../../fixtures/scenarios/demo.json', import.meta.url));

/** The demo's scenario (two controllers, five sites), as `npm run demo` serves it. */
export function demoScenario(): Scenario {
  return JSON.parse(readFileSync(DEMO, 'utf8')) as Scenario;
}

/** A simulator with the demo's scenario and a config as the demo writes it (home's clients synced), plus `options`. */
export function demoEnv(options: EnvOptions = {}): Promise<SyncEnv> {
  return syncEnv(demoScenario(), {
    ...options,
    controllers: { ...options.controllers, home: { clients: { enabled: true, domainSuffix: 'home.arpa' }, ...options.controllers?.home } },
  });
}

/**
 * The demo after two runs, with something in each section of `status` and each kind of reason of
 * `records`: office keeps its records to itself (originScope controller); old-nas.home.lan was
 * deleted at Garage after the first run (an orphan whose replicas go after the grace period of 1h);
 * office / Branch could not be read by the second run (exit 3). printer.home.lan stays refused at
 * Lab (a name the gateway serves), and media.home.lan is a CNAME at Garage and an A at Branch.
 */
export async function demoAfterTwoRuns(): Promise<SyncEnv> {
  const env = await demoEnv({ sync: { orphanGracePeriod: '1h' }, controllers: { office: { originScope: 'controller' } } });
  const first = await env.sync();
  if (first.code !== 0) throw new Error(`first sync: exit ${first.code}: ${first.stderr}`);
  const oldNas = env.sim.policies('home', 'garage').find((p) => p.domain === 'old-nas.home.lan')!;
  env.sim.removePolicy('home', 'garage', oldNas.id);
  env.sim.setFault({ controller: 'office', site: 'branch' }, { kind: 'status', status: 500, path: '/dns/policies' });
  const second = await env.sync();
  if (second.code !== 3) throw new Error(`second sync: exit ${second.code}, expected 3: ${second.stderr}`);
  return env;
}
