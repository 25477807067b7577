import { Command } from 'commander';
import { UsageError } from '../../domain/errors.ts';
import type { CommandResult } from '../../domain/exit-codes.ts';
import { canonicalDomain } from '../../domain/record.ts';
import { RecordRepository } from '../../store/records.ts';
import { LegacyEvidenceRepository } from '../../store/legacy-evidence.ts';
import { RefusalRepository } from '../../store/refusals.ts';
import { StatusRepository } from '../../store/status.ts';
import type { App, Runner } from '../app.ts';

interface RecordsOptions {
  domain?: string;
  site?: string;
  json?: boolean;
}

export function recordsCommand(run: Runner): Command {
  const action = run(records);
  return new Command('records')
    .description('where each record is: its origins, the sites holding a replica, and why the others hold neither')
    .argument('[domain]', 'a domain, exact (nas.home.arpa, any case, trailing dot or not) or a glob (*.home.arpa)')
    .option('--site <name|uuid>', 'only this site (name, internalReference or uuid)')
    .option('--json', 'print one JSON document')
    // run() hands on one argument: the domain goes in with the options.
    .action((domain: string | undefined, options: RecordsOptions) => action({ ...options, domain }));
}

async function records(app: App, options: RecordsOptions): Promise<CommandResult> {
  // Canonical as stored: any case, trailing dot or not.
  const pattern = options.domain === undefined ? undefined : canonicalDomain(options.domain);
  if (pattern === '') throw new UsageError(`records: '${options.domain}' is not a domain`);
  const store = await app.openStore({ create: false, readOnly: true });
  try {
    // The config is optional: it adds the reasons only it knows (filters, originScope, excluded sites).
    const config = await app.loadSettingsIfPresent();
    const repo = new RecordRepository(store.db);
    const sites = repo.sites();
    let only: Set<number> | null = null;
    if (options.site !== undefined) {
      const name = options.site.toLowerCase();
      only = new Set(sites.filter((s) => [s.name, s.internalReference, s.uuid].some((n) => n.toLowerCase() === name)).map((s) => s.key));
      if (only.size === 0) throw new UsageError(`--site ${options.site}: no such site in ${app.dbPath}`);
    }
    // Loaded only now: the planner's rules give the reasons, and no other read-only command needs them.
    const [{ globToRegExp }, { recordsJson, renderRecords }] = await Promise.all([import('../../planner/filters.ts'), import('../render/records.ts')]);
    const match = domainMatch(pattern, globToRegExp);
    const input = {
      config,
      records: repo.records().filter((r) => match(r.domain)),
      sites,
      only,
      originSites: (r: { id: string }) => new Set(repo.originSites(r.id)),
      replicaSites: (r: { id: string }) => repo.replicaSites(r.id),
      refusals: new RefusalRepository(store.db).all(),
      lastEvent: repo.lastEvent.bind(repo),
      lastRunStartedAt: new StatusRepository(store.db).lastFinishedRun()?.startedAt ?? null,
      now: Date.now(),
      undecided: new Set(
        new LegacyEvidenceRepository(store.db)
          .all()
          .filter((e) => e.verdict === 'undecided')
          .map((e) => `${e.controllerHost}|${e.uuid}|${e.recordId}`),
      ),
    };
    if (options.json) app.output.json(recordsJson(input));
    else renderRecords(input, app.output, `no record${options.domain === undefined ? 's' : ` matches ${options.domain}`}${options.site === undefined ? '' : ` at site ${options.site}`}`);
    return { kind: 'done' };
  } finally {
    store.close();
  }
}

/** Every domain, one exactly, or a glob with `*` and `?` (as history's --record). */
function domainMatch(pattern: string | undefined, glob: (pattern: string) => RegExp): (domain: string) => boolean {
  if (pattern === undefined) return () => true;
  if (!/[*?]/.test(pattern)) return (domain) => domain === pattern;
  const re = glob(pattern);
  return (domain) => re.test(domain);
}
