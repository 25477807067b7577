// A minimal Integration API client for the simulator tests: real HTTP(S) via
// global fetch, trusting the fixture certificate for HTTPS controllers.
import { readFileSync } from 'node:fs';
import { after, afterEach, before } from 'node:test';
import { Agent } from 'undici';
import { API_PREFIX, startSimulator, TLS_CERT_FILE } from '../../fixtures/simulator/index.ts';
import type { ControllerInfo, Scenario, Simulator } from '../../fixtures/simulator/index.ts';

export const TLS_CA = readFileSync(TLS_CERT_FILE);

/** Trusts only the fixture certificate; closed by the tests' `after`. */
export const tlsAgent = new Agent({ connect: { ca: TLS_CA } });

export interface CallOptions {
  body?: unknown;
  /** Raw body text, sent as is. */
  rawBody?: string;
  /** API key to send; default the controller's own, null sends none. */
  key?: string | null;
  timeoutMs?: number;
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

/** `path` is relative to the API prefix (`/v1/...`) unless it starts with `/__sim` or `/proxy`. */
export async function call(ctl: ControllerInfo, method: string, path: string, options: CallOptions = {}): Promise<Answer> {
  const full = path.startsWith('/v1/') ? `${API_PREFIX}${path}` : path;
  const headers: Record<string, string> = { accept: 'application/json' };
  const key = options.key === undefined ? ctl.apiKey : options.key;
  if (key !== null) headers['x-api-key'] = key;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers['content-type'] = 'application/json';
  const init: RequestInit & { dispatcher?: Agent } = {
    method,
    headers,
    ...(body !== undefined && { body }),
    ...(ctl.tls && { dispatcher: tlsAgent }),
    ...(options.timeoutMs !== undefined && { signal: AbortSignal.timeout(options.timeoutMs) }),
  };
  const res = await fetch(`${ctl.url}${full}`, init);
  const text = await res.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

export const SITE_A = '6f1c2d3e-0000-4000-8000-00000000000a';
export const SITE_B = '6f1c2d3e-0000-4000-8000-00000000000b';
export const SITE_C = '6f1c2d3e-0000-4000-8000-00000000000c';

/** Two controllers (alpha over HTTP, beta over HTTPS) on free ports. */
export function twoControllers(): Scenario {
  return {
    controllers: [
      {
        name: 'alpha',
        apiKey: 'alpha-key',
        sites: [
          {
            id: SITE_A,
            internalReference: 'default',
            name: 'Default',
            policies: [
              { type: 'A_RECORD', domain: 'nas.lan', ipv4Address: '192.168.1.10', ttlSeconds: 300 },
              { type: 'CNAME_RECORD', domain: 'files.lan', targetDomain: 'nas.lan' },
              { type: 'FORWARD_DOMAIN', domain: 'corp.example', ipAddress: '10.0.0.53' },
              { type: 'A_RECORD', domain: 'unifi.lan', ipv4Address: '192.168.1.1', metadata: { origin: 'SYSTEM_DEFINED' } },
            ],
            clients: [{ name: 'laptop', ipAddress: '192.168.1.50' }],
            localDns: ['printer.lan'],
          },
          { id: SITE_B, internalReference: 'branch', generate: [{ count: 60, domainPattern: 'host-{i}.branch.lan', ipv4Pattern: '10.2.{hi}.{lo}' }] },
        ],
      },
      {
        name: 'beta',
        tls: true,
        apiKey: 'beta-key',
        version: '10.2.105',
        sites: [{ id: SITE_C, internalReference: 'default', name: 'HQ' }],
      },
    ],
  };
}

export interface SharedSimulator {
  sim: Simulator;
  alpha: ControllerInfo;
  beta: ControllerInfo;
}

/**
 * The twoControllers() simulator of a test file: started before its tests (then handed to
 * `started`: root hooks of node:test do not wait for each other), every fault cleared after each
 * test, closed with the TLS agent after all.
 */
export function sharedSimulator(started: (shared: SharedSimulator) => void): void {
  const shared = {} as SharedSimulator;
  before(async () => {
    shared.sim = await startSimulator(twoControllers());
    shared.alpha = shared.sim.controller('alpha');
    shared.beta = shared.sim.controller('beta');
    started(shared);
  });
  afterEach(() => {
    for (const controller of ['alpha', 'beta']) {
      shared.sim.setFault({ controller }, null);
      for (const site of shared.sim.sites(controller)) shared.sim.setFault({ controller, site: site.id }, null);
    }
  });
  after(async () => {
    await shared.sim.close();
    await tlsAgent.close();
  });
}
