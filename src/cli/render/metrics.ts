import { renameSync, writeFileSync } from '../../system/fs.ts';
import type { RunOutcome } from '../../domain/run.ts';
import type { StoreCounts } from '../../store/stats.ts';
import type { SyncReport } from '../../engine/report.ts';

const OUTCOMES: readonly RunOutcome[] = ['success', 'partial', 'refused', 'drift', 'failed', 'interrupted'];
const SITE_STATUSES = ['discovered', 'failed', 'excluded', 'gone'] as const;

/** The run as Prometheus text exposition format, for node_exporter's textfile collector. */
export function metricsText(report: SyncReport, counts: StoreCounts): string {
  const lines: string[] = [];
  const metric = (name: string, help: string, samples: Array<[labels: string, value: number]>) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`);
    for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`);
  };
  const finished = Date.parse(report.finishedAt);
  metric('dnssync_last_run_timestamp_seconds', 'Unix time the last sync finished.', [['', finished / 1000]]);
  metric('dnssync_last_run_duration_seconds', 'How long the last sync took.', [['', (finished - Date.parse(report.startedAt)) / 1000]]);
  metric('dnssync_last_run_exit_code', 'Exit code of the last sync.', [['', report.exitCode]]);
  metric('dnssync_last_run_success', '1 when the last sync succeeded (exit 0), else 0.', [['', report.exitCode === 0 ? 1 : 0]]);
  metric(
    'dnssync_last_run_outcome',
    'Outcome of the last sync: 1 for the outcome it had, 0 for the others.',
    OUTCOMES.map((o) => [`{outcome="${o}"}`, report.outcome === o ? 1 : 0]),
  );
  metric(
    'dnssync_last_run_changes',
    'Changes the last sync made, by outcome (all 0 for a dry, refused or drift run).',
    Object.entries(report.done).map(([outcome, n]) => [`{outcome="${outcome}"}`, n]),
  );
  metric(
    'dnssync_last_run_planned_changes',
    'Changes the plan of the last sync said, applied or not, by action.',
    Object.entries(report.planned).map(([action, n]) => [`{action="${action}"}`, n]),
  );
  metric(
    'dnssync_last_run_sites',
    'Sites of the last sync by discovery status.',
    SITE_STATUSES.map((status) => [`{status="${status}"}`, report.sites.filter((s) => s.status === status).length]),
  );
  metric('dnssync_records', 'DNS records known to dnssync.', [['', counts.records]]);
  metric('dnssync_replicas', 'Policies dnssync created and keeps in step.', [['', counts.replicas]]);
  metric('dnssync_orphans', 'Records with no origin left, whose replicas go after the grace period.', [['', counts.orphans]]);
  return lines.join('\n') + '\n';
}

/** Written next to the target, then renamed over it, so the collector never reads half a file. */
export function writeAtomically(path: string, text: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text, { mode: 0o644 });
  renameSync(temporary, path);
}
