import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { ExitCode } from '../../src/domain/exit-codes.ts';
import { ROOT } from './manifests.ts';

const DOC = join(ROOT, 'docs', 'operations.md');
const text = readFileSync(DOC, 'utf8');

/** GitHub's anchor for a heading: lowercase, punctuation dropped, spaces to dashes. */
const anchor = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N} -]/gu, '')
    .replace(/ /g, '-');

test('operations guide: every relative link and anchor resolves', () => {
  const anchors = new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchor(m[1]!)));
  const links = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((l) => !/^[a-z]+:/.test(l));
  assert.ok(links.length > 5);
  for (const link of links) {
    const [path, hash] = link.split('#');
    if (path) assert.ok(existsSync(join(dirname(DOC), path)), `${link}: ${path} exists`);
    else assert.ok(anchors.has(hash!), `${link}: no such heading`);
  }
});

test('operations guide: the metrics it lists are exactly those sync --metrics-file writes', () => {
  const source = readFileSync(join(ROOT, 'src', 'cli', 'render', 'metrics.ts'), 'utf8');
  const written = new Set([...source.matchAll(/'(dnssync_[a-z_]+)'/g)].map((m) => m[1]!));
  const section = text.slice(text.indexOf('## The metrics file'), text.indexOf('## Troubleshooting'));
  const documented = new Set([...section.matchAll(/`(dnssync_[a-z_]+)/g)].map((m) => m[1]!));
  assert.ok(written.size > 0);
  assert.deepEqual([...documented].sort(), [...written].sort());
});

test('operations guide: the exit code table has every exit code of dnssync, and no other', () => {
  const section = text.slice(text.indexOf('## Exit codes and alerts'), text.indexOf('## The metrics file'));
  const rows = [...section.matchAll(/^\| ([\d /]+) \|/gm)].flatMap((m) => m[1]!.split('/').map((c) => Number(c.trim())));
  assert.deepEqual(rows.sort((a, b) => a - b), Object.values(ExitCode).sort((a, b) => a - b));
});

test('operations guide: the names it gives match the manifests and the Dockerfile', () => {
  const cronjob = readFileSync(join(ROOT, 'deploy', 'kubernetes', 'cronjob.yaml'), 'utf8');
  for (const name of ['dnssync-api-keys', 'dnssync-config', 'dnssync-data']) {
    assert.ok(text.includes(name), `the guide names ${name}`);
    assert.ok(cronjob.includes(name), `cronjob.yaml uses ${name}`);
  }
  assert.match(cronjob, /terminationGracePeriodSeconds: 60\b/);
  assert.match(text, /terminationGracePeriodSeconds: 60`/);
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  assert.match(dockerfile, /^USER 10001:10001$/m);
  assert.match(text, /uid\/gid 10001/);
  assert.match(text, /kubectl apply -k deploy\/kubernetes\n/);
  assert.match(text, /kubectl create secret generic dnssync-api-keys/);
});
