// The UniFi Network Integration API client dnssync uses: one per controller.
import type { ControllerConfig } from '../config/types.ts';
import { policyBodyBytes } from './body.ts';
import { UnifiError } from './errors.ts';
import { readAll, readListing, type Listing } from './paging.ts';
import { Transport } from './transport.ts';
import type { TransportOptions, TransportStats } from './transport.ts';
import type { Client, DnsPolicy, DnsPolicyBody, Site } from '../domain/policy.ts';
import { ShapeProblem, checkClient, checkInfo, checkPolicy, checkSite } from './validate.ts';

/** The controller, its concurrency and timeout, and how to log, retry and stop (see TransportOptions). */
export type UnifiClientOptions = TransportOptions;

export class UnifiClient {
  readonly controller: ControllerConfig;
  private readonly transport: Transport;

  constructor(options: UnifiClientOptions) {
    this.controller = options.controller;
    this.transport = new Transport(options);
  }

  /** Requests sent (retries included), retries, and the most requests in flight at once. */
  get stats(): Readonly<TransportStats> {
    return this.transport.stats;
  }

  async info(): Promise<{ applicationVersion: string }> {
    const req = { method: 'GET', path: '/v1/info', expect: [200], json: true } as const;
    const body = await this.transport.call(req);
    return this.checked(req, () => checkInfo(body));
  }

  sites(): Promise<Site[]> {
    return readAll(this.transport, { path: '/v1/sites', noun: 'site', nouns: 'sites', check: checkSite });
  }

  /** Every policy of the site, of every type and origin, as the controller returns them (validated). */
  policies(siteId: string): Promise<DnsPolicy[]> {
    return readAll(this.transport, this.policyList(siteId));
  }

  /**
   * The same listing with its fingerprint, each policy turned by `keep` into what the caller keeps
   * of it; `deferred`: only once `items()` asks (paging.ts readListing).
   */
  policyListing<U>(siteId: string, keep: (policy: DnsPolicy) => U, deferred: boolean): Promise<Listing<U>> {
    return readListing(this.transport, this.policyList(siteId), keep, deferred);
  }

  /**
   * One policy by id (validated), or null when the controller says it has no such policy. A listing
   * can leave a policy out without any error; this is how a missing one is confirmed gone.
   */
  async policy(siteId: string, policyId: string): Promise<DnsPolicy | null> {
    const req = { method: 'GET', path: `${policiesPath(siteId)}/${enc(policyId)}`, siteId, expect: [200], json: true } as const;
    let answer: unknown;
    try {
      answer = await this.transport.call(req);
    } catch (error) {
      if (error instanceof UnifiError && isPolicyNotFound(error)) return null;
      throw error;
    }
    const policy = this.checked(req, () => checkPolicy(answer, 'policy'));
    if (policy.id !== policyId) throw this.transport.error('malformed', req, `asked for policy ${policyId}, the controller answered policy ${policy.id}`);
    return policy;
  }

  clients(siteId: string): Promise<Client[]> {
    return readAll(this.transport, { path: `/v1/sites/${enc(siteId)}/clients`, siteId, noun: 'client', nouns: 'clients', check: checkClient });
  }

  /** POST; the created policy as the controller answered it (201). Never retried except after 429. */
  async createPolicy(siteId: string, body: DnsPolicyBody): Promise<DnsPolicy> {
    const req = { method: 'POST', path: policiesPath(siteId), siteId, body: policyBodyBytes(body), expect: [201, 200], json: true } as const;
    const answer = await this.transport.call(req);
    return this.checked(req, () => checkPolicy(answer, 'created policy'), true);
  }

  /** PUT; the updated policy as the controller answered it (200). */
  async updatePolicy(siteId: string, policyId: string, body: DnsPolicyBody): Promise<DnsPolicy> {
    const req = { method: 'PUT', path: `${policiesPath(siteId)}/${enc(policyId)}`, siteId, body: policyBodyBytes(body), expect: [200], json: true } as const;
    const answer = await this.transport.call(req);
    return this.checked(req, () => checkPolicy(answer, 'updated policy'), true);
  }

  /** DELETE (200). A 404 after a retried attempt counts as done: the first one was applied. */
  async deletePolicy(siteId: string, policyId: string): Promise<void> {
    await this.transport.call({ method: 'DELETE', path: `${policiesPath(siteId)}/${enc(policyId)}`, siteId, expect: [200, 204], json: false });
  }

  private policyList(siteId: string) {
    return { path: policiesPath(siteId), siteId, noun: 'policy', nouns: 'policies', check: checkPolicy };
  }

  /** Closes the connections once the requests in flight are done. */
  close(): Promise<void> {
    return this.transport.close();
  }

  /** Runs a shape check, turning its problem into a `malformed` UnifiError for `req`. */
  private checked<T>(req: { method: string; path: string; siteId?: string }, check: () => T, write = false): T {
    try {
      return check();
    } catch (error) {
      // A write whose answer does not make sense was still applied.
      if (error instanceof ShapeProblem) throw this.transport.error('malformed', req, error.message, { ambiguous: write });
      throw error;
    }
  }
}

/**
 * A 404 that says this policy does not exist: an API Error Message with a not-found code. Which
 * code real firmware uses is not established (the simulator's `api.dns.policy.not-found` is a
 * stand-in), so any `*.not-found` counts, except the two that mean something else is missing: no
 * such endpoint (wrong URL, firmware before 10.1) and no such site. A 404 without such a body, from
 * a proxy or a login page, proves nothing and stays an error.
 */
function isPolicyNotFound(error: UnifiError): boolean {
  const code = error.code ?? '';
  return error.kind === 'http' && error.status === 404 && code.endsWith('.not-found') && !code.startsWith('api.request.') && code !== 'api.site.not-found';
}

const enc = encodeURIComponent;
// Made once a site: an initial sync sends 400,000 requests to 200 sites (issue 13).
const paths = new Map<string, string>();
function policiesPath(siteId: string): string {
  let path = paths.get(siteId);
  if (path === undefined) {
    path = `/v1/sites/${enc(siteId)}/dns/policies`;
    paths.set(siteId, path);
  }
  return path;
}
