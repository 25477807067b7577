import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createOutput, fittedWidths } from '../../src/cli/output.ts';

/** A stream that collects what is written: a terminal of `columns` when given, else a pipe. */
function stream(columns?: number) {
  let text = '';
  const fake = { isTTY: columns !== undefined, columns, write: (chunk: string) => ((text += chunk), true) };
  return { fake: fake as never, text: () => text };
}

const HEAD = ['time', 'run', 'status', 'type', 'domain', 'target', 'site', 'reason'];
const ROWS = [
  [
    '2026-11-20 10:49:03',
    12,
    'SKIPPED',
    'CNAME',
    'a-rather-long-name.with.many.labels.branch-office.example.home.arpa',
    'www.another-long-target.example.home.arpa',
    'hq-console/Branch Office',
    'refused 2026-11-20: api.dns.policy.validation.overlap-with-local-dns (the name is served locally at this site)',
  ],
  ['2026-11-20 10:49:03', 12, 'CREATED', 'A', 'nas.home.arpa', '10.0.0.10', 'home/Default', ''],
  ['2026-11-20 10:49:03', 12, 'CREATED', 'AAAA', 'v6.home.arpa', '2001:db8:85a3:0000:0000:8a2e:0370:7334', 'home/Default', ''],
];

describe('output: tables', () => {
  it('fit a terminal of 80 columns: every line at most 80 characters', () => {
    const { fake, text } = stream(80);
    createOutput(fake, false).table(HEAD, ROWS);
    const lines = text().trimEnd().split('\n');
    assert.ok(lines.length > ROWS.length + 4, 'long cells wrapped onto more lines');
    for (const line of lines) assert.ok([...line].length <= 80, `${[...line].length}: ${line}`);
    // Short columns keep their width: a status or a record type is never wrapped.
    assert.ok(lines.some((l) => /│ SKIPPED +│ CNAME +│/.test(l)), text());
  });

  it('lose nothing when they wrap: each cell is whole over the lines of its row', () => {
    const { fake, text } = stream(80);
    createOutput(fake, false).table(HEAD, ROWS.slice(0, 1));
    const lines = text().trimEnd().split('\n');
    const body = lines.slice(lines.findIndex((l) => l.startsWith('├')) + 1, -1);
    const column = (i: number) => body.map((l) => l.split('│')[i + 1]!.trim()).join(' ');
    for (let i = 0; i < HEAD.length; i++) assert.equal(column(i).replace(/\s+/g, ''), String(ROWS[0]![i]).replace(/\s+/g, ''), HEAD[i]);
  });

  it('fit a narrow terminal too, as far as the columns allow', () => {
    const { fake, text } = stream(60);
    createOutput(fake, false).table(['type', 'domain', 'target'], [['A', 'x'.repeat(120), 'y '.repeat(40)]]);
    for (const line of text().trimEnd().split('\n')) assert.ok([...line].length <= 60, line);
  });

  it('keep their natural width when they fit, on a terminal as on a pipe', () => {
    const tty = stream(400);
    const pipe = stream();
    createOutput(tty.fake, false).table(HEAD, ROWS);
    createOutput(pipe.fake, false).table(HEAD, ROWS);
    assert.equal(tty.text(), pipe.text());
  });

  it('have no width limit on a pipe', () => {
    const { fake, text } = stream();
    createOutput(fake, false).table(HEAD, ROWS);
    const lines = text().trimEnd().split('\n');
    assert.equal(lines.length, ROWS.length + 4, 'one line per row, no wrapping');
    assert.ok(Math.max(...lines.map((l) => [...l].length)) > 200);
  });

  it('count coloured cells by what shows, and never break one', () => {
    const { fake, text } = stream(50);
    const output = createOutput(fake, true);
    output.table(['outcome', 'domain'], [[output.style.red('failed'), 'z'.repeat(80)]]);
    const plain = text().replace(/\x1b\[[0-9;]*m/g, '');
    for (const line of plain.trimEnd().split('\n')) assert.ok([...line].length <= 50, line);
    assert.match(text(), /\x1b\[31mfailed\x1b\[39m/);
  });

  it('render a table of 200,000 rows, on a pipe and fitted to a terminal (`records` at L has 400,000; a call takes about 125,000 arguments)', () => {
    const rows = Array.from({ length: 200_000 }, (_, i) => ['A', `h${i}.lan`, i === 123_456 ? 'the widest cell of all' : 'x']);
    for (const columns of [undefined, 30]) {
      const { fake, text } = stream(columns);
      createOutput(fake, false).table(['type', 'domain', 'target'], rows);
      const lines = text().trimEnd().split('\n');
      assert.ok(lines.length >= rows.length + 4, `${columns}: ${lines.length} lines`);
      if (columns === undefined) {
        assert.match(lines[1]!, /^│ type │ domain +│ target +│$/);
        assert.equal([...lines[0]!].length, 4 + 6 + 13 + 24, 'each column as wide as its widest cell (h199999.lan, the one long target)');
      } else assert.ok(lines.every((line) => [...line].length <= 30), 'fits the terminal');
    }
  });

  it('fittedWidths: the widest columns give way first, to one common width; short ones stay whole', () => {
    // Content 3, 20, 40 (plus 2 of padding each) and 4 borders: 73 columns.
    assert.equal(fittedWidths([['abc', 'd'.repeat(20), 'e'.repeat(40)]], 73), null, 'fits: nothing to change');
    assert.deepEqual(fittedWidths([['abc', 'd'.repeat(20), 'e'.repeat(40)]], 72), [5, 22, 41]);
    assert.deepEqual(fittedWidths([['abc', 'd'.repeat(20), 'e'.repeat(40)]], 62), [5, 22, 31]);
    assert.deepEqual(fittedWidths([['abc', 'd'.repeat(20), 'e'.repeat(40)]], 40), [5, 15, 15]);
    assert.deepEqual(fittedWidths([['SKIPPED', 'x'.repeat(30)]], 20), [9, 8], 'a status keeps its width');
    assert.deepEqual(fittedWidths([['SKIPPED', 'x'.repeat(30)]], 14), [5, 5], 'too narrow for that: everything gives way');
  });
});

describe('output: JSON', () => {
  it('puts formatVersion 1 first in every document', () => {
    const { fake, text } = stream();
    createOutput(fake, false).json({ orphans: [], policy: 'sync' });
    assert.equal(text(), '{\n  "formatVersion": 1,\n  "orphans": [],\n  "policy": "sync"\n}\n');
    assert.deepEqual(Object.keys(JSON.parse(text())), ['formatVersion', 'orphans', 'policy']);
  });

  it('takes only an object', () => {
    const { fake } = stream();
    assert.throws(() => createOutput(fake, false).json([1, 2]), TypeError);
    assert.throws(() => createOutput(fake, false).json('text'), TypeError);
  });
});
