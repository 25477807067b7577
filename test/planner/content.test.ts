import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Client, DnsPolicy } from '../../src/domain/policy.ts';
import type { ClientRecordsConfig } from '../../src/config/types.ts';
import { recordId, recordOf } from '../../src/domain/record.ts';
import { clientRecord, contentOf, legacyClientRecord, policyItem, RecordCatalogue } from '../../src/planner/content.ts';

/** A site's content from raw policies, as discovery makes it page by page. */
const siteContent = (policies: DnsPolicy[], clients: Client[], clientRecords: ClientRecordsConfig, catalogue: RecordCatalogue) =>
  contentOf(policies.map((p) => policyItem(p, catalogue)), clients, clientRecords, catalogue);

const client = (name: string | undefined, ipAddress: string | undefined): Client => ({
  id: `client-${name ?? 'none'}`,
  type: 'WIRED',
  ...(name !== undefined && { name }),
  ...(ipAddress !== undefined && { ipAddress }),
});

describe("clientRecord: dnssync's own naming rule for client-derived records", () => {
  // [client name, address, suffix, expected domain or null]
  const cases: Array<[name: string | undefined, ip: string | undefined, suffix: string, domain: string | null]> = [
    ['laptop', '10.0.0.5', 'home.arpa', 'laptop.home.arpa'],
    ['Laptop', '10.0.0.5', 'home.arpa', 'laptop.home.arpa'],
    ['LAPTOP-01', '10.0.0.5', 'home.arpa', 'laptop-01.home.arpa'],
    // The suffix is not added twice, whatever the case of the name.
    ['laptop.home.arpa', '10.0.0.5', 'home.arpa', 'laptop.home.arpa'],
    ['Laptop.HOME.Arpa', '10.0.0.5', 'home.arpa', 'laptop.home.arpa'],
    // Only a whole-label suffix counts: "xhome.arpa" does not end with ".home.arpa".
    ['xhome.arpa', '10.0.0.5', 'home.arpa', 'xhome-arpa.home.arpa'],
    // Characters outside [a-z0-9-] become '-'; dots of the name too.
    ["John's iPhone", '10.0.0.6', 'home.arpa', 'john-s-iphone.home.arpa'],
    ['my.host', '10.0.0.7', 'home.arpa', 'my-host.home.arpa'],
    ['printer_2 (office)', '10.0.0.8', 'lan', 'printer-2--office.lan'],
    ['Café', '10.0.0.9', 'lan', 'caf.lan'],
    // Leading and trailing '-' are stripped (after the replacement), inner ones kept.
    ['--weird--', '10.0.0.10', 'lan', 'weird.lan'],
    ['(tv)', '10.0.0.11', 'lan', 'tv.lan'],
    ['  Spaced Name  ', '10.0.0.12', 'lan', 'spaced-name.lan'],
    ['a--b', '10.0.0.13', 'lan', 'a--b.lan'],
    // Empty suffix: the bare label.
    ['laptop', '10.0.0.5', '', 'laptop'],
    ['Laptop.lan', '10.0.0.5', '', 'laptop-lan'],
    // Nothing left of the name: no record.
    ['***', '10.0.0.5', 'lan', null],
    ['---', '10.0.0.5', 'lan', null],
    ['.home.arpa', '10.0.0.5', 'home.arpa', null],
    ['', '10.0.0.5', 'lan', null],
    [undefined, '10.0.0.5', 'lan', null],
    // No IPv4 address: no record.
    ['laptop', undefined, 'lan', null],
    ['laptop', '', 'lan', null],
    ['laptop', '2001:db8::1', 'lan', null],
    ['laptop', '10.0.0.256', 'lan', null],
    ['laptop', '10.0.0', 'lan', null],
    ['laptop', '10.0.0.1.2', 'lan', null],
    ['laptop', ' 10.0.0.1', 'lan', null],
    ['laptop', '10.0.0.1/24', 'lan', null],
    ['laptop', 'host.lan', 'lan', null],
    // The edges of the IPv4 range are addresses.
    ['zero', '0.0.0.0', 'lan', 'zero.lan'],
    ['top', '255.255.255.255', 'lan', 'top.lan'],
    ['mid', '192.168.249.199', 'lan', 'mid.lan'],
  ];

  for (const [name, ip, suffix, domain] of cases) {
    it(`${JSON.stringify(name)} ${JSON.stringify(ip)} suffix ${JSON.stringify(suffix)} → ${domain ?? 'null'}`, () => {
      const record = clientRecord(client(name, ip), suffix);
      if (domain === null) {
        assert.equal(record, null);
        return;
      }
      assert.ok(record);
      assert.equal(record.type, 'A_RECORD');
      assert.equal(record.domain, domain);
      assert.equal(record.target, ip);
      assert.equal(record.id, recordId('A_RECORD', domain, ip!));
      assert.deepEqual(record.fields, { type: 'A_RECORD', domain, ipv4Address: ip });
    });
  }

  it('gives the record that a policy with the same name and address holds (one identity)', () => {
    const fromClient = clientRecord(client('NAS', '10.0.0.20'), 'home.arpa');
    const fromPolicy = recordOf({ type: 'A_RECORD', enabled: false, domain: 'Nas.Home.Arpa.', ipv4Address: '10.0.0.20', ttlSeconds: 600 });
    assert.deepEqual(fromClient, fromPolicy);
  });
});

describe("legacyClientRecord: the legacy tool's rule as it ran (controllers.json)", () => {
  const named = (fields: Partial<Client>): Client => ({ id: 'c', type: 'WIRED', ipAddress: '10.0.0.5', ...fields });
  // [client fields, suffix, expected domain or null]
  const cases: Array<[fields: Partial<Client>, suffix: string, domain: string | null]> = [
    [{ name: 'laptop' }, 'home.arpa', 'laptop.home.arpa'],
    [{ name: 'Laptop' }, 'home.arpa', 'laptop.home.arpa'],
    // Dots become '-' before the suffix is looked at: the suffix is added to a name that had it.
    [{ name: 'tv.home.arpa' }, 'home.arpa', 'tv-home-arpa.home.arpa'],
    [{ name: 'Laptop.HOME.Arpa' }, 'home.arpa', 'laptop-home-arpa.home.arpa'],
    // A dotless suffix that is the whole name is not added.
    [{ name: 'lan' }, 'lan', 'lan'],
    [{ name: "John's iPhone" }, 'home.arpa', 'john-s-iphone.home.arpa'],
    [{ name: 'Café' }, 'lan', 'caf.lan'],
    [{ name: '--x--' }, 'lan', 'x.lan'],
    // name, else hostname, else displayName; an empty name counts as none.
    [{ name: '', hostname: 'desk-pc', displayName: 'Desk' }, 'home.arpa', 'desk-pc.home.arpa'],
    [{ displayName: 'Living Room TV' }, 'home.arpa', 'living-room-tv.home.arpa'],
    // No suffix configured: the bare name (sync_dhcp_clients without domain_suffix).
    [{ name: 'nas' }, '', 'nas'],
    [{ name: '***' }, 'lan', null],
    [{ name: 'phone', ipAddress: '2001:db8::5' }, 'lan', null],
    [{ name: 'phone', ipAddress: undefined }, 'lan', null],
  ];
  for (const [fields, suffix, domain] of cases) {
    it(`${JSON.stringify(fields)} with suffix '${suffix}' → ${domain}`, () => {
      const record = legacyClientRecord(named(fields), suffix);
      assert.equal(record?.domain ?? null, domain);
      if (record) assert.equal(record.target, fields.ipAddress ?? '10.0.0.5');
    });
  }

  it('gives the TTL of the copies the tool made (3600), so that an upgrade rewrites none', () => {
    const content = siteContent([], [named({ name: 'tv.home.arpa' })], { enabled: true, domainSuffix: 'home.arpa', naming: 'legacy' }, new RecordCatalogue());
    assert.deepEqual(
      content.derived.map((d) => [d.record.domain, d.attributes]),
      [['tv-home-arpa.home.arpa', { enabled: true, ttlSeconds: 3600 }]],
    );
  });
});

const policy = (id: string, fields: Omit<DnsPolicy, 'id' | 'enabled'> & { enabled?: boolean }): DnsPolicy => ({ id, enabled: true, ...fields });

describe('siteContent', () => {
  const noClients = { enabled: false, domainSuffix: '' };

  describe('which policies are considered (SPEC §4.1)', () => {
    // [metadata, considered?]
    const cases: Array<[metadata: DnsPolicy['metadata'] | undefined, considered: boolean]> = [
      [undefined, true],
      [{}, true],
      [{ origin: 'USER_DEFINED' }, true],
      [{ origin: 'SYSTEM_DEFINED' }, false],
      [{ origin: 'DERIVED' }, false],
      [{ origin: 'ORCHESTRATED' }, false],
      [{ origin: 'user_defined' }, false],
      [{ origin: 'SOMETHING_NEW' }, false],
    ];
    for (const [metadata, considered] of cases) {
      it(`metadata ${JSON.stringify(metadata) ?? 'absent'} → ${considered ? 'considered' : 'other domain'}`, () => {
        const p = policy('p1', { type: 'A_RECORD', domain: 'Host.LAN.', ipv4Address: '10.0.0.1', ttlSeconds: 60, ...(metadata && { metadata }) });
        const content = siteContent([p], [], noClients, new RecordCatalogue());
        if (considered) {
          assert.equal(content.policies.length, 1);
          const [live] = content.policies;
          assert.equal(live!.policyId, 'p1');
          assert.equal(live!.record.domain, 'host.lan');
          assert.equal(live!.record.target, '10.0.0.1');
          assert.deepEqual(live!.attributes, { enabled: true, ttlSeconds: 60 });
          assert.deepEqual([...content.otherDomains], []);
          assert.equal(content.served.size, 0);
        } else {
          assert.deepEqual(content.policies, []);
          assert.deepEqual([...content.otherDomains], ['host.lan']);
          // The site serves the record already, through a policy of that origin.
          assert.deepEqual([...content.served], [[recordId('A_RECORD', 'host.lan', '10.0.0.1'), metadata!.origin]]);
        }
        assert.deepEqual(content.derived, []);
      });
    }

    it('never considers FORWARD_DOMAIN, even USER_DEFINED: its domain is another domain', () => {
      const forward = policy('f1', { type: 'FORWARD_DOMAIN', domain: 'Corp.Example.', ipAddress: '10.9.9.9', metadata: { origin: 'USER_DEFINED' } });
      const bare = policy('f2', { type: 'FORWARD_DOMAIN', domain: 'other.example', ipAddress: '10.9.9.8' });
      const content = siteContent([forward, bare], [], noClients, new RecordCatalogue());
      assert.deepEqual(content.policies, []);
      assert.deepEqual([...content.otherDomains].sort(), ['corp.example', 'other.example']);
      assert.equal(content.served.size, 0);
    });

    it('keeps every considered policy, its attributes as the site has them, in order', () => {
      const policies = [
        policy('a', { type: 'A_RECORD', domain: 'a.lan', ipv4Address: '10.0.0.1', ttlSeconds: 0, enabled: false }),
        policy('b', { type: 'MX_RECORD', domain: 'lan', mailServerDomain: 'Mail.LAN.', priority: 10 }),
        policy('c', { type: 'CNAME_RECORD', domain: 'c.lan', targetDomain: 'a.lan', ttlSeconds: 300 }),
        policy('d', { type: 'A_RECORD', domain: 'sys.lan', ipv4Address: '10.0.0.2', metadata: { origin: 'SYSTEM_DEFINED' } }),
      ];
      const content = siteContent(policies, [], noClients, new RecordCatalogue());
      assert.deepEqual(
        content.policies.map((p) => [p.policyId, p.record.type, p.record.domain, p.record.target, p.attributes]),
        [
          ['a', 'A_RECORD', 'a.lan', '10.0.0.1', { enabled: false, ttlSeconds: 0 }],
          ['b', 'MX_RECORD', 'lan', '10 mail.lan', { enabled: true }],
          ['c', 'CNAME_RECORD', 'c.lan', 'a.lan', { enabled: true, ttlSeconds: 300 }],
        ],
      );
      assert.deepEqual([...content.otherDomains], ['sys.lan']);
      // Served already: a create of the same record there would be a duplicate (record-already-exists).
      assert.deepEqual([...content.served.values()], ['SYSTEM_DEFINED']);
      assert.equal([...content.served.keys()][0], recordOf({ type: 'A_RECORD', enabled: true, domain: 'sys.lan', ipv4Address: '10.0.0.2' })!.id);
    });

    it('gives an empty content for an empty site', () => {
      const content = siteContent([], [client('x', '10.0.0.1')], noClients, new RecordCatalogue());
      assert.deepEqual(content, { policies: [], otherDomains: new Set(), served: new Map(), derived: [] });
    });
  });

  describe('client-derived records', () => {
    const clients = [client('Laptop', '10.0.0.5'), client('phone', '2001:db8::5'), client(undefined, '10.0.0.6'), client('TV', '10.0.0.7')];

    it('derives none while clients are not enabled, whatever the suffix', () => {
      for (const suffix of ['', 'home.arpa']) {
        assert.deepEqual(siteContent([], clients, { enabled: false, domainSuffix: suffix }, new RecordCatalogue()).derived, []);
      }
    });

    it('derives one A record per client with a name and IPv4 address, enabled with ttl 0', () => {
      const content = siteContent([], clients, { enabled: true, domainSuffix: 'home.arpa' }, new RecordCatalogue());
      assert.deepEqual(
        content.derived.map((d) => [d.record.domain, d.record.target, d.attributes]),
        [
          ['laptop.home.arpa', '10.0.0.5', { enabled: true, ttlSeconds: 0 }],
          ['tv.home.arpa', '10.0.0.7', { enabled: true, ttlSeconds: 0 }],
        ],
      );
      assert.deepEqual(content.policies, []);
      assert.deepEqual([...content.otherDomains], []);
    });

    it('gives each derived record its own attributes object', () => {
      const content = siteContent([], clients, { enabled: true, domainSuffix: 'lan' }, new RecordCatalogue());
      assert.notEqual(content.derived[0]!.attributes, content.derived[1]!.attributes);
    });
  });

  describe('one shared object per record through the RecordCatalogue', () => {
    it('shares a record between sites and spellings, and between a policy and a client', () => {
      const catalogue = new RecordCatalogue();
      const alpha = siteContent([policy('p1', { type: 'A_RECORD', domain: 'NAS.home.arpa', ipv4Address: '10.0.0.20', ttlSeconds: 0 })], [], noClients, catalogue);
      const beta = siteContent([policy('p2', { type: 'A_RECORD', domain: 'nas.home.arpa.', ipv4Address: '10.0.0.20', ttlSeconds: 60 })], [], noClients, catalogue);
      const gamma = siteContent([], [client('nas', '10.0.0.20')], { enabled: true, domainSuffix: 'home.arpa' }, catalogue);
      const record = alpha.policies[0]!.record;
      assert.equal(beta.policies[0]!.record, record);
      assert.equal(gamma.derived[0]!.record, record);
      // The attributes stay each site's own.
      assert.deepEqual(beta.policies[0]!.attributes, { enabled: true, ttlSeconds: 60 });
    });

    it('keeps records apart that differ in type, domain or target', () => {
      const catalogue = new RecordCatalogue();
      const content = siteContent(
        [
          policy('1', { type: 'A_RECORD', domain: 'h.lan', ipv4Address: '10.0.0.1' }),
          policy('2', { type: 'A_RECORD', domain: 'h.lan', ipv4Address: '10.0.0.2' }),
          policy('3', { type: 'A_RECORD', domain: 'g.lan', ipv4Address: '10.0.0.1' }),
          policy('4', { type: 'CNAME_RECORD', domain: 'h.lan', targetDomain: '10.0.0.1' }),
          policy('5', { type: 'A_RECORD', domain: 'H.lan', ipv4Address: '10.0.0.1' }),
        ],
        [],
        noClients,
        catalogue,
      );
      const ids = content.policies.map((p) => p.record.id);
      assert.equal(new Set(ids).size, 4);
      assert.equal(content.policies[4]!.record, content.policies[0]!.record);
    });

    it('gives separate catalogues separate but equal objects', () => {
      const p = policy('p1', { type: 'AAAA_RECORD', domain: 'v6.lan', ipv6Address: '2001:DB8:0::1' });
      const a = siteContent([p], [], noClients, new RecordCatalogue()).policies[0]!.record;
      const b = siteContent([p], [], noClients, new RecordCatalogue()).policies[0]!.record;
      assert.notEqual(a, b);
      assert.deepEqual(a, b);
      assert.equal(a.target, '2001:db8::1');
    });

    it('intern returns the first object seen for an id', () => {
      const catalogue = new RecordCatalogue();
      const first = recordOf({ type: 'TXT_RECORD', enabled: true, domain: 't.lan', text: 'v=spf1 -all' })!;
      const second = recordOf({ type: 'TXT_RECORD', enabled: false, domain: 'T.LAN', text: 'v=spf1 -all' })!;
      assert.notEqual(first, second);
      assert.equal(catalogue.intern(first), first);
      assert.equal(catalogue.intern(second), first);
    });

    it('ofPolicy gives null for FORWARD_DOMAIN every time, and the same record for a repeated spelling', () => {
      const catalogue = new RecordCatalogue();
      const forward = policy('f', { type: 'FORWARD_DOMAIN', domain: 'corp', ipAddress: '10.0.0.1' });
      assert.equal(catalogue.ofPolicy(forward), null);
      assert.equal(catalogue.ofPolicy(forward), null);
      const srv = policy('s', { type: 'SRV_RECORD', domain: '_sip._tcp.lan', serverDomain: 'pbx.lan', service: '_sip', protocol: '_tcp', port: 5060, priority: 10, weight: 5 });
      const first = catalogue.ofPolicy(srv);
      assert.ok(first);
      assert.equal(first.target, '_sip _tcp 10 5 5060 pbx.lan');
      assert.equal(catalogue.ofPolicy({ ...srv, id: 's2', enabled: false }), first);
      // Another port is another record, though every other field is the same.
      assert.notEqual(catalogue.ofPolicy({ ...srv, port: 5061 })!.id, first.id);
    });
  });
});
