// The TLS side of a controller connection. Every HTTPS socket is opened with
// rejectUnauthorized: false and then judged here, before undici sends a byte on
// it: that way a refusal can name the certificate the controller presented
// (its SHA-256 fingerprint), and a pinned certificate can be accepted whatever
// its chain and names (Node skips checkServerIdentity when the chain fails).
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { buildConnector, type Connector } from './undici.ts';
import type { TlsConfig } from '../config/types.ts';

/** A connection refused because of its certificate; undici hands it to the request unchanged. */
export class TlsRefusal extends Error {
  override name = 'TlsRefusal';
  /** `sha256:AB:CD:...` of the presented certificate, when there was one. */
  readonly fingerprint: string | undefined;

  constructor(message: string, fingerprint: string | undefined) {
    super(message);
    this.fingerprint = fingerprint;
  }
}

/** `sha256:AB:CD:...` (the config's format) from Node's `AB:CD:...`, or from bare hex. */
export function formatFingerprint(value: string): string {
  const hex = value.replace(/^sha256:/i, '').replace(/[^0-9a-f]/gi, '').toUpperCase();
  return `sha256:${hex.match(/../g)?.join(':') ?? ''}`;
}

const REASONS: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the certificate is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'the certificate chain ends in a self-signed certificate that is not trusted',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the certificate is issued by an unknown CA',
  UNABLE_TO_GET_ISSUER_CERT: 'the certificate is issued by an unknown CA',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'the certificate is issued by an unknown CA',
  CERT_HAS_EXPIRED: 'the certificate has expired',
  CERT_NOT_YET_VALID: 'the certificate is not valid yet',
  ERR_TLS_CERT_ALTNAME_INVALID: 'the certificate does not name this host',
};

const ADVICE = 'set tls.caFile to its CA (or the certificate itself), tls.fingerprint to pin it, or tls.verify: false to skip the check';

/** Why the socket's certificate is not acceptable under `tls`, or null when it is. */
export function judgeCertificate(socket: TLSSocket, tls: TlsConfig, host: string): TlsRefusal | null {
  const cert = socket.getPeerCertificate();
  const presented = cert && typeof cert.fingerprint256 === 'string' && cert.fingerprint256 !== '' ? formatFingerprint(cert.fingerprint256) : undefined;
  if (tls.fingerprint) {
    const pinned = formatFingerprint(tls.fingerprint);
    if (presented === pinned) return null;
    return new TlsRefusal(
      presented
        ? `TLS certificate refused: ${host} presented ${presented}, which is not the pinned tls.fingerprint ${pinned}; if the controller's certificate was replaced on purpose, update tls.fingerprint`
        : `TLS certificate refused: ${host} presented no certificate to compare with the pinned tls.fingerprint ${pinned}`,
      presented,
    );
  }
  if (!tls.verify || socket.authorized) return null;
  const code = String(socket.authorizationError ?? 'unknown error');
  const why = REASONS[code] ?? 'the certificate could not be verified';
  const shown = presented ? `${host} presented ${presented}` : `${host} presented no certificate`;
  return new TlsRefusal(`TLS certificate not trusted (${why}, ${code}): ${shown}; ${ADVICE}`, presented);
}

/**
 * An undici `connect` function: plain TCP for http:, and for https: a TLS socket
 * that is handed on only once judgeCertificate accepts it. `ca` is the content
 * of tls.caFile (read once by the caller).
 */
export function buildTlsConnector(tls: TlsConfig, ca: Buffer | undefined, connectTimeoutMs: number): Connector {
  const base = buildConnector({
    rejectUnauthorized: false,
    ...(ca && { ca }),
    timeout: connectTimeoutMs,
    // No session resumption: a resumed session would skip the identity check.
    maxCachedSessions: 0,
    keepAlive: true,
  });
  return (options, callback) => {
    base(options, (error: Error | null, socket: Socket | TLSSocket | null) => {
      if (error || !socket) return callback(error ?? new Error('connection failed'), null);
      if (!(socket instanceof TLSSocket)) return callback(null, socket);
      const refusal = judgeCertificate(socket, tls, options.host ?? options.hostname);
      if (refusal) {
        socket.destroy();
        return callback(refusal, null);
      }
      callback(null, socket);
    });
  };
}
