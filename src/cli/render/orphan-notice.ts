/**
 * The announcement of issue 17: the records the first sync after a legacy conversion makes orphans
 * (their legacy origin is nothing dnssync syncs), when their copies would go, and how to keep them.
 * `migrate` predicts it with a dry run; the first sync says it again.
 */
import type { OrphanNotice } from '../../planner/orphan-notice.ts';

export function orphanNoticeJson(orphans: readonly OrphanNotice[]): unknown[] {
  return orphans.map((o) => ({
    type: o.record.type,
    domain: o.record.domain,
    target: o.record.target,
    why: why(o),
    replicas: o.replicas,
  }));
}

/**
 * One line per record, between a header and the advice. `go` says when the copies would go:
 * a time, "15 min after the first sync", or "never while sync.policy is upsert-only".
 */
export function orphanNoticeLines(orphans: readonly OrphanNotice[], header: string, go: string): string[] {
  return [
    header,
    ...orphans.map((o) => `  ${o.record.type} ${o.record.domain} ${o.record.target}: ${why(o)}; ${o.replicas === 1 ? '1 copy goes' : `${o.replicas} copies go`} ${go}`),
    "  to keep them, run 'dnssync sync --policy upsert-only' (or set sync.policy: upsert-only) until you have checked them with 'dnssync orphans'; a native policy made at any site keeps a record",
  ];
}

function why(o: OrphanNotice): string {
  if (o.servedAs) return `served at ${o.servedAs.site.name} (${o.servedAs.site.controllerName}) as ${o.servedAs.origin}, which dnssync does not sync`;
  if (o.lastOriginSite) return `no longer native at ${o.lastOriginSite.name} (${o.lastOriginSite.controllerName}) as dnssync reads it`;
  return 'native nowhere dnssync reads (its legacy origin is no policy or client dnssync syncs)';
}
