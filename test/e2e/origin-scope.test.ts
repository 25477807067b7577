import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { PolicyInput, Scenario } from '../../fixtures/simulator/index.ts';
import { NOT_WANTED } from '../../src/planner/plan.ts';
import { syncEnv, writes, type SyncEnv } from '../support/sync-env.ts';

const TENANT_SITES = ['t1', 't2', 't3'];
const HQ_SITES = ['h1', 'h2', 'h3'];
const a = (domain: string, ipv4Address: string): PolicyInput => ({ type: 'A_RECORD', domain, ipv4Address, ttlSeconds: 0 });

/** Two consoles, three sites each: `tenants`, whose sites should not copy each other's records, and `hq`. */
function scenario(policies: Record<string, PolicyInput[]>): Scenario {
  const sites = (names: string[]) => names.map((internalReference) => ({ internalReference, policies: policies[internalReference] ?? [] }));
  return { controllers: [{ name: 'tenants', sites: sites(TENANT_SITES) }, { name: 'hq', sites: sites(HQ_SITES) }] };
}

/** Edits the config file between runs, as a user switching the setting would. */
function setScope(env: SyncEnv, scope: { sync?: string; tenants?: string; hq?: string }): void {
  const config = JSON.parse(readFileSync(env.configFile, 'utf8'));
  const set = (target: Record<string, unknown>, value: string | undefined) => (value === undefined ? delete target.originScope : (target.originScope = value));
  set(config.sync, scope.sync);
  for (const c of config.controllers) set(c, scope[c.name as 'tenants' | 'hq']);
  writeFileSync(env.configFile, JSON.stringify(config, null, 2));
}

/** The domains each site holds, as `site: domain,domain`, sorted. */
function domains(env: SyncEnv): string[] {
  const at = (controller: string, site: string) => `${site}: ${env.identities(controller, site).map((i) => i.split(' ')[1]).sort().join(',')}`;
  return [...TENANT_SITES.map((s) => at('tenants', s)), ...HQ_SITES.map((s) => at('hq', s))];
}

interface JsonAction {
  action: string;
  domain: string;
  reason?: string;
}

/** Every action of a `--json` report as `site action domain (reason)`. */
function jsonActions(stdout: string): string[] {
  const report = JSON.parse(stdout) as { sites: Array<{ name: string; actions: JsonAction[] }> };
  return report.sites.flatMap((s) => s.actions.map((x) => `${s.name} ${x.action} ${x.domain}${x.reason ? ` (${x.reason})` : ''}`)).sort();
}

describe('e2e: originScope', () => {
  it('controller scope: no site of the origin console gets the record, every site of the other does; switching back fills them in', async () => {
    const env = await syncEnv(scenario({ t1: [a('one.lan', '10.1.0.1')], t2: [a('two.lan', '10.1.0.2')], h1: [a('hq.lan', '10.2.0.1')] }), {
      controllers: { tenants: { originScope: 'controller' } },
    });
    const scoped = ['t1: hq.lan,one.lan', 't2: hq.lan,two.lan', 't3: hq.lan', 'h1: hq.lan,one.lan,two.lan', 'h2: hq.lan,one.lan,two.lan', 'h3: hq.lan,one.lan,two.lan'];
    const first = await env.sync();
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(domains(env), scoped);

    setScope(env, {});
    const back = await env.sync(['--json']);
    assert.equal(back.code, 0, back.stderr);
    assert.deepEqual(jsonActions(back.stdout), ['t1 create two.lan', 't2 create one.lan', 't3 create one.lan', 't3 create two.lan']);
    assert.deepEqual(domains(env), ['t1: hq.lan,one.lan,two.lan', 't2: hq.lan,one.lan,two.lan', 't3: hq.lan,one.lan,two.lan', 'h1: hq.lan,one.lan,two.lan', 'h2: hq.lan,one.lan,two.lan', 'h3: hq.lan,one.lan,two.lan']);

    // Back to controller scope: the replicas on the tenants console are surplus, not orphans, and go at once with the reason.
    setScope(env, { sync: 'controller', hq: 'site' });
    const preview = await env.sync(['--dry-run']);
    assert.equal(preview.code, 0, preview.stderr);
    assert.match(preview.stdout, new RegExp(`tenants / t3[^]*?\\bdelete\\b[^\\n]*\\bone\\.lan\\b[^\\n]*${NOT_WANTED.sameController}`), 'the plan table says why');
    const again = await env.sync(['--json']);
    assert.equal(again.code, 0, again.stderr);
    const why = `(${NOT_WANTED.sameController})`;
    assert.deepEqual(jsonActions(again.stdout), [`t1 delete two.lan ${why}`, `t2 delete one.lan ${why}`, `t3 delete one.lan ${why}`, `t3 delete two.lan ${why}`]);
    assert.deepEqual(domains(env), scoped);
    const events = env.query<{ status: string; n: number }>("SELECT status, count(*) AS n FROM sync_events WHERE status IN ('DELETED', 'ORPHANED') GROUP BY status");
    assert.deepEqual(events.map((e) => [e.status, e.n]), [['DELETED', 4]], 'deleted, never orphaned');

    env.sim.clearRequests();
    assert.equal((await env.sync()).code, 0);
    assert.equal(writes(env.sim), 0, 'in step: nothing to write');
  });

  it('a switch that would delete more than sync.maxDeletePercent is refused (exit 4, nothing applied); --force applies it; a controller keeps its own scope', async () => {
    const hosts = Array.from({ length: 12 }, (_, i) => a(`h${i}.lan`, `10.1.1.${i}`));
    const env = await syncEnv(scenario({ t1: hosts, h1: [a('hq.lan', '10.2.0.1')] }));
    assert.equal((await env.sync()).code, 0);
    const everything = ['hq.lan', ...hosts.map((h) => h.domain!)].sort().join(',');
    assert.deepEqual(domains(env), [...TENANT_SITES, ...HQ_SITES].map((s) => `${s}: ${everything}`));

    setScope(env, { sync: 'controller', hq: 'site' });
    env.sim.clearRequests();
    const refused = await env.sync();
    assert.equal(refused.code, 4, refused.stderr);
    for (const site of ['t2', 't3']) assert.match(refused.stdout, new RegExp(`tenants / ${site}: would delete 12 of 13 replicas\\b[^\\n]*over sync\\.maxDeletePercent`));
    assert.equal(writes(env.sim), 0);
    assert.deepEqual(env.query("SELECT status FROM sync_events WHERE status = 'DELETED'"), []);

    const forced = await env.sync(['--force', '--json']);
    assert.equal(forced.code, 0, forced.stderr);
    const deletes = jsonActions(forced.stdout);
    assert.equal(deletes.length, 24);
    for (const d of deletes) assert.match(d, new RegExp(`^t[23] delete h\\d+\\.lan \\(${NOT_WANTED.sameController}\\)$`));
    // hq keeps site scope, its own setting over sync's: h2 and h3 keep hq.lan from h1.
    assert.deepEqual(domains(env), [`t1: ${everything}`, 't2: hq.lan', 't3: hq.lan', ...HQ_SITES.map((s) => `${s}: ${everything}`)]);
  });
});
