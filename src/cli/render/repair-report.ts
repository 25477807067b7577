import type { Finding, RepairReport } from '../../repair/index.ts';
import type { Output } from '../output.ts';
import { wrapLines } from '../table.ts';

/** `repair --json`: one document, plain data. `fixed` is true only when the re-check no longer finds the problem. */
export function repairReportJson(report: RepairReport): unknown {
  return {
    database: report.database,
    mode: report.mode,
    state: report.state,
    // The names migrate --status uses for the same things.
    schemaVersion: report.schema?.version ?? null,
    latestVersion: report.schema?.latest ?? null,
    pendingMigrations: report.schema?.pending ?? [],
    backup: report.backup,
    recovered: report.recovered && {
      path: report.recovered.path,
      copied: report.recovered.copied,
      lost: report.recovered.lost,
      tables: report.recovered.tables,
      findings: report.recovered.findings.map(findingJson),
      instructions: report.recovered.instructions,
    },
    findings: report.findings.map(findingJson),
    remaining: report.remaining,
  };
}

function findingJson(f: Finding): unknown {
  return { check: f.check, problem: f.problem, where: f.where, action: f.action, fixed: f.outcome === 'fixed', outcome: f.outcome, table: f.table, keys: f.keys };
}

/** The findings table (check, problem, where, action), what was recovered, the backup, and one closing line. */
export function renderRepairReport(report: RepairReport, output: Output): void {
  if (report.findings.length) findingsTable(report.findings, output, report.mode === 'repair');

  const recovered = report.recovered;
  if (recovered?.path) {
    output.line(`recovered into ${recovered.path}:`);
    output.table(
      ['table', 'rows copied', 'rows lost', 'which rows / note'],
      recovered.tables.map((t) => [
        t.table,
        t.copied,
        t.lost !== null ? t.lost : t.lostAtMost !== null ? `up to ${t.lostAtMost}` : 'unknown',
        wrap([t.unreadable ? 'could not be read at all' : '', t.lostRows, t.note ?? ''].filter(Boolean).join('; '), 60),
      ]),
    );
    if (recovered.findings.length) {
      output.line('in the recovered file, before it was handed over:');
      findingsTable(recovered.findings, output, true);
    }
  }
  for (const line of recovered?.instructions ?? []) output.line(line);
  if (report.schema?.pending.length) {
    output.line(
      `schema version ${report.schema.version} of ${report.schema.latest}: ${report.schema.pending.join(', ')} pending ` +
        '(applied by the next command that opens the database; not a problem)',
    );
  }
  if (report.backup) output.line(`backup written first: ${report.backup}`);
  output.line(closingLine(report, output));
}

function findingsTable(findings: Finding[], output: Output, showOutcome: boolean): void {
  const mark = (f: Finding) => {
    if (!showOutcome) return f.action;
    const label = { fixed: 'fixed', 'left-for-sync': 'left for the next sync', 'not-fixed': 'NOT FIXED', found: '' }[f.outcome];
    const styled = f.outcome === 'not-fixed' ? output.style.red(label) : f.outcome === 'fixed' ? output.style.green(label) : output.style.yellow(label);
    return `${styled}: ${f.action}`;
  };
  output.table(
    ['check', 'problem', 'where', 'action'],
    findings.map((f) => [f.check, wrap(f.problem, 48), wrap(f.where, 36), wrap(mark(f), 56)]),
  );
}

/** Breaks a long cell into lines at spaces, so the table fits a terminal. */
export function wrap(text: string, width: number): string {
  return wrapLines(text, width).join('\n');
}

function closingLine(report: RepairReport, output: Output): string {
  const db = report.database;
  const n = report.findings.length;
  if (report.state === 'empty') return `${db}: an empty database; nothing to check`;
  if (report.state === 'legacy') return `${db}: a database of the legacy Python tool; 'dnssync migrate' converts it, repair leaves it as it is`;
  if (report.state === 'corrupt' || report.state === 'not-sqlite') {
    const what = report.state === 'corrupt' ? 'damaged' : 'not a SQLite database';
    if (report.mode === 'check') return `${db}: ${what}; 'dnssync repair' copies what it can still read into a new file and leaves this one as it is`;
    const r = report.recovered;
    if (!r?.path) return output.style.red(`${db}: ${what}; nothing could be recovered; the file is left as it is`);
    const lost = r.lost === null ? 'an unknown number of rows lost' : `${r.lost} row(s) lost`;
    return `${db}: ${what}; recovered ${r.copied} row(s) into ${r.path} (${lost}); the original is left as it is`;
  }
  if (n === 0) return `${db}: no problem found${report.mode === 'repair' ? '; nothing changed' : ''}`;
  if (report.mode === 'check') return `${db}: ${n} problem(s) found; 'dnssync repair' fixes what can be fixed, after writing a backup`;
  const count = (outcome: Finding['outcome']) => report.findings.filter((f) => f.outcome === outcome).length;
  const line = `${db}: ${n} problem(s): ${count('fixed')} fixed, ${count('left-for-sync')} left for the next sync, ${report.remaining} remaining`;
  return report.remaining ? output.style.red(line) : line;
}
