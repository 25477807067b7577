/**
 * `migrate` after a legacy conversion: what the first sync will do that the user should hear of
 * first (issue 17), predicted by a dry run against the controllers (it sends no write and changes
 * nothing in the database): the records it will make orphans, and when their copies would go.
 */
import { hostname, userInfo } from 'node:os';
import type { OrphanNotice } from '../../planner/orphan-notice.ts';
import type { Store } from '../../store/database.ts';
import type { App } from '../app.ts';
import { orphanNoticeJson, orphanNoticeLines } from '../render/orphan-notice.ts';
import { newClient } from './sync.ts';

export type FirstSyncPrediction =
  | { predicted: true; orphans: OrphanNotice[]; gracePeriodMs: number; policy: string; unread: string[] }
  | { predicted: false; why: string };

export async function predictFirstSync(app: App, store: Store): Promise<FirstSyncPrediction> {
  let config;
  try {
    config = await app.loadConfigIfPresent();
  } catch (error) {
    return { predicted: false, why: `the config could not be read (${(error as Error).message})` };
  }
  if (!config) return { predicted: false, why: 'no config file was found' };
  const [{ runSync }, { UnifiClient }] = await Promise.all([import('../../engine/run.ts'), import('../../unifi/client.ts')]);
  const report = await runSync(
    { config, dryRun: true, sites: [], force: false, failOnChanges: false },
    {
      store,
      clientFor: (controller) => newClient(UnifiClient, app, config, controller, () => false),
      interruption: () => null,
      identity: { host: hostname(), pid: process.pid, user: userInfo().username },
    },
  );
  const unread = [
    ...report.controllers.filter((c) => c.status === 'failed').map((c) => `controller ${c.name}`),
    ...report.sites.filter((s) => s.status === 'failed').map((s) => `site ${s.site.name} (${s.site.controllerName})`),
  ];
  return { predicted: true, orphans: report.orphaned, gracePeriodMs: config.sync.orphanGracePeriodMs, policy: config.sync.policy, unread };
}

/** The prediction as lines for `migrate`. */
export function predictionLines(p: FirstSyncPrediction): string[] {
  if (!p.predicted) {
    return [
      `the records the first sync will make orphans could not be predicted: ${p.why}; 'dnssync sync --dry-run' shows them, and 'dnssync sync --policy upsert-only' deletes nothing meanwhile`,
    ];
  }
  const lines: string[] = [];
  if (p.unread.length > 0) lines.push(`not read, so not predicted there: ${p.unread.join(', ')}`);
  if (p.orphans.length === 0) return [...lines, 'the first sync will make no record an orphan (checked against the controllers with a dry run)'];
  const n = p.orphans.length;
  const go = p.policy !== 'sync' ? `never while sync.policy is ${p.policy}` : `${p.gracePeriodMs / 60_000} min after the first sync (sync.orphanGracePeriod)`;
  return [...lines, ...orphanNoticeLines(p.orphans, `the first sync will make ${n === 1 ? '1 record an orphan' : `${n} records orphans`} (checked against the controllers with a dry run):`, go)];
}

/** The prediction in `migrate --json`. */
export function firstSyncJson(p: FirstSyncPrediction): unknown {
  if (!p.predicted) return { predicted: false, why: p.why };
  return { predicted: true, unread: p.unread, gracePeriodMs: p.gracePeriodMs, policy: p.policy, orphans: orphanNoticeJson(p.orphans) };
}
