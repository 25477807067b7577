import { DnssyncError } from '../domain/errors.ts';
import { OVERLAP_CODES } from '../domain/policy.ts';

export type UnifiErrorKind = 'http' | 'timeout' | 'network' | 'tls' | 'malformed';

/** Which request an error is about: every UnifiError message starts with it. */
export interface RequestRef {
  /** The controller's name (config label). */
  controller: string;
  /** The controller's URL (origin), shown beside the name. */
  url: string;
  method: string;
  /** API path without the `/proxy/network/integration` prefix and without the query, e.g. `/v1/sites/{id}/dns/policies`. */
  path: string;
  /** The site id named in the path, if any. */
  siteId?: string;
}

export interface UnifiErrorDetails {
  status?: number;
  /** The `code` of the API's Error Message body, e.g. `api.dns.policy.validation.overlap-with-local-dns`. */
  code?: string;
  /** The `message` of the API's Error Message body. */
  apiMessage?: string;
  ambiguous?: boolean;
  /** TLS failures: the presented certificate's SHA-256 fingerprint, `sha256:AB:CD:...`. */
  certFingerprint?: string;
  cause?: unknown;
}

/**
 * A failed request to a controller. The message is one line:
 * `controller NAME (URL): METHOD PATH: what is wrong`; `problem` is the last part alone
 * (short enough for an event's reason). Never carries the API key.
 */
export class UnifiError extends DnssyncError {
  override name = 'UnifiError';
  readonly kind: UnifiErrorKind;
  readonly status?: number;
  readonly code?: string;
  readonly apiMessage?: string;
  readonly controller: string;
  readonly url: string;
  readonly method: string;
  readonly path: string;
  readonly siteId?: string;
  /** A write that may have reached the controller without an answer (timeout or reset after sending): the caller must not assume it failed. */
  readonly ambiguous: boolean;
  readonly problem: string;
  readonly certFingerprint?: string;

  constructor(kind: UnifiErrorKind, ref: RequestRef, problem: string, details: UnifiErrorDetails = {}) {
    super(`controller ${ref.controller} (${ref.url}): ${ref.method} ${ref.path}: ${problem}`, details.cause === undefined ? undefined : { cause: details.cause });
    this.kind = kind;
    this.problem = problem;
    this.controller = ref.controller;
    this.url = ref.url;
    this.method = ref.method;
    this.path = ref.path;
    if (ref.siteId !== undefined) this.siteId = ref.siteId;
    if (details.status !== undefined) this.status = details.status;
    if (details.code !== undefined) this.code = details.code;
    if (details.apiMessage !== undefined) this.apiMessage = details.apiMessage;
    if (details.certFingerprint !== undefined) this.certFingerprint = details.certFingerprint;
    this.ambiguous = details.ambiguous ?? false;
  }

  /** True for a create refused because the name is already served locally or is a CNAME alias (SPEC 4.4: a skip). */
  get isOverlap(): boolean {
    return this.kind === 'http' && this.status === 400 && (OVERLAP_CODES as readonly (string | undefined)[]).includes(this.code);
  }
}

/** A write that was never sent because the run is stopping (SIGTERM/SIGINT): certainly not applied. */
export class WriteNotSentError extends DnssyncError {
  override name = 'WriteNotSentError';
  readonly notSent = true;
}
