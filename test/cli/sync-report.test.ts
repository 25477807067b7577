import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createOutput } from '../../src/cli/output.ts';
import { renderSyncReport } from '../../src/cli/render/sync-report.ts';
import type { Applied } from '../../src/engine/apply.ts';
import type { Action, Plan } from '../../src/planner/plan.ts';
import type { SyncReport } from '../../src/engine/run.ts';
import { A, rec, site } from '../sync/builders.ts';

/** 30 sites with 60 creates each; the last action of the last site failed. */
function bigReport(): { report: SyncReport; failedAction: Action } {
  const plan: Plan = { refusals: [], sites: [], staleRefusals: [] };
  for (let s = 1; s <= 30; s++) {
    const ref = site(s);
    const actions: Action[] = Array.from({ length: 60 }, (_, i) => ({ kind: 'create', site: ref, record: rec(A(`h${i}.s${s}.lan`, `10.0.${s}.${i}`)), attributes: { enabled: true, ttlSeconds: 0 } }));
    plan.sites.push({ site: ref, actions, replicas: 0 });
  }
  const failedAction = plan.sites[29]!.actions[59]!;
  const applied: Applied = { exceptions: new Map([[failedAction, { action: failedAction, outcome: 'failed', reason: 'HTTP 500' }]]) };
  const report = {
    outcome: 'partial', exitCode: 3, runId: 1, dryRun: false, startedAt: '', finishedAt: '', controllers: [], sites: [], plan, applied,
    counts: { created: 1799, updated: 0, deleted: 0, skipped: 0, failed: 1 },
  } as unknown as SyncReport;
  return { report, failedAction };
}

describe('sync report', () => {
  it('prints at most 50 rows a site and 1,000 in all, then one line per site; what went wrong first', () => {
    let text = '';
    const output = createOutput({ write: (chunk: string) => (text += chunk) } as never, false);
    const { report } = bigReport();
    renderSyncReport(report, output);
    const rows = text.split('\n').filter((l) => /^│ (create|failed)/.test(l));
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
    const firstRow = lastTable.split('\n').find((l) => l.startsWith('│ ') && !l.startsWith('│ action'));
    assert.match(firstRow!, /^│ failed .* h59\.s30\.lan .* HTTP 500/);
  });
});
