// Floor for the no-op sync (SPEC §8 "bare fetch"): pages every list dnssync reads (info, sites,
// every site's policies at limit=200) with `concurrency` requests in flight per controller,
// controllers in parallel, and parses the JSON. No validation, no database, no planning.
// Usage: node bench/bare-fetch.ts TARGET.json → one JSON line {ms, cpuMs, mainBusyMs, mainCpuMs, requests, sites, policies}
// (cpuMs and mainBusyMs: the whole process's CPU time and main-thread busy time, start-up
// included, as for dnssync).
import { Api, cpuMs, inParallel, mainCpuMs, mainThread, readTarget, type ListedPolicy } from './floor-http.ts';

const target = readTarget(process.argv[2]);
const started = performance.now();
let requests = 0;
let sites = 0;
let policies = 0;
await Promise.all(
  target.controllers.map(async (controller) => {
    const api = new Api(controller.url, controller.apiKey, target.concurrency);
    await api.get<{ applicationVersion: string }>('/info');
    const listed = await api.all<{ id: string }>('/sites');
    await inParallel(listed, target.concurrency, async (site) => {
      const items = await api.all<ListedPolicy>(`/sites/${site.id}/dns/policies`);
      policies += items.length;
    });
    sites += listed.length;
    requests += api.requests;
    await api.close();
  }),
);
process.stdout.write(`${JSON.stringify({ ms: performance.now() - started, cpuMs: cpuMs(), mainBusyMs: mainThread().busyMs, mainCpuMs: mainCpuMs(), requests, sites, policies })}\n`);
