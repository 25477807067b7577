/**
 * fixtures/legacy/real-two-consoles/: a database the legacy Python tool itself wrote for two
 * consoles, with the controllers' policies after its two passes (a copy of shared/legacy/, see
 * its README). Here as a simulator scenario, and the database copied where a test may convert it.
 */
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import type { ClientInput, PolicyInput, Scenario, SiteScenario } from '../../fixtures/simulator/index.ts';

export const REAL_DIR = fileURLToPath(new URL('../../fixtures/legacy/real-two-consoles/', import.meta.url));

/** Every console's default site has this uuid. */
export const SHARED_UUID = '88f7af54-98f8-306a-a1c7-c9349722b1f6';

/** The ports of the run that wrote the database, as its `controllers.host` has them. */
export const ORIGINAL_HOSTS = { home: '127.0.0.1:41737', office: '127.0.0.1:37463' } as const;
export const KEYS = { home: 'legacy-home-PLAINTEXT-key-0001', office: 'legacy-office-PLAINTEXT-key-0002' } as const;

type Console = keyof typeof KEYS;
type Policies = Record<string, Array<PolicyInput & { id: string }>>;

export const policiesAfter = (): Policies => JSON.parse(readFileSync(join(REAL_DIR, 'policies-after-legacy-tool.json'), 'utf8')) as Policies;
export const policiesBefore = (): Policies => JSON.parse(readFileSync(join(REAL_DIR, 'policies-before.json'), 'utf8')) as Policies;

const NAMES: Record<string, string> = { default: 'Default', branch: 'Branch', lab: 'Lab', hq: 'HQ', remote: 'Remote' };

/**
 * The connected clients of the run (home syncs clients, suffix home.arpa): their records are the
 * copies named `*.home.arpa` with TTL 3600; `tv.home.arpa` is the name the tool turned into
 * `tv-home-arpa.home.arpa`.
 */
const CLIENTS: Record<string, ClientInput[]> = {
  'home/default': [
    { name: 'laptop', ipAddress: '192.168.1.50' },
    { name: 'desk-pc', ipAddress: '192.168.1.51' },
    { name: 'tv.home.arpa', ipAddress: '192.168.1.52' },
  ],
  'home/branch': [{ name: 'phone', ipAddress: '192.168.2.30' }],
};

/**
 * The consoles as dnssync first meets them: the native policies and the tool's copies. Office's
 * remote site serves nas.home.lan and laptop.home.arpa locally: the tool's creates of them were
 * refused there (overlap), and logged CREATED all the same.
 */
export function realScenario(policies: Policies = policiesAfter()): Scenario {
  const sites: Record<Console, SiteScenario[]> = { home: [], office: [] };
  // Each console lists its default site first, as the consoles of the run did.
  const entries = Object.entries(policies).sort(([a], [b]) => Number(!a.includes('/default ')) - Number(!b.includes('/default ')));
  for (const [key, list] of entries) {
    const [where, id] = key.split(' ') as [string, string];
    const [console_, ref] = where.split('/') as [Console, string];
    sites[console_].push({
      id,
      internalReference: ref,
      name: NAMES[ref]!,
      policies: list,
      ...(CLIENTS[where] && { clients: CLIENTS[where] }),
      ...(where === 'office/remote' && { localDns: ['nas.home.lan', 'laptop.home.arpa'] }),
    });
  }
  // HTTPS, as the tool always spoke (https://{host}), with its default verify_ssl false.
  return { controllers: (['home', 'office'] as const).map((name) => ({ name, apiKey: KEYS[name], tls: true, sites: sites[name] })) };
}

/**
 * The real database copied to `path`, its controller hosts moved to the ports the simulator
 * listens on now (the only change: a console reached at another address).
 */
export function copyRealDb(path: string, hosts: Record<Console, string>): void {
  copyFileSync(join(REAL_DIR, 'dns_sync.db'), path);
  // As Python's sqlite3 wrote it: foreign keys not enforced.
  const db = new DatabaseSync(path, { enableForeignKeyConstraints: false });
  try {
    for (const name of ['home', 'office'] as const) {
      db.prepare('UPDATE controllers SET host = ? WHERE host = ?').run(hosts[name], ORIGINAL_HOSTS[name]);
      db.prepare('UPDATE sites SET controller_host = ? WHERE controller_host = ?').run(hosts[name], ORIGINAL_HOSTS[name]);
    }
  } finally {
    db.close();
  }
}

/** The legacy controllers.json of the run, at the simulator's ports. */
export function realControllersJson(hosts: Record<Console, string>): string {
  const config = JSON.parse(readFileSync(join(REAL_DIR, 'controllers.json'), 'utf8')) as Array<{ host: string }>;
  for (const c of config) c.host = c.host === ORIGINAL_HOSTS.home ? hosts.home : hosts.office;
  return JSON.stringify(config, null, 2);
}
