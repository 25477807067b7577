import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { recordPlaces, UNDECIDED, type RecordsInput } from '../../src/cli/render/records.ts';

const site = (key: number, controllerHost: string) => ({
  key, controllerHost, controller: controllerHost, name: 'Default', internalReference: 'default', uuid: '88f7af54-98f8-306a-a1c7-c9349722b1f6',
  lastSynced: '2026-11-26T10:00:00.000Z', goneAt: null,
});
const record = { id: 'r1', type: 'A_RECORD' as const, domain: 'odd.lan', target: '10.0.0.12', firstSeen: '2026-11-26T10:00:00.000Z', orphanedAt: null };

describe('records: what the legacy evidence could not decide', () => {
  it("says so at the site where the policy was kept as native, and only there", () => {
    const input: RecordsInput = {
      config: null,
      records: [record],
      sites: [site(1, 'home:443'), site(2, 'office:443')],
      only: null,
      originSites: () => new Set([1, 2]),
      replicaSites: () => new Map(),
      refusals: new Map(),
      lastEvent: () => null,
      lastRunStartedAt: null,
      now: Date.parse('2026-11-26T11:00:00.000Z'),
      undecided: new Set([`home:443|${site(1, 'x').uuid}|r1`]),
    };
    const [places] = recordPlaces(input, (iso) => iso);
    assert.deepEqual(places!.sites.map((s) => [s.controller, s.origin, s.reason]), [
      ['home:443', true, UNDECIDED],
      ['office:443', true, null],
    ]);
  });
});
