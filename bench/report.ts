// The table and the notes the benchmark prints for its results.
import { cpus } from 'node:os';
import { formatProfile } from './profile-summary.ts';
import { CONCURRENCY, TARGETS, pairedRatio, scaling, type LoadResult } from './results.ts';
import { duration, megabytes, table } from './stats.ts';

const times = (x: number) => `${x.toFixed(2)}×`;
const percent = (x: number) => `${(x * 100).toFixed(0)}%`;
const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');

export function report(results: LoadResult[]): string {
  const out: string[] = [];
  for (const r of results) {
    const m = r.metrics;
    const s = r.shape;
    const perController = new Set(s.sitesPerController).size === 1 ? String(s.sitesPerController[0]) : s.sitesPerController.join(', ');
    out.push(
      `\n${r.load}: ${s.controllers} controllers × ${perController} sites (${s.sites} sites), ${s.records} records, ` +
        `${s.policiesWhenConverged.toLocaleString('en')} policies when converged, ${s.initialCreates.toLocaleString('en')} creates, ` +
        `${s.listRequestsPerSync} list requests per sync` +
        (s.compareOnly ? '' : `, ${s.changedOrigins} origins changed per incremental run`) +
        (s.latencyMs > 0 ? `; every request answered after ${s.latencyMs} ms` : ''),
    );
    const row = (label: string, key: string, extra: string[] = ['', '', '', '']) => {
      const metric = m[key];
      if (!metric) return [label, 'n/a', '', '', '0', '', '', '', ...extra];
      const cpu = metric.cpu ? duration(metric.cpu.median) : '';
      const busy = metric.mainBusy && metric.mainBusyShare ? `${duration(metric.mainBusy.median)} ${percent(metric.mainBusyShare.median)}` : '';
      const rate = metric.requestsPerSecondPerController ? metric.requestsPerSecondPerController.median.toFixed(0) : '';
      return [label, duration(metric.median), duration(metric.min), duration(metric.max), String(metric.samples.length), cpu, busy, rate, ...extra];
    };
    const rss = r.peakRss.mb;
    const rssTarget =
      r.load === 'L'
        ? [`≤ ${TARGETS.peakRssMb} MB`, verdict(r.verdicts.peakRss!)]
        : r.load === '2L'
          ? [`≤ ${TARGETS.peakRss2LOverL}× L`, r.verdicts.peakRssOverL === undefined ? '(run L too)' : verdict(r.verdicts.peakRssOverL)]
          : ['', ''];
    const rows = [
      ['measurement', 'median', 'min', 'max', 'runs', 'cpu', 'main busy', 'req/s/ctl', 'wall ratio', 'cpu ratio', 'target', 'verdict'],
      row('bare fetch (floor, process)', 'bareFetch'),
      row('  bare fetch, work only', 'bareFetchWork'),
      row('bare POST loop (floor)', 'barePost'),
      row('sync after initial (full)', 'settle'),
      row('no-op sync', 'noop', [`${times(r.ratios.noopOverFetch)} fetch`, times(r.ratios.noopOverFetchCpu), `cpu ≤ ${TARGETS.noopOverFetchCpu}×`, verdict(r.verdicts.noopOverFetchCpu)]),
      row('initial sync', 'initial', [`${times(r.ratios.initialOverPost)} POST`, times(r.ratios.initialOverPostCpu), `cpu ≤ ${TARGETS.initialOverPostCpu}×`, verdict(r.verdicts.initialOverPostCpu)]),
    ];
    if (!s.compareOnly) {
      rows.push(
        row('incremental sync (1%)', 'incremental'),
        row('sync after 1% origins deleted', 'orphaning'),
        r.commands.history
          ? row('history --record', 'history', ['', '', `≤ ${TARGETS.historyMs} ms`, verdict(r.verdicts.history!)])
          : ['history --record', 'n/a (command not available)', '', '', '', '', '', '', '', '', `≤ ${TARGETS.historyMs} ms`, ''],
        ...(r.commands.orphans
          ? [
              row('orphans', 'orphans', ['', '', `≤ ${TARGETS.orphansMs} ms`, verdict(r.verdicts.orphans!)]),
              ...(m.orphansConfig ? [row('orphans, YAML config found', 'orphansConfig', ['', '', `≤ ${TARGETS.orphansMs} ms`, verdict(r.verdicts.orphansConfig!)])] : []),
            ]
          : [['orphans', 'n/a (command not available)', '', '', '', '', '', '', '', '', `≤ ${TARGETS.orphansMs} ms`, '']]),
        row('dnssync --version (startup)', 'startup'),
        row('node -e 0 (Node alone)', 'node'),
      );
    }
    rows.push(
      ['peak RSS of dnssync', `${rss.toFixed(0)} MB`, '', '', '', '', '', '', `(${r.peakRss.phase})`, r.peakRssOverL === undefined ? '' : `${times(r.peakRssOverL)} L`, ...rssTarget],
      ['database (file + wal)', megabytes(r.database.finalBytes), '', '', '', '', '', '', `${megabytes(r.database.afterInitialBytes)} after initial`, '', '', ''],
    );
    out.push(table(rows));
    out.push(
      `by wall time, against SPEC §8's targets: no-op ${times(r.ratios.noopOverFetch)} bare fetch (≤ ${TARGETS.noopOverFetch}×: ${verdict(r.verdicts.noopOverFetch)}), ` +
        `initial ${times(r.ratios.initialOverPost)} bare POST loop (≤ ${TARGETS.initialOverPost}×: ${verdict(r.verdicts.initialOverPost)})`,
    );
    const pairs = (label: string, key: string, floor: string) => {
      const cpu = m[key]?.cpu && m[floor]?.cpu ? pairedRatio(m[key]!.cpu!, m[floor]!.cpu!).samples : [];
      return cpu.length > 1 ? `${label} ${cpu.map(times).join(', ')}` : null;
    };
    const paired = [pairs('initial', 'initial', 'barePost'), pairs('no-op', 'noop', 'bareFetch')].filter(Boolean);
    if (paired.length > 0) out.push(`cpu ratio of each pair, a floor then its sync (the column is their median): ${paired.join('; ')}`);
    if (m.startup && (m.history || m.orphans)) {
      const net = (key: string) => (m[key] ? `${key} ${duration(m[key]!.median - m.startup!.median)}` : null);
      out.push(`net of start-up (median minus dnssync --version): ${[net('history'), net('orphans'), net('orphansConfig')].filter(Boolean).join(', ')}`);
      if (m.node) out.push(`Node alone (node -e 0) ${duration(m.node.median)} in the same rounds: dnssync --version ${duration(m.startup.median - m.node.median)} more`);
    }
    const busy = (key: string, label: string) => {
      const x = m[key];
      if (!x?.cpu || !x.simCpu) return null;
      const cores = (x.cpu.median + x.simCpu.median) / x.median;
      return `${label} ${cores.toFixed(2)} (${duration(x.cpu.median)} + simulator ${duration(x.simCpu.median)} in ${duration(x.median)})`;
    };
    const cores = [busy('barePost', 'bare POST loop'), busy('initial', 'initial'), busy('bareFetch', 'bare fetch'), busy('noop', 'no-op')].filter(Boolean);
    if (cores.length > 0) out.push(`CPUs kept busy (process + simulator CPU time over wall time, medians; ${cpus().length} here): ${cores.join('; ')}`);
    const mainCpu = (key: string, label: string, floor?: string) => {
      const x = m[key]?.mainCpu?.median;
      const f = floor ? m[floor]?.mainCpu?.median : undefined;
      return x === undefined ? null : `${label} ${duration(x)}${f ? ` (${times(x / f)})` : ''}`;
    };
    const mains = [mainCpu('barePost', 'bare POST loop'), mainCpu('initial', 'initial', 'barePost'), mainCpu('bareFetch', 'bare fetch'), mainCpu('noop', 'no-op', 'bareFetch')].filter(Boolean);
    if (mains.length > 0) out.push(`main thread's own CPU time (medians; with cores to spare, the least wall time it allows): ${mains.join(', ')}`);
    const beside = (key: string, label: string) => {
      const x = m[key];
      if (!x?.helperCpu) return null;
      const worker = x.workerCpu && x.workerCpu.median > 0 ? `write thread ${duration(x.workerCpu.median)}, ` : '';
      return `${label} ${worker}helpers ${duration(x.helperCpu.median)}`;
    };
    const besides = [beside('barePost', 'bare POST loop'), beside('initial', 'initial'), beside('bareFetch', 'bare fetch'), beside('noop', 'no-op')].filter(Boolean);
    if (besides.length > 0) out.push(`CPU time beside the main thread (medians; helpers: V8's and libuv's threads, garbage collection and the compiler): ${besides.join('; ')}`);
    if (s.latencyBoundPerController !== null) {
      const reached = (key: string, label: string) => {
        const rate = m[key]?.requestsPerSecondPerController?.median;
        return rate === undefined ? null : `${label} ${rate.toFixed(0)} (${percent(rate / s.latencyBoundPerController!)})`;
      };
      out.push(
        `latency bound: ${CONCURRENCY} requests in flight per controller ÷ ${s.latencyMs} ms = ${s.latencyBoundPerController.toFixed(0)} requests/s per controller at most; reached: ` +
          [reached('barePost', 'bare POST loop'), reached('initial', 'initial'), reached('bareFetchWork', 'bare fetch (work)'), reached('noop', 'no-op')].filter(Boolean).join(', '),
      );
    }
    out.push(
      `peak RSS by phase: ${Object.entries(r.peakRssMb).map(([k, v]) => `${k} ${v.toFixed(0)} MB`).join(', ')}; simulator ${r.simulator.peakRssMb?.toFixed(0) ?? '?'} MB`,
      `rows changed per run (total_changes): ${Object.entries(r.rowsChanged).map(([k, v]) => `${k} ${v}`).join(', ')}`,
      `database rows: ${Object.entries(r.database.rows).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    );
    const failed = r.checks.filter((c) => !c.ok);
    out.push(failed.length === 0 ? `checks: all ${r.checks.length} passed` : `checks: ${failed.length} of ${r.checks.length} FAILED:\n${failed.map((c) => `  - ${c.what}: ${c.detail}`).join('\n')}`);
    if (r.profiles) for (const [name, p] of Object.entries(r.profiles)) out.push(`\nprofile, ${r.load} ${name}:\n${formatProfile(p)}`);
  }
  const scale = scaling(results);
  if (scale) {
    out.push(
      `\n2L against L: peak RSS ${scale['2L'].toFixed(0)} MB against ${scale.L.toFixed(0)} MB = ${times(scale.ratio)} ` +
        `(target ≤ ${TARGETS.peakRss2LOverL}×: ${verdict(scale.met)}; 2L has twice L's policies)`,
    );
  }
  return out.join('\n');
}
