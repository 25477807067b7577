// Certificate trust: a self-signed controller is refused by default with its
// fingerprint in the message, and accepted by CA file, by pin, or by verify: false.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, afterEach, before, describe, test } from 'node:test';
import { TLS_CERT_FILE, startSimulator } from '../../fixtures/simulator/index.ts';
import type { ControllerInfo, Simulator } from '../../fixtures/simulator/index.ts';
import { UnifiError } from '../../src/unifi/errors.ts';
import { formatFingerprint } from '../../src/unifi/tls.ts';
import type { TlsConfig } from '../../src/config/types.ts';
import { makeClient } from './helpers.ts';

const FINGERPRINT = `sha256:${new X509Certificate(readFileSync(TLS_CERT_FILE)).fingerprint256}`;
const WRONG = `sha256:${'AB:'.repeat(31)}AB`;

let sim: Simulator;
let secure: ControllerInfo;
let plain: ControllerInfo;

before(async () => {
  sim = await startSimulator({
    controllers: [
      { name: 'secure', tls: true, apiKey: 'tls-key-00000000001', sites: [{ internalReference: 'default' }] },
      { name: 'plain', apiKey: 'plain-key-0000000001' },
    ],
  });
  secure = sim.controller('secure');
  plain = sim.controller('plain');
});
afterEach(() => sim.clearRequests());
after(() => sim.close());

async function infoWith(ctl: ControllerInfo, tls: Partial<TlsConfig>) {
  const client = makeClient(ctl, { tls });
  try {
    return await client.info();
  } finally {
    await client.close();
  }
}

async function tlsFailure(ctl: ControllerInfo, tls: Partial<TlsConfig>): Promise<UnifiError> {
  try {
    await infoWith(ctl, tls);
  } catch (error) {
    assert.ok(error instanceof UnifiError, String(error));
    assert.equal(error.kind, 'tls', error.message);
    return error;
  }
  assert.fail('expected a TLS error');
}

describe('TLS', () => {
  test('the fixture certificate fingerprint is the one its README gives', () => {
    assert.equal(FINGERPRINT, 'sha256:07:7D:1E:0C:BB:9B:B6:4E:D2:CA:23:D5:04:B8:33:A4:39:92:A0:2F:6E:A0:41:69:6F:21:91:61:23:17:8C:62');
  });

  test('a self-signed certificate is refused by default, naming its fingerprint and the ways to trust it', async () => {
    const error = await tlsFailure(secure, {});
    assert.ok(error.message.startsWith(`controller secure (${secure.url}): GET /v1/info: TLS certificate not trusted (the certificate is self-signed, DEPTH_ZERO_SELF_SIGNED_CERT)`), error.message);
    assert.ok(error.message.includes(FINGERPRINT), error.message);
    assert.match(error.message, /tls\.caFile.*tls\.fingerprint.*tls\.verify: false/);
    assert.equal(error.certFingerprint, FINGERPRINT);
    assert.equal(sim.requests({ controller: 'secure' }).length, 0, 'no request was sent');
  });

  test('caFile trusts the certificate', async () => {
    assert.equal((await infoWith(secure, { caFile: TLS_CERT_FILE })).applicationVersion, '10.1.89');
    assert.equal(sim.requests({ controller: 'secure' }).length, 1);
  });

  test('an unreadable caFile is a tls error for that controller', async () => {
    const error = await tlsFailure(secure, { caFile: '/nonexistent/ca.pem' });
    assert.match(error.message, /cannot read tls\.caFile \/nonexistent\/ca\.pem/);
  });

  test('the right fingerprint is accepted, in any spelling', async () => {
    assert.equal((await infoWith(secure, { fingerprint: FINGERPRINT })).applicationVersion, '10.1.89');
    const bare = FINGERPRINT.slice('sha256:'.length).replaceAll(':', '').toLowerCase();
    assert.equal((await infoWith(secure, { fingerprint: bare })).applicationVersion, '10.1.89');
    assert.equal(formatFingerprint(bare), FINGERPRINT);
  });

  test('a wrong fingerprint is refused, even with verify: false', async () => {
    for (const verify of [true, false]) {
      const error = await tlsFailure(secure, { verify, fingerprint: WRONG });
      assert.ok(error.message.includes(`presented ${FINGERPRINT}, which is not the pinned tls.fingerprint ${WRONG}`), error.message);
    }
    // Even a CA that trusts the certificate does not beat a wrong pin.
    await tlsFailure(secure, { caFile: TLS_CERT_FILE, fingerprint: WRONG });
    assert.equal(sim.requests({ controller: 'secure' }).length, 0);
  });

  test('verify: false accepts the certificate', async () => {
    assert.equal((await infoWith(secure, { verify: false })).applicationVersion, '10.1.89');
  });

  test('https to a plain HTTP port is a tls error', async () => {
    const error = await tlsFailure({ ...plain, url: plain.url.replace('http:', 'https:') }, { verify: false });
    assert.match(error.message, /TLS handshake with https:\/\/127\.0\.0\.1:\d+ failed/);
  });

  test('a TLS client keeps working over kept-alive connections', async () => {
    const client = makeClient(secure, { tls: { fingerprint: FINGERPRINT }, concurrency: 2 });
    try {
      for (let i = 0; i < 5; i++) await client.sites();
      await Promise.all([client.info(), client.info(), client.info()]);
      assert.equal(client.stats.requests, 8);
    } finally {
      await client.close();
    }
  });
});

describe('TLS: the wrong scheme for the port', () => {
  test('https:// on a plain HTTP port says so in one line, without OpenSSL internals', async () => {
    const wrong = { ...plain, url: plain.url.replace('http:', 'https:') };
    const error = await tlsFailure(wrong, {});
    assert.match(error.message, /the port answers plain HTTP, not HTTPS; use http:\/\/ or the controller's HTTPS port$/);
    assert.doesNotMatch(error.message, /\n|routines|openssl/);
  });

  test('http:// on an HTTPS port hints at https://', async () => {
    const wrong = { ...secure, url: secure.url.replace('https:', 'http:') };
    const client = makeClient(wrong, { retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });
    try {
      await assert.rejects(client.info(), (error: Error) => {
        assert.match(error.message, /closed the connection without an answer .*; if that port speaks HTTPS, use https:\/\/$/);
        assert.doesNotMatch(error.message, /\n/);
        return true;
      });
    } finally {
      await client.close();
    }
  });
});
