/**
 * The legacy allowed_record_types keeps the tool's meaning (issue 17): the types *read* from a
 * controller. Every synced type is still written to it, and the copies of other types the tool
 * wrote there are replicas like the rest.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RecordType } from '../../src/domain/policy.ts';
import type { SiteSnapshot } from '../../src/domain/state.ts';
import { A, AAAA, actions, changes, known, run, site, snap } from '../sync/builders.ts';

const home = site(1, 'home');
const office = site(2, 'office', 'c2:443');
const sites = [home, office];
const v6 = AAAA('nas6.lan', 'fd00::10');
const officeV6 = AAAA('vpn.lan', '2001:db8::1');
const nas = A('nas.lan', '10.0.0.10');

/** The office controller read for A and CNAME only, as its allowed_record_types said. */
const readOnly = (s: SiteSnapshot, types: RecordType[] = ['A_RECORD', 'CNAME_RECORD']): SiteSnapshot => ({ ...s, readTypes: types });

describe('legacy allowed_record_types: what is read, not what is written', () => {
  it('writes an AAAA record to a controller not read for AAAA, and copies nothing of its own AAAA policies', () => {
    const r = run([snap(home, [['h1', v6], ['h2', nas]]), readOnly(snap(office, [['o1', officeV6]]))], known({ sites }));
    assert.deepEqual(actions(r), ['office create A_RECORD nas.lan 10.0.0.10', 'office create AAAA_RECORD nas6.lan fd00::10']);
    // vpn.lan at the office is native there (never touched) but no origin: nothing to copy to home.
    assert.ok(!changes(r).some((c) => c.includes('vpn.lan')), changes(r).join('\n'));
  });

  it("keeps and updates the legacy tool's AAAA copies there: replicas like the rest, never deleted as filtered", () => {
    const state = known({ sites, origins: [[v6, 1]], replicas: [[AAAA('nas6.lan', 'fd00::10'), 2, 'o-copy']] });
    const edited = { ...v6, ttlSeconds: 600 };
    const r = run([snap(home, [['native-1-nas6.lan', edited]]), readOnly(snap(office, [['o-copy', v6]]))], state);
    assert.deepEqual(actions(r), ['office update AAAA_RECORD nas6.lan fd00::10']);
  });

  it('creates no duplicate of a record the controller holds natively but is not read for', () => {
    const r = run([snap(home, [['h1', v6]]), readOnly(snap(office, [['o1', v6]]))], known({ sites }));
    assert.deepEqual(actions(r), []);
    // Not an origin at the office: deleting it at home orphans the record.
    assert.deepEqual(changes(r), ['record.add nas6.lan fd00::10', 'origin.add nas6.lan fd00::10 @1']);
  });

  it('reads nothing from a controller read for no type, and writes everything to it', () => {
    const r = run([snap(home, [['h1', nas]]), readOnly(snap(office, [['o1', A('git.lan', '10.0.0.2')]]), [])], known({ sites }));
    assert.deepEqual(actions(r), ['office create A_RECORD nas.lan 10.0.0.10']);
  });
});
