import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../support/cli.ts';
import { tempDir } from '../support/tmp.ts';

const dir = tempDir();
const db = join(dir, 'x.db');

// Through the real CLI with stderr a pipe, where the log format is JSON lines by default.
describe('usage errors are one plain line on stderr, whatever the log format', () => {
  const cases: Array<[name: string, args: string[], line: string]> = [
    ['an unknown option', ['migrate', '--frobnicate'], "dnssync: unknown option '--frobnicate' (see dnssync migrate --help)"],
    ['a bad option value', ['history', '--status', 'EXPLODED', '--db', db], /^dnssync: option '--status <status>' argument 'EXPLODED' is invalid\. expected one of CREATED, .* \(see dnssync history --help\)$/.source],
    ['an unknown command, with commander\'s suggestion on the same line', ['histroy'], "dnssync: unknown command 'histroy' (Did you mean history?) (see dnssync --help)"],
    ['a usage error a command raises', ['history', '--since', 'yesterday-ish', '--db', db], /^dnssync: --since yesterday-ish: expected a duration .* \(see dnssync history --help\)$/.source],
    ['a bad --log-format', ['--log-format', 'xml', 'migrate', '--db', db], "dnssync: --log-format: expected text or json, got 'xml' (see dnssync migrate --help)"],
  ];
  for (const [name, args, line] of cases) {
    for (const format of [[], ['--log-format', 'json'], ['--log-format', 'text']]) {
      if (args.includes('--log-format') && format.length > 0) continue;
      it(`${name}${format.length ? ` (${format.join(' ')})` : ''}`, async () => {
        const result = await runCli([...format, ...args]);
        assert.equal(result.code, 2, result.stderr);
        assert.equal(result.stdout, '');
        const lines = result.stderr.split('\n');
        assert.equal(lines.length, 2, result.stderr);
        assert.equal(lines[1], '');
        if (line.startsWith('^')) assert.match(lines[0]!, new RegExp(line));
        else assert.equal(lines[0], line);
        assert.throws(() => JSON.parse(lines[0]!), 'not a JSON log line');
      });
    }
  }

  it('a bad DNSSYNC_WRITE_THREAD, before the config or the database is touched', async () => {
    const result = await runCli(['sync', '--db', join(dir, 'thread.db'), '--config', join(dir, 'missing.yaml')], { env: { DNSSYNC_WRITE_THREAD: 'yes' } });
    assert.equal(result.code, 2, result.stderr);
    assert.equal(result.stderr, "dnssync: DNSSYNC_WRITE_THREAD: expected auto, on or off, got 'yes' (see dnssync sync --help)\n");
    assert.ok(!existsSync(join(dir, 'thread.db')), 'no database created');
  });

  it('leaves other errors to the logger: JSON lines on a pipe', async () => {
    const result = await runCli(['history', '--db', join(dir, 'missing', 'x.db')]);
    assert.equal(result.code, 1, result.stderr);
    const entry = JSON.parse(result.stderr.trim());
    assert.equal(entry.level, 'error');
  });
});
