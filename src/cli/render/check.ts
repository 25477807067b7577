import type { ConfigProblem } from '../../config/check.ts';
import type { Output } from '../output.ts';

/** One controller of the config; with --online, what asking it found. */
export interface ControllerCheck {
  name: string;
  url: string;
  status?: 'ok' | 'failed';
  /** The Network application version, when the controller told it. */
  version?: string | null;
  /** Sites it lists, and how many of them the config's sites/excludeSites select. */
  sites?: number;
  sitesSelected?: number;
  error?: string;
}

export interface CheckReport {
  file: string;
  problems: ConfigProblem[];
  /** Empty when the file has problems: what it says cannot be trusted. */
  controllers: ControllerCheck[];
}

/**
 * Each problem as `file:line: key.path: problem`, the form of every config error, so that an editor
 * can jump to it; or `config OK: N controllers` and, with --online, one line per controller.
 */
export function renderCheck(output: Output, json: boolean, report: CheckReport): void {
  if (json) {
    const ok = report.problems.length === 0 && report.controllers.every((c) => c.status !== 'failed');
    output.json({ configFile: report.file, ok, problems: report.problems, controllers: report.controllers });
    return;
  }
  for (const p of report.problems) output.line(p.message);
  if (report.problems.length > 0) return;
  const n = report.controllers.length;
  output.line(`config OK: ${n} controller${n === 1 ? '' : 's'}`);
  const { style } = output;
  for (const c of report.controllers) {
    if (c.status === undefined) continue;
    const what = c.status === 'ok' ? style.green('ok') + `, Network ${c.version}, ${siteCount(c)}` : style.red('failed') + `: ${c.error}`;
    output.line(`${c.name} (${c.url}): ${what}`);
  }
}

function siteCount(c: ControllerCheck): string {
  const listed = `${c.sites} site${c.sites === 1 ? '' : 's'}`;
  const left = (c.sites ?? 0) - (c.sitesSelected ?? 0);
  return left > 0 ? `${listed}, ${left} left out by sites/excludeSites` : listed;
}
