// Summarises a V8 .cpuprofile (node --cpu-prof): the functions with the most self time, the
// same by file, and the inclusive time of the heaviest frames.
// Usage: node bench/profile-summary.ts FILE.cpuprofile [--top N]
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ROOT } from './sim-process.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileRow {
  name: string;
  ms: number;
  percent: number;
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  /** Self time by function (name and location). */
  self: ProfileRow[];
  /** Self time by source file (or V8 bucket: GC, program, idle). */
  byFile: ProfileRow[];
  /** Inclusive time by function, for functions of the project only (src/, bin/). */
  inclusive: ProfileRow[];
}

function location(url: string): string {
  if (url === '') return '';
  let path = url.startsWith('file://') ? fileURLToPath(url) : url;
  if (path.startsWith(ROOT)) path = path.slice(ROOT.length);
  return path.replace(/^.*node_modules\//, 'node_modules/');
}

function frameName(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const where = location(url);
  const name = functionName || (where ? '(anonymous)' : '');
  // tsx-transformed project files report lines of the generated code: the file says enough.
  const line = /^(src|bin|bench|fixtures|test)\//.test(where) ? '' : `:${lineNumber + 1}`;
  return where ? `${name} ${where}${line}` : name || '(unknown)';
}

export function summarizeProfile(file: string, top = 20): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  const selfUs = new Map<number, number>();
  const { samples, timeDeltas } = profile;
  for (let i = 0; i < samples.length; i++) {
    // A sample stands for the time until the next one.
    const us = timeDeltas[i + 1] ?? 0;
    selfUs.set(samples[i]!, (selfUs.get(samples[i]!) ?? 0) + us);
  }
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);

  const self = new Map<string, number>();
  const byFile = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const node = byId.get(id)!;
    const name = frameName(node);
    self.set(name, (self.get(name) ?? 0) + us);
    const where = location(node.callFrame.url) || node.callFrame.functionName || '(unknown)';
    byFile.set(where, (byFile.get(where) ?? 0) + us);
    // Inclusive: every distinct project frame on the stack gets the sample once.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)!;
      const url = location(frame.callFrame.url);
      if (!/^(src|bin)\//.test(url)) continue;
      const key = frameName(frame);
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + us);
    }
  }
  const rows = (map: Map<string, number>): ProfileRow[] =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: us / 1000, percent: total === 0 ? 0 : (100 * us) / total }));
  return { file, totalMs: total / 1000, self: rows(self), byFile: rows(byFile), inclusive: rows(inclusive) };
}

export function formatProfile(summary: ProfileSummary): string {
  const lines = [`${summary.file}: ${(summary.totalMs / 1000).toFixed(2)} s sampled`];
  const section = (title: string, rows: ProfileRow[]) => {
    lines.push(`  ${title}`);
    for (const r of rows) lines.push(`    ${r.ms.toFixed(0).padStart(8)} ms ${r.percent.toFixed(1).padStart(5)}%  ${r.name}`);
  };
  section('self time by function', summary.self);
  section('self time by file', summary.byFile);
  section('inclusive time, project functions', summary.inclusive);
  return lines.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const topAt = args.indexOf('--top');
  const top = topAt >= 0 ? Number(args[topAt + 1]) : 25;
  const files = args.filter((a, i) => a !== '--top' && args[i - 1] !== '--top');
  if (files.length === 0) {
    process.stderr.write('usage: node bench/profile-summary.ts FILE.cpuprofile... [--top N]\n');
    process.exit(2);
  }
  for (const file of files) process.stdout.write(`${formatProfile(summarizeProfile(file, top))}\n\n`);
}
