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
