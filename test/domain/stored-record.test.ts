import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { recordOf } from '../../src/domain/record.ts';
import { recordOfRow, recordRaw, text, type StoredRow } from '../../src/domain/stored-record.ts';
import { convertLegacy } from '../../src/legacy/convert.ts';
import type { DnsPolicyBody } from '../../src/domain/policy.ts';

/**
 * A stored row's record, as the legacy conversion and every repair check tell it. Where the old
 * conversion (legacy/records.ts identify) and the old repair (repair/identity.ts canonicalOf)
 * told it differently, the case's name says what each did.
 */

type Expected = { policy: DnsPolicyBody; from: 'record_raw' | 'columns' } | { reason: string };

const json = (value: unknown) => JSON.stringify(value);
const row = (type: string | null, domain: string | null, target: string | null, record_raw: StoredRow['record_raw']): StoredRow => ({ type, domain, target, record_raw });

const CASES: Array<[string, StoredRow, Expected]> = [
  [
    'a row as sync writes it',
    row('A_RECORD', 'nas.home', '10.0.0.5', json({ type: 'A_RECORD', domain: 'nas.home', ipv4Address: '10.0.0.5' })),
    { policy: { type: 'A_RECORD', domain: 'nas.home', ipv4Address: '10.0.0.5', enabled: true }, from: 'record_raw' },
  ],
  [
    "the legacy tool's row: NULL target, the API body with case, trailing dots, id and metadata",
    row('CNAME_RECORD', 'WWW.Home.', null, json({ id: '65f1', type: 'CNAME_RECORD', domain: 'WWW.Home.', targetDomain: 'NAS.home.', enabled: false, metadata: { origin: 'USER_DEFINED' } })),
    { policy: { type: 'CNAME_RECORD', domain: 'www.home', targetDomain: 'nas.home', enabled: true }, from: 'record_raw' },
  ],
  [
    'AAAA in record_raw, not compressed',
    row('AAAA_RECORD', 'v6.home', null, json({ type: 'AAAA_RECORD', domain: 'v6.home', ipv6Address: 'FD00:0:0:0:0:0:0:5' })),
    { policy: { type: 'AAAA_RECORD', domain: 'v6.home', ipv6Address: 'fd00::5', enabled: true }, from: 'record_raw' },
  ],
  [
    'record_raw stored as a blob',
    row('TXT_RECORD', 'txt.home', null, new TextEncoder().encode(json({ type: 'TXT_RECORD', domain: 'txt.home', text: 'v=spf1 -all' }))),
    { policy: { type: 'TXT_RECORD', domain: 'txt.home', text: 'v=spf1 -all', enabled: true }, from: 'record_raw' },
  ],
  [
    'A from its columns when record_raw is no JSON (both agreed)',
    row('A_RECORD', 'Pc.Home', '10.0.0.50', '{"type": "A_RE'),
    { policy: { type: 'A_RECORD', domain: 'pc.home', ipv4Address: '10.0.0.50', enabled: true }, from: 'columns' },
  ],
  [
    'CNAME from its columns, record_raw empty (old conversion: not imported; old repair: the CNAME)',
    row('CNAME_RECORD', 'www.home', 'nas.home', null),
    { policy: { type: 'CNAME_RECORD', domain: 'www.home', targetDomain: 'nas.home', enabled: true }, from: 'columns' },
  ],
  [
    'MX from its columns, as sync writes its target',
    row('MX_RECORD', 'mail.home', '10 mx.home', ''),
    { policy: { type: 'MX_RECORD', domain: 'mail.home', mailServerDomain: 'mx.home', priority: 10, enabled: true }, from: 'columns' },
  ],
  [
    'SRV from its columns, as sync writes its target',
    row('SRV_RECORD', '_sip._tcp.home', '_sip _tcp 10 5 5060 sip.home', null),
    {
      policy: { type: 'SRV_RECORD', domain: '_sip._tcp.home', service: '_sip', protocol: '_tcp', priority: 10, weight: 5, port: 5060, serverDomain: 'sip.home', enabled: true },
      from: 'columns',
    },
  ],
  [
    "A whose target is 'None' and no record_raw (old conversion: an A record to 'None'; old repair: none)",
    row('A_RECORD', 'odd.home', 'None', null),
    { reason: "record_raw is empty, and target is 'None'" },
  ],
  [
    'A whose target is blank (old repair: an A record with an empty target; old conversion: none)',
    row('A_RECORD', 'blank.home', '  ', null),
    { reason: "record_raw is empty, and target is '  '" },
  ],
  [
    'FORWARD_DOMAIN in record_raw, an A record in the columns (old repair: the A record; old conversion: none)',
    row('A_RECORD', 'corp.lan', '10.0.0.1', json({ type: 'FORWARD_DOMAIN', domain: 'corp.lan', ipAddress: '10.0.0.1' })),
    { reason: 'FORWARD_DOMAIN is never synced' },
  ],
  [
    'a type padded with spaces in record_raw (old conversion: trimmed and imported; old repair: none)',
    row(null, null, null, json({ type: ' A_RECORD ', domain: 'pad.home', ipv4Address: '10.0.0.9' })),
    { reason: 'type  A_RECORD  is not a DNS record type dnssync syncs' },
  ],
  [
    'record_raw without its target, target NULL',
    row('CNAME_RECORD', 'x.lan', null, json({ type: 'CNAME_RECORD', domain: 'x.lan' })),
    { reason: 'record_raw has no targetDomain' },
  ],
  [
    "record_raw without its target, target 'None'",
    row('CNAME_RECORD', 'x.lan', 'None', json({ type: 'CNAME_RECORD', domain: 'x.lan' })),
    { reason: "record_raw has no targetDomain, and target is 'None'" },
  ],
  [
    'a number written as text in record_raw',
    row('MX_RECORD', 'mail.lan', null, json({ type: 'MX_RECORD', domain: 'mail.lan', mailServerDomain: 'mx.lan', priority: '10' })),
    { reason: 'record_raw has no priority' },
  ],
  ['record_raw that is no object', row('TXT_RECORD', 't.lan', null, '[1, 2]'), { reason: 'record_raw is not a JSON object' }],
  ['a domain of dots only', row(null, null, null, json({ type: 'A_RECORD', domain: '..', ipv4Address: '10.0.0.1' })), { reason: 'record_raw has no domain' }],
  [
    'an MX target that is not "priority server"',
    row('MX_RECORD', 'mail.lan', 'mx.lan', null),
    { reason: `record_raw is empty, and MX target 'mx.lan' is not "priority server"` },
  ],
];

describe('the record of a stored row', () => {
  for (const [name, stored, expected] of CASES) {
    it(name, () => {
      const found = recordOfRow(stored);
      if ('reason' in expected) {
        assert.deepEqual(found, { ok: false, reason: expected.reason });
        return;
      }
      // Exactly the record sync makes of the policy (id, canonical target and fields included).
      assert.deepEqual(found, { ok: true, record: recordOf(expected.policy), from: expected.from });
    });
  }

  it('the legacy conversion tells every row the same', () => {
    for (const [name, stored, expected] of CASES) {
      const c = convertLegacy(
        { controllers: [], sites: [], records: [{ id: 'legacy-id', ...stored }], origins: [], events: [] },
        '2026-11-22T08:11:21.000Z',
      );
      if ('reason' in expected) {
        assert.deepEqual(c.records, [], name);
        assert.equal(c.notImported.records[0]?.reason, expected.reason, name);
      } else {
        assert.deepEqual(c.records.map((r) => r.record), [recordOf(expected.policy)], name);
        assert.equal(c.repairs.rebuiltFromColumns, expected.from === 'columns' ? 1 : 0, name);
      }
    }
  });
});

describe('record_raw as sync writes it', () => {
  it('holds the identity fields alone, canonical, and reads back as the same record', () => {
    const record = recordOf({ type: 'MX_RECORD', domain: 'Mail.Home.', mailServerDomain: 'MX.home.', priority: 10, enabled: false, id: 'p-1' } as DnsPolicyBody)!;
    const raw = recordRaw(record);
    assert.deepEqual(JSON.parse(raw), { type: 'MX_RECORD', domain: 'mail.home', mailServerDomain: 'mx.home', priority: 10 });
    assert.deepEqual(recordOfRow(row(null, null, null, raw)), { ok: true, record, from: 'record_raw' });
  });
});

describe('a stored value as text', () => {
  it('keeps text, writes numbers as SQLite holds them, decodes blobs as UTF-8, and keeps NULL apart', () => {
    assert.equal(text('nas.home'), 'nas.home');
    assert.equal(text(''), '');
    assert.equal(text(10), '10');
    assert.equal(text(2.5), '2.5');
    assert.equal(text(9007199254740993n), '9007199254740993');
    assert.equal(text(new TextEncoder().encode('ünï')), 'ünï');
    assert.equal(text(null), null);
    assert.equal(text(undefined), null);
  });
});
