// Floor for the initial sync (SPEC §8 "bare POST loop"): the creates the initial sync makes
// (every site gets a copy of every other site's native records, with the origin's attributes),
// sent with `concurrency` in flight per controller, controllers in parallel. The answer is read
// and parsed; nothing is recorded. Reading the natives first is not timed.
// Usage: node bench/bare-post.ts TARGET.json → one JSON line {ms, cpuMs, mainBusyMs, mainCpuMs, requests, created, failed, readMs}
// (ms, cpuMs and the main thread's busy time of the POST loop alone).
import { Api, cpuMs, inParallel, mainBusySince, mainCpuMs, readTarget, type ListedPolicy } from './floor-http.ts';

const target = readTarget(process.argv[2]);
const apis = target.controllers.map((c) => new Api(c.url, c.apiKey, target.concurrency));

// Untimed: what each site has natively.
const readStarted = performance.now();
const sitesOf = await Promise.all(
  apis.map(async (api) => {
    const sites = await api.all<{ id: string }>('/sites');
    const out: Array<{ id: string; natives: ListedPolicy[] }> = [];
    await inParallel(sites, target.concurrency, async (site) => {
      out.push({ id: site.id, natives: await api.all<ListedPolicy>(`/sites/${site.id}/dns/policies`) });
    });
    return out;
  }),
);
const records = new Map<string, { type: string; enabled: boolean; domain: string; ipv4Address: string; ttlSeconds: number }>();
for (const sites of sitesOf) {
  for (const site of sites) {
    for (const p of site.natives) {
      if (p.type !== 'A_RECORD' || (p.metadata?.origin ?? 'USER_DEFINED') !== 'USER_DEFINED') continue;
      records.set(`${p.domain}:${p.ipv4Address}`, { type: p.type, enabled: p.enabled, domain: p.domain, ipv4Address: p.ipv4Address!, ttlSeconds: p.ttlSeconds ?? 0 });
    }
  }
}
const work = sitesOf.map((sites) => {
  const creates: Array<{ siteId: string; body: object }> = [];
  for (const site of sites) {
    const own = new Set(site.natives.map((p) => `${p.domain}:${p.ipv4Address}`));
    for (const [key, body] of records) if (!own.has(key)) creates.push({ siteId: site.id, body });
  }
  return creates;
});
const readMs = performance.now() - readStarted;
for (const api of apis) api.requests = 0;

// Timed: the POST loop.
const started = performance.now();
const cpuStarted = cpuMs();
const mainCpuStarted = mainCpuMs();
const eluStarted = performance.eventLoopUtilization();
let created = 0;
let failed = 0;
await Promise.all(
  apis.map((api, c) =>
    inParallel(work[c]!, target.concurrency, async ({ siteId, body }) => {
      const answer = await api.post<{ id?: string }>(`/sites/${siteId}/dns/policies`, body);
      if (answer.status === 201 && typeof answer.body.id === 'string') created += 1;
      else failed += 1;
    }),
  ),
);
const ms = performance.now() - started;
const cpu = cpuMs() - cpuStarted;
const mainBusyMs = mainBusySince(eluStarted);
const mainCpu = mainCpuMs() - mainCpuStarted;
const requests = apis.reduce((n, api) => n + api.requests, 0);
await Promise.all(apis.map((api) => api.close()));
process.stdout.write(`${JSON.stringify({ ms, cpuMs: cpu, mainBusyMs, mainCpuMs: mainCpu, requests, created, failed, readMs })}\n`);
