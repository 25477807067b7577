import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';

// src/unifi/undici.ts loads only the parts of undici dnssync uses: not its entry point, which
// loads everything and wakes the undici bundled inside Node too (45 ms of every sync's start-up).
test('the UniFi client loads neither undici whole nor the undici inside Node', () => {
  const script = `
    const before = new Set(process.moduleLoadList);
    await import(${JSON.stringify(new URL('../../src/unifi/client.ts', import.meta.url).href)});
    const loaded = Object.keys(require.cache ?? {});
    console.log(JSON.stringify({
      nodeUndici: process.moduleLoadList.filter((m) => !before.has(m) && m.includes('undici')),
      fetchParts: loaded.filter((f) => /undici[\\\\/]lib[\\\\/](web|cookies)/.test(f)).length,
      pool: loaded.some((f) => /undici[\\\\/]lib[\\\\/]dispatcher[\\\\/]pool\\.js$/.test(f)),
    }));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', `import { createRequire } from 'node:module'; const require = createRequire(import.meta.url); ${script}`], { encoding: 'utf8' });
  assert.deepEqual(JSON.parse(out), { nodeUndici: [], fetchParts: 0, pool: true });
});
