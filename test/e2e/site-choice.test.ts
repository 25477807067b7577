import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Scenario } from '../../fixtures/simulator/index.ts';
import { syncEnv, writes } from '../support/sync-env.ts';

/** Two consoles, each with its `default` site, the same uuid on both as on real consoles. */
const DEFAULT_UUID = '88f7af54-98f8-306a-a1c7-c9349722b1f6';
const scenario: Scenario = {
  controllers: [
    {
      name: 'home',
      sites: [
        { id: DEFAULT_UUID, internalReference: 'default', name: 'Default', policies: [{ type: 'A_RECORD', domain: 'nas.home.arpa', ipv4Address: '10.0.0.10' }] },
        { internalReference: 'lab', name: 'Lab' },
      ],
    },
    { name: 'cabin', sites: [{ id: DEFAULT_UUID, internalReference: 'default', name: 'Default' }] },
  ],
};

describe('sync --site with a site on every console', () => {
  it('refuses a bare name or uuid that several controllers have, listing them, and writes nothing', async () => {
    const env = await syncEnv(scenario);
    for (const name of ['default', 'Default', DEFAULT_UUID]) {
      const result = await env.sync(['--site', name]);
      assert.equal(result.code, 2, result.stderr);
      // The last line: the config's warnings (plain http) come first, as log lines.
      assert.equal(result.stderr.trimEnd().split('\n').at(-1), `dnssync: --site ${name} matches sites on several controllers: cabin/Default, home/Default; name one as CONTROLLER/SITE (see dnssync sync --help)`);
    }
    assert.equal(writes(env.sim), 0);
  });

  it('applies changes at CONTROLLER/SITE only', async () => {
    const env = await syncEnv(scenario);
    const result = await env.sync(['--site', 'cabin/default']);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(env.identities('cabin', 'default'), ['A_RECORD nas.home.arpa 10.0.0.10']);
    assert.deepEqual(env.identities('home', 'lab'), [], 'not chosen: untouched');
    // A name only one controller has needs no qualifying.
    assert.equal((await env.sync(['--site', 'lab'])).code, 0);
    assert.deepEqual(env.identities('home', 'lab'), ['A_RECORD nas.home.arpa 10.0.0.10']);
  });
});
