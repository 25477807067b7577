/**
 * A legacy installation built by replaying the legacy tool (legacy-tool.ts) for three passes over
 * consoles it could not read whole: home's default site holds 30 policies (the tool read 25), office
 * is read for A and CNAME only (its allowed_record_types) yet gets AAAA copies, and a client is
 * named with dots. The shared default-site uuid is there too, as on every installation.
 */
import { join } from 'node:path';
import type { PolicyInput, Scenario } from '../../fixtures/simulator/index.ts';
import type { Simulator } from '../../fixtures/simulator/index.ts';
import { LegacyTool, PythonClock, type LegacyController } from './legacy-tool.ts';

export const KEYS = { home: 'crowded-home-key-0001', office: 'crowded-office-key-0002' } as const;
export const SHARED_UUID = '88f7af54-98f8-306a-a1c7-c9349722b1f6';

const A = (domain: string, ipv4Address: string): PolicyInput => ({ type: 'A_RECORD', domain, ipv4Address, ttlSeconds: 0 });

export function crowdedScenario(): Scenario {
  const hosts = Array.from({ length: 30 }, (_, i) => A(`host-${i + 1}.home.lan`, `10.1.0.${i + 1}`));
  return {
    controllers: [
      {
        name: 'home',
        apiKey: KEYS.home,
        tls: true,
        sites: [
          {
            id: SHARED_UUID,
            internalReference: 'default',
            name: 'Default',
            policies: hosts,
            clients: [
              { name: 'tv.home.arpa', ipAddress: '192.168.1.52' },
              { name: 'laptop', ipAddress: '192.168.1.50' },
            ],
          },
          {
            internalReference: 'lab',
            name: 'Lab',
            policies: [A('lab1.lab.lan', '10.9.0.1'), { type: 'AAAA_RECORD', domain: 'lab6.lab.lan', ipv6Address: 'fd00:1ab::1', ttlSeconds: 0 }, { type: 'CNAME_RECORD', domain: 'wiki.lab.lan', targetDomain: 'lab1.lab.lan', ttlSeconds: 0 }],
          },
        ],
      },
      {
        name: 'office',
        apiKey: KEYS.office,
        tls: true,
        sites: [
          {
            id: SHARED_UUID,
            internalReference: 'default',
            name: 'Default',
            // Office is not read for AAAA: vpn.office.lan is never copied, and never an origin.
            policies: [A('git.office.lan', '10.20.0.10'), { type: 'AAAA_RECORD', domain: 'vpn.office.lan', ipv6Address: '2001:db8::1', ttlSeconds: 0 }],
          },
          {
            internalReference: 'hq',
            name: 'HQ',
            // The gateway's own name: the tool copied it as a user policy; dnssync never syncs it.
            policies: [A('hq.office.lan', '10.21.0.1'), { ...A('unifi.office.lan', '10.21.0.254'), metadata: { origin: 'SYSTEM_DEFINED' } }],
          },
        ],
      },
    ],
  };
}

/** The tool's controllers.json for the simulator. */
export function crowdedConfig(sim: Simulator): LegacyController[] {
  const at = (name: string) => ({ host: new URL(sim.controller(name).url).host, url: sim.controller(name).url });
  return [
    { ...at('home'), api_key: KEYS.home, sync_dhcp_clients: true, domain_suffix: 'home.arpa', allowed_record_types: ['A_RECORD', 'AAAA_RECORD', 'CNAME_RECORD'] },
    { ...at('office'), api_key: KEYS.office },
  ];
}

/** Three passes of the legacy tool, an hour apart; its database at `dir`/dns_sync.db. */
export async function runLegacyTool(sim: Simulator, dir: string, passes = 3): Promise<string> {
  const path = join(dir, 'dns_sync.db');
  const clock = new PythonClock('2026-10-01T08:00:00Z');
  const tool = new LegacyTool(path, crowdedConfig(sim), clock);
  try {
    for (let i = 0; i < passes; i++) {
      await tool.pass();
      clock.later(3_600_000);
    }
  } finally {
    tool.close();
  }
  return path;
}
