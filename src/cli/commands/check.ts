import { Command } from 'commander';
import type { Config } from '../../config/types.ts';
import type { CommandResult } from '../../domain/exit-codes.ts';
import type { App, Runner } from '../app.ts';
import type { ControllerCheck } from '../render/check.ts';

interface CheckOptions {
  online?: boolean;
  json?: boolean;
}

export function checkCommand(run: Runner): Command {
  return new Command('check')
    .description('validate the config file, reporting every problem at once; with --online also ask each controller (reads only)')
    .option('--online', 'also check each controller: reachable, TLS trusted, key accepted, Network 10.1 or newer, sites listed (sends no write)')
    .option('--json', 'print one JSON document')
    .action(run(check));
}

async function check(app: App, options: CheckOptions): Promise<CommandResult> {
  const file = app.configPath();
  // Loaded only now: the schema and YAML libraries are most of a command's start-up.
  const [{ configProblems }, { renderCheck }] = await Promise.all([import('../../config/check.ts'), import('../render/check.ts')]);
  const json = options.json === true;
  const problems = configProblems(file, app.io.env);
  if (problems.length > 0) {
    renderCheck(app.output, json, { file, problems, controllers: [] });
    // The lines are the data (stdout); the log gets one line for whoever reads only that.
    app.logger.error(`${problems.length} problem${problems.length === 1 ? '' : 's'} in ${file}`);
    return { kind: 'check', problems: problems.length, online: null };
  }
  // Sound: loaded as every command loads it (its warnings logged, its keys kept out of the log).
  const config = await app.loadConfig();
  const controllers: ControllerCheck[] = options.online ? await probeAll(app, config) : config.controllers.map((c) => ({ name: c.name, url: c.url }));
  renderCheck(app.output, json, { file, problems, controllers });
  if (!options.online) return { kind: 'check', problems: 0, online: null };
  const failed = controllers.filter((c) => c.status === 'failed').length;
  return { kind: 'check', problems: 0, online: { ok: controllers.length - failed, failed } };
}

/** Every controller at once, each with the reads a sync's discovery starts with; nothing written. */
async function probeAll(app: App, config: Config): Promise<ControllerCheck[]> {
  const [{ UnifiClient }, { probeController }, { siteSelector }] = await Promise.all([
    import('../../unifi/client.ts'),
    import('../../engine/probe.ts'),
    import('../../planner/filters.ts'),
  ]);
  return Promise.all(
    config.controllers.map(async (controller): Promise<ControllerCheck> => {
      const client = new UnifiClient({ controller, concurrency: config.sync.concurrency, requestTimeoutMs: config.sync.requestTimeoutMs, logger: app.logger });
      try {
        const probe = await probeController(client);
        const base = { name: controller.name, url: controller.url, version: probe.version };
        if (probe.status === 'failed') return { ...base, status: 'failed', error: probe.error };
        const selected = probe.sites.filter(siteSelector(controller)).length;
        if (selected === 0) {
          const names = probe.sites.map((s) => s.name).join(', ');
          return { ...base, status: 'failed', sites: probe.sites.length, sitesSelected: 0, error: `sites/excludeSites select none of its sites (${names})` };
        }
        return { ...base, status: 'ok', sites: probe.sites.length, sitesSelected: selected };
      } finally {
        await client.close();
      }
    }),
  );
}
