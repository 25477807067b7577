import type { Site } from '../domain/policy.ts';
import { UnifiError } from '../unifi/errors.ts';
import { versionProblem } from './discover.ts';

/** The two reads a probe makes: the first two a sync's discovery makes. */
export interface ProbeClient {
  info(): Promise<{ applicationVersion: string }>;
  sites(): Promise<Site[]>;
}

export type Probe =
  | { status: 'ok'; version: string; sites: Site[] }
  | { status: 'failed'; version: string | null; error: string };

/**
 * `check --online` for one controller: reachable, TLS trusted, key accepted, a Network version
 * with the DNS policy API, and its sites listed. Only reads, so it is safe against production.
 */
export async function probeController(client: ProbeClient): Promise<Probe> {
  let version: string | null = null;
  try {
    version = (await client.info()).applicationVersion;
    const tooOld = versionProblem(version);
    if (tooOld) return { status: 'failed', version, error: tooOld };
    const sites = await client.sites();
    if (sites.length === 0) return { status: 'failed', version, error: 'the controller lists no site' };
    return { status: 'ok', version, sites };
  } catch (error) {
    // The line is already about this controller: its name and URL are not repeated.
    return { status: 'failed', version, error: error instanceof UnifiError ? error.problem : (error as Error).message };
  }
}
