import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chooseSites, type NamedSite } from '../../src/domain/site-names.ts';

const site = (controllerName: string, name: string | null, internalReference: string | null, uuid: string): NamedSite => ({
  controllerName,
  controllerHost: `${controllerName}.lan`,
  name,
  internalReference,
  uuid,
});

const SITES = [
  site('home', 'Default', 'default', 'u-1'),
  site('home', 'Office', 'office', 'u-2'),
  // Made again after it was deleted: same name, new uuid, same controller.
  site('home', 'Office', 'office2', 'u-3'),
  site('cabin', 'Default', 'default', 'u-1'),
  site('cabin', 'Office', 'x', 'u-4'),
  site('cabin', 'Office', 'y', 'u-5'),
  site('lake', null, 'default', 'u-1'),
];

const keys = (choice: ReturnType<typeof chooseSites<NamedSite>>) => (choice.kind === 'found' ? choice.sites.map((s) => `${s.controllerName} ${s.uuid}`) : choice);

describe('chooseSites', () => {
  it('takes every site of one controller that a name matches', () => {
    assert.deepEqual(keys(chooseSites(SITES, 'home/office')), ['home u-2', 'home u-3']);
    assert.deepEqual(keys(chooseSites(SITES, 'OFFICE2')), ['home u-3']);
  });

  it('lists candidates of several controllers by name, by uuid where names repeat, by internalReference where there is no name', () => {
    assert.deepEqual(chooseSites(SITES, 'default'), { kind: 'ambiguous', candidates: ['cabin/Default', 'home/Default', 'lake/default'] });
    assert.deepEqual(chooseSites(SITES, 'office'), { kind: 'ambiguous', candidates: ['cabin/u-4', 'cabin/u-5', 'home/u-2', 'home/u-3'] });
  });

  it('takes the controller by host as well as by name', () => {
    assert.deepEqual(keys(chooseSites(SITES, 'cabin.lan/u-1')), ['cabin u-1']);
  });

  it('finds nothing for an unknown site, an unknown controller, or a name split wrongly', () => {
    for (const wanted of ['attic', 'attic/default', 'home/', '/default', 'home/default/x']) assert.deepEqual(chooseSites(SITES, wanted), { kind: 'none' }, wanted);
  });

  it('folds ASCII letters only, as names are folded everywhere in dnssync', () => {
    assert.deepEqual(keys(chooseSites([site('k', 'Kelvin', null, 'u-9')], 'KELVIN')), ['k u-9']);
    assert.deepEqual(chooseSites([site('k', '\u212Aelvin', null, 'u-9')], 'kelvin'), { kind: 'none' }, 'the Kelvin sign is not a K');
  });
});
