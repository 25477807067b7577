import type { DatabaseSync } from 'node:sqlite';
import { checkIntegrity, checkSchema } from './checks/integrity.ts';
import { checkIntents, checkLock } from './checks/crash.ts';
import { checkRecords } from './checks/identities.ts';
import type { Fixer, Issue } from './checks/issue.ts';
import { checkForeignKeys, checkUnknownSites } from './checks/references.ts';
import type { RepairOptions } from './types.ts';
import { NotFixed, RecordFixer } from './records.ts';
import type { Finding, Outcome, RepairReport } from './types.ts';

/**
 * One run of the checks over an open database, as repair makes it on the database itself and on a
 * recovered copy: every check in order, the fixes, and the re-check that tells which were fixed.
 */

export type Mode = RepairReport['mode'];

export function blank(path: string, mode: Mode): Omit<RepairReport, 'state' | 'schema'> {
  return { database: path, mode, backup: null, recovered: null, findings: [], remaining: 0 };
}

export interface Result {
  action: string;
  fixed: boolean;
}

/** Every check, in the order of CHECKS; structural damage stops them, as a row copy must deal with it. */
export function findAll(db: DatabaseSync, path: string, options: RepairOptions): Issue[] | { structural: string[] } {
  const integrity = checkIntegrity(db);
  if (integrity.structural.length) return { structural: integrity.structural };
  return [
    ...integrity.issues,
    ...checkSchema(db),
    ...checkLock(db, path, options),
    ...checkForeignKeys(db),
    ...checkUnknownSites(db),
    ...checkRecords(db),
    ...checkIntents(db),
  ];
}

/** Runs each issue's fix in order, inside the caller's transaction. */
export function applyFixes(db: DatabaseSync, issues: Issue[]): Map<Issue, Result> {
  const fixer: Fixer = { db, records: new RecordFixer(db) };
  const results = new Map<Issue, Result>();
  for (const issue of issues) {
    if (!issue.fix || issue.leftForSync) continue;
    try {
      results.set(issue, { action: issue.fix(fixer), fixed: true });
    } catch (error) {
      if (!(error instanceof NotFixed)) throw error;
      results.set(issue, { action: error.message, fixed: false });
    }
  }
  return results;
}

/** Re-checks after the fixes: a finding is fixed only when the check no longer finds it. */
export function settle(db: DatabaseSync, path: string, options: RepairOptions, issues: Issue[], results: Map<Issue, Result>): { findings: Finding[]; remaining: number } {
  const after = findAll(db, path, options);
  const again: Issue[] =
    'structural' in after
      ? after.structural.map((message) => ({ check: 'integrity', problem: message, where: 'database file', table: null, keys: [], plan: 'run repair again' }))
      : after;
  const stillThere = new Set(again.map(keyOf));
  const findings = issues.map((issue) => {
    if (issue.leftForSync) return finding(issue, 'left-for-sync', issue.plan);
    const result = results.get(issue);
    if (!result) return finding(issue, 'not-fixed', issue.plan);
    if (result.fixed && !stillThere.has(keyOf(issue))) return finding(issue, 'fixed', result.action);
    return finding(issue, 'not-fixed', result.fixed ? `${result.action}; but the re-check still finds it` : result.action);
  });
  const before = new Set(issues.map(keyOf));
  for (const issue of again) {
    if (!issue.leftForSync && !before.has(keyOf(issue))) findings.push(finding(issue, 'not-fixed', `found by the re-check after the fixes above; ${issue.plan}`));
  }
  return { findings, remaining: findings.filter((f) => f.outcome === 'not-fixed').length };
}

function keyOf(issue: Issue): string {
  return `${issue.check}\u0000${issue.where}`;
}

export function finding(issue: Issue, outcome: Outcome, action: string): Finding {
  return { check: issue.check, problem: issue.problem, where: issue.where, action, outcome, table: issue.table, keys: issue.keys };
}

export function now(options: RepairOptions): Date {
  return options.now?.() ?? new Date();
}
