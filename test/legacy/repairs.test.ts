import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keyFingerprint } from '../../src/config/key.ts';
import { convertLegacy } from '../../src/legacy/convert.ts';
import type { LegacyData } from '../../src/legacy/read.ts';
import { canonicalId, legacyId } from './fixture.ts';

const AT = '2026-11-22T08:11:21.000Z';
const S1 = '11111111-0000-4000-8000-000000000001';
const S2 = '11111111-0000-4000-8000-000000000002';

function data(partial: Partial<LegacyData>): LegacyData {
  return {
    controllers: [{ host: 'Unifi.Example.COM', api_key: 'k-123', last_contact: null }],
    sites: [
      { uuid: S1, controller_host: 'Unifi.Example.COM', name: 'One', last_synced: null },
      { uuid: S2, controller_host: 'Unifi.Example.COM', name: 'Two', last_synced: null },
    ],
    records: [],
    origins: [],
    events: [],
    ...partial,
  };
}

describe('legacy repairs, one by one', () => {
  it('normalises the host as controllers.json does, and keeps only the key fingerprint', () => {
    const c = convertLegacy(data({}), AT);
    assert.deepEqual(c.controllers, [
      { host: 'unifi.example.com', name: 'unifi.example.com', url: 'https://unifi.example.com', keyFingerprint: keyFingerprint('k-123'), lastContact: null },
    ]);
    assert.ok(!JSON.stringify(c).includes('k-123'));
    assert.deepEqual(c.repairs.hostsNormalised, [{ from: 'Unifi.Example.COM', to: 'unifi.example.com' }]);
    assert.deepEqual(c.sites.map((s) => [s.controllerHost, s.uuid, s.firstSeen]), [
      ['unifi.example.com', S1, AT],
      ['unifi.example.com', S2, AT],
    ]);
  });

  it('rebuilds an A record from its columns when record_raw lacks its fields; skips a record_raw without them otherwise', () => {
    const c = convertLegacy(
      data({
        records: [
          { id: legacyId('A_RECORD', 'client-pc.home.arpa', '10.0.0.50'), type: 'A_RECORD', domain: 'client-pc.home.arpa', target: '10.0.0.50', record_raw: '{"name": "client-pc"}' },
          { id: legacyId('CNAME_RECORD', 'x.lan', null), type: 'CNAME_RECORD', domain: 'x.lan', target: null, record_raw: '{"type": "CNAME_RECORD", "domain": "x.lan"}' },
          { id: legacyId('MX_RECORD', 'mail.lan', null), type: 'MX_RECORD', domain: 'mail.lan', target: null, record_raw: '{"type": "MX_RECORD", "domain": "Mail.LAN.", "mailServerDomain": "MX1.lan.", "priority": 10, "enabled": false}' },
        ],
        origins: [
          { record_id: legacyId('MX_RECORD', 'mail.lan', null), site_uuid: S1, controller_host: null, first_seen: '2025-01-01 00:00:00.000001' },
        ],
      }),
      AT,
    );
    assert.deepEqual(
      c.records.map((r) => [r.record.type, r.record.domain, r.record.target, r.record.id]),
      [
        ['A_RECORD', 'client-pc.home.arpa', '10.0.0.50', canonicalId('A_RECORD', 'client-pc.home.arpa', '10.0.0.50')],
        ['MX_RECORD', 'mail.lan', '10 mx1.lan', canonicalId('MX_RECORD', 'mail.lan', '10 mx1.lan')],
      ],
    );
    assert.equal(c.repairs.rebuiltFromColumns, 1);
    assert.deepEqual(c.notImported.records.map((r) => [r.domain, r.reason]), [['x.lan', 'record_raw has no targetDomain']]);
    // MX has no ttlSeconds; enabled comes from record_raw.
    assert.deepEqual(c.origins.map((o) => o.attributes), [{ enabled: false }]);
  });

  it('reads the later legacy schema, whose origins and events name the controller, and drops unknown statuses', () => {
    const id = legacyId('A_RECORD', 'a.lan', '10.0.0.1');
    const c = convertLegacy(
      data({
        controllers: [
          { host: 'one.lan', api_key: 'k1', last_contact: '2025-01-01 00:00:00' },
          { host: 'two.lan', api_key: null, last_contact: 'not a time' },
        ],
        // Both consoles' default sites share a uuid: only the controller tells them apart.
        sites: [
          { uuid: S1, controller_host: 'one.lan', name: 'Default', last_synced: null },
          { uuid: S1, controller_host: 'two.lan', name: 'Default', last_synced: null },
        ],
        records: [{ id, type: 'A_RECORD', domain: 'a.lan', target: '10.0.0.1', record_raw: '{"type": "A_RECORD", "domain": "a.lan", "ipv4Address": "10.0.0.1", "enabled": true, "ttlSeconds": 60}' }],
        origins: [
          { record_id: id, site_uuid: S1, controller_host: 'one.lan', first_seen: '2025-01-01 00:00:01' },
          { record_id: id, site_uuid: S1, controller_host: 'two.lan', first_seen: '2025-01-01 00:00:03' },
        ],
        events: [
          { id: 1, record_id: id, site_uuid: S1, controller_host: 'one.lan', status: 'DISCOVERY', timestamp: '2025-01-01 00:00:01' },
          { id: 2, record_id: id, site_uuid: S1, controller_host: 'two.lan', status: 'CREATED', timestamp: '2025-01-01 00:00:02' },
          { id: 3, record_id: id, site_uuid: S1, controller_host: 'two.lan', status: 'DISCOVERY', timestamp: '2025-01-01 00:00:03' },
          { id: 4, record_id: id, site_uuid: S1, controller_host: 'one.lan', status: 'ERROR', timestamp: '2025-01-01 00:00:04' },
          { id: 5, record_id: id, site_uuid: S1, controller_host: 'one.lan', status: 'DISCOVERY', timestamp: 'garbage' },
        ],
      }),
      AT,
    );
    assert.deepEqual(c.origins.map((o) => [o.siteKey, o.firstSeen, o.attributes]), [[`one.lan\n${S1}`, '2025-01-01T00:00:01.000Z', { enabled: true, ttlSeconds: 60 }]]);
    assert.deepEqual(c.replicas, [{ recordId: canonicalId('A_RECORD', 'a.lan', '10.0.0.1'), siteKey: `two.lan\n${S1}`, createdAt: '2025-01-01T00:00:02.000Z' }]);
    assert.equal(c.repairs.copiesToReplicas, 1);
    assert.equal(c.repairs.keysDropped, 1);
    assert.deepEqual(c.notImported.events, { "unknown status 'ERROR'": 1 });
    assert.equal(c.notImported.unreadableTimestamps, 1);
    // Oldest first; the event of unreadable time last, dated at the conversion.
    assert.deepEqual(c.events.map((e) => [e.status, e.timestamp]), [
      ['DISCOVERED', '2025-01-01T00:00:01.000Z'],
      ['CREATED', '2025-01-01T00:00:02.000Z'],
      ['DISCOVERED', '2025-01-01T00:00:03.000Z'],
      ['DISCOVERED', AT],
    ]);
    assert.deepEqual(c.controllers.map((x) => [x.host, x.keyFingerprint, x.lastContact]), [
      ['one.lan', keyFingerprint('k1'), '2025-01-01T00:00:00.000Z'],
      ['two.lan', null, null],
    ]);
  });
});
