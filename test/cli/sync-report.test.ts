import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createOutput } from '../../src/cli/output.ts';
import { renderSyncReport } from '../../src/cli/render/sync-report.ts';
import type { Applied } from '../../src/engine/apply.ts';
import type { Action, Plan } from '../../src/planner/plan.ts';
import type { SyncReport } from '../../src/engine/report.ts';
import { A, rec, site } from '../sync/builders.ts';

/** 30 sites with 60 creates each; the last action of the last site failed. */
function bigReport(): { report: SyncReport; failedAction: Action } {
  const plan: Plan = { refusals: [], sites: [], staleRefusals: [] };
  for (let s = 1; s <= 30; s++) {
    const ref = site(s);
    const actions: Action[] = Array.from({ length: 60 }, (_, i) => ({ kind: 'create', record: rec(A(`h${i}.s${s}.lan`, `10.0.${s}.${i}`)), attributes: { enabled: true, ttlSeconds: 0 } }));
    plan.sites.push({ site: ref, actions, replicas: 0 });
  }
  const failedAction = plan.sites[29]!.actions[59]!;
  const applied: Applied = { exceptions: new Map([[30, new Map([[failedAction, { action: failedAction, outcome: 'failed', reason: 'HTTP 500' }]])]]) };
  const report = {
    outcome: 'partial', exitCode: 3, runId: 1, dryRun: false, startedAt: '', finishedAt: '', controllers: [], sites: [], plan, applied,
    planned: { create: 1800, update: 0, delete: 0, skip: 0 },
    done: { created: 1799, updated: 0, deleted: 0, skipped: 0, failed: 1 },
    knownSkips: new Set(),
    maxDeletePercent: 30,
  } as unknown as SyncReport;
  return { report, failedAction };
}

describe('sync report', () => {
  it('prints at most 50 rows a site and 1,000 in all, then one line per site; what went wrong first', () => {
    let text = '';
    const output = createOutput({ write: (chunk: string) => (text += chunk) } as never, false);
    const { report } = bigReport();
    renderSyncReport(report, output);
    const rows = text.split('\n').filter((l) => /^│ (created|failed)/.test(l));
    assert.equal(rows.length, 1000, 'table rows in all');
    assert.equal(text.split('\n').filter((l) => /… and 10 more at this site/.test(l)).length, 20, 'the first 20 sites: 50 rows and a note each');
    const oneLiners = text.split('\n').filter((l) => / \(00000000-.*\): 60 create \(all of them with --json\)$/.test(l));
    assert.equal(oneLiners.length, 10, 'the other 10 sites: one line each');
    assert.match(text, /created 1799, updated 0, deleted 0, skipped 0, failed 1\n$/);
  });

  it('lists the failed action first in its site table while there is room', () => {
    let text = '';
    const output = createOutput({ write: (chunk: string) => (text += chunk) } as never, false);
    const { report } = bigReport();
    report.plan.sites.splice(0, 25); // 5 sites left: all of them get a table
    renderSyncReport(report, output);
    const lastTable = text.slice(text.lastIndexOf('site-30'));
    const firstRow = lastTable.split('\n').find((l) => l.startsWith('│ ') && !l.startsWith('│ outcome'));
    assert.match(firstRow!, /^│ failed .* h59\.s30\.lan .* HTTP 500/);
  });
});

describe('sync report: planned versus done, and quiet when nothing happens', () => {
  const render = (report: SyncReport, options: { quiet?: boolean; verbose?: boolean } = {}) => {
    let text = '';
    renderSyncReport(report, createOutput({ write: (chunk: string) => (text += chunk) } as never, false), options);
    return text;
  };
  const alpha = site(1, 'alpha');
  const conflict: Action = { kind: 'skip', record: rec(A('app.lan', '10.0.0.1')), reason: 'the site has a native CNAME at app.lan' };
  const create: Action = { kind: 'create', record: rec(A('web.lan', '10.0.0.2')), attributes: { enabled: true } };
  const report = (actions: Action[], extra: Partial<SyncReport> = {}): SyncReport =>
    ({
      outcome: 'success', exitCode: 0, runId: 1, dryRun: false, startedAt: '', finishedAt: '', controllers: [], sites: [],
      plan: { refusals: [], staleRefusals: [], sites: [{ site: alpha, actions, replicas: 0 }, { site: site(2, 'beta'), actions: [], replicas: 0 }] },
      applied: { exceptions: new Map() },
      planned: { create: actions.filter((a) => a.kind === 'create').length, update: 0, delete: 0, skip: actions.filter((a) => a.kind === 'skip').length },
      done: { created: actions.filter((a) => a.kind === 'create').length, updated: 0, deleted: 0, skipped: actions.filter((a) => a.kind === 'skip').length, failed: 0 },
      knownSkips: new Set(),
      maxDeletePercent: 30,
      ...extra,
    }) as SyncReport;

  it('a run with nothing to do prints one line; a conflict already reported is not listed again unless --verbose; --quiet prints nothing', () => {
    const converged = report([conflict], { knownSkips: new Set([conflict]) });
    assert.equal(render(converged), 'No changes: 2 sites in step, 1 known conflict or refusal.\n');
    assert.equal(render(converged, { quiet: true }), '');
    assert.match(render(converged, { verbose: true }), /skipped .* app\.lan .* the site has a native CNAME at app\.lan/);
  });

  it('a new conflict is listed once, with the no-change line', () => {
    const text = render(report([conflict]));
    assert.match(text, /│ skipped │ A {4}│ app\.lan │/);
    assert.match(text, /No changes: 2 sites in step, 1 new skip\.\n$/);
  });

  it('a real run says what was done, row by row; a dry run what the plan says, and that nothing was applied', () => {
    assert.match(render(report([create])), /│ created │ A {4}│ web\.lan │[\s\S]*created 1, updated 0, deleted 0, skipped 0, failed 0\n$/);
    const dry = render(report([create], { applied: null, dryRun: true, done: { created: 0, updated: 0, deleted: 0, skipped: 0, failed: 0 } }));
    assert.match(dry, /│ create │ A {4}│ web\.lan │/);
    assert.match(dry, /Plan: 1 to create, 0 to update, 0 to delete, 0 skipped\ndry run: nothing was sent or recorded\n$/);
    assert.equal(render(report([create]), { quiet: true }), 'created 1, updated 0, deleted 0, skipped 0, failed 0\n');
  });

  it('a refusal names the site, the share and the limit', () => {
    const refused = report([create], {
      outcome: 'refused', applied: null,
      plan: { refusals: [{ site: alpha, limit: 'deletes', count: 60, of: 88 }], staleRefusals: [], sites: [{ site: alpha, actions: [create], replicas: 88 }] },
    });
    assert.match(render(refused), /c1:443 \/ alpha: would delete 60 of 88 replicas: 68 %, over sync\.maxDeletePercent \(30 %\)\nPlan: 1 to create/);
  });
});
