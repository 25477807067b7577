import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createOutput, type Output } from '../../src/cli/output.ts';
import { renderEvents, renderRuns } from '../../src/cli/render/history.ts';
import { tableTime } from '../../src/cli/render/time.ts';
import type { HistoryEvent, RunRow } from '../../src/store/history.ts';

// Tables show local time: this file's expectations are written for UTC.
process.env.TZ = 'UTC';

/** An Output without colour that collects what it is given, as a pipe would. */
function captured(): { output: Output; text: () => string } {
  let text = '';
  const stream = { write: (chunk: string) => ((text += chunk), true) };
  return { output: createOutput(stream as never, false), text: () => text };
}

function event(id: number, fields: Partial<HistoryEvent>): HistoryEvent {
  return {
    id,
    timestamp: '2026-11-22T12:00:00.000Z',
    runId: 7,
    status: 'CREATED',
    type: 'A_RECORD',
    domain: 'web.lan',
    target: '10.0.0.5',
    site: 'beta',
    siteUuid: '00000000-0000-0000-0000-000000000002',
    controller: 'c1.lan',
    reason: null,
    ...fields,
  };
}

function runRow(id: number, fields: Partial<RunRow>): RunRow {
  return {
    id,
    startedAt: '2026-11-22T12:00:00.000Z',
    finishedAt: '2026-11-22T12:00:00.250Z',
    mode: 'sync',
    host: 'cron-1',
    pid: 4242,
    user: 'dnssync',
    version: '0.1.0',
    policy: 'sync',
    outcome: 'success',
    state: 'finished',
    exitCode: 0,
    sitesOk: 3,
    sitesFailed: 0,
    created: 0,
    updated: 0,
    deleted: 0,
    skipped: 0,
    failed: 0,
    plannedCreate: 0,
    plannedUpdate: 0,
    plannedDelete: 0,
    plannedSkip: 0,
    ...fields,
  };
}

const EVENTS: HistoryEvent[] = [
  event(3, { timestamp: '2026-11-22T12:00:01.987Z', status: 'SKIPPED', type: 'CNAME_RECORD', domain: 'www.lan', target: 'web.lan', reason: 'native CNAME at www.lan' }),
  event(2, { timestamp: '2026-11-22T12:00:00Z', runId: null, status: 'ORPHANED', type: 'AAAA_RECORD', domain: 'v6.lan', target: '2001:db8::1', site: null, siteUuid: null, controller: null }),
  event(1, {}),
];

describe('history: events', () => {
  it('prints a table with one row per event, types without _RECORD, times to the second, the site as controller/site, blanks for nulls', () => {
    const { output, text } = captured();
    renderEvents(EVENTS, output, false);
    assert.equal(
      text(),
      [
        '┌─────────────────────┬─────┬──────────┬───────┬─────────┬─────────────┬─────────────┬─────────────────────────┐',
        '│ time                │ run │ status   │ type  │ domain  │ target      │ site        │ reason                  │',
        '├─────────────────────┼─────┼──────────┼───────┼─────────┼─────────────┼─────────────┼─────────────────────────┤',
        '│ 2026-11-22 12:00:01 │ 7   │ SKIPPED  │ CNAME │ www.lan │ web.lan     │ c1.lan/beta │ native CNAME at www.lan │',
        '│ 2026-11-22 12:00:00 │     │ ORPHANED │ AAAA  │ v6.lan  │ 2001:db8::1 │             │                         │',
        '│ 2026-11-22 12:00:00 │ 7   │ CREATED  │ A     │ web.lan │ 10.0.0.5    │ c1.lan/beta │                         │',
        '└─────────────────────┴─────┴──────────┴───────┴─────────┴─────────────┴─────────────┴─────────────────────────┘',
        '',
      ].join('\n'),
    );
  });

  it('says after the table how many events the filters match when --limit cut the list', () => {
    const { output, text } = captured();
    renderEvents(EVENTS, output, false, 1234);
    assert.match(text(), /┘\nshowing 3 of 1,234 events \(--limit shows more\)\n$/);
    const whole = captured();
    renderEvents(EVENTS, whole.output, false, 3);
    assert.match(whole.text(), /┘\n$/, 'nothing cut: no line');
  });

  it('never adds that line to JSON lines', () => {
    const { output, text } = captured();
    renderEvents(EVENTS, output, true, 1234);
    assert.equal(text().trimEnd().split('\n').length, 3);
    assert.doesNotMatch(text(), /showing/);
  });

  it('prints one line when there are no events', () => {
    const { output, text } = captured();
    renderEvents([], output, false);
    assert.equal(text(), 'no events\n');
  });

  it('prints JSON lines, one event each, every field as stored', () => {
    const { output, text } = captured();
    renderEvents(EVENTS.slice(1), output, true);
    const lines = text().split('\n');
    assert.equal(lines.pop(), '');
    assert.equal(lines.length, 2);
    assert.deepEqual(lines.map((l) => JSON.parse(l) as unknown), EVENTS.slice(1));
    assert.equal(
      lines[0],
      '{"id":2,"timestamp":"2026-11-22T12:00:00Z","runId":null,"status":"ORPHANED","type":"AAAA_RECORD","domain":"v6.lan","target":"2001:db8::1","site":null,"siteUuid":null,"controller":null,"reason":null}',
    );
  });

  it('prints nothing at all for no events with --json (no table, no "no events")', () => {
    const { output, text } = captured();
    renderEvents([], output, true);
    assert.equal(text(), '');
  });
});

describe('history: runs', () => {
  const RUNS: RunRow[] = [
    runRow(6, { startedAt: '2026-11-22T12:10:00.000Z', finishedAt: null, outcome: null, state: 'running', exitCode: null, sitesOk: 0 }),
    runRow(5, { startedAt: '2026-11-22T12:08:00.000Z', finishedAt: null, outcome: null, state: 'interrupted', exitCode: null, sitesOk: 0 }),
    runRow(4, {
      startedAt: '2026-11-22T12:05:00.000Z',
      finishedAt: '2026-11-22T12:07:05.000Z',
      outcome: 'partial',
      exitCode: 3,
      sitesOk: 2,
      sitesFailed: 1,
      ...{ plannedCreate: 13, plannedSkip: 2, created: 12, skipped: 2, failed: 1 },
    }),
    runRow(3, { startedAt: '2026-11-22T12:04:00.000Z', finishedAt: '2026-11-22T12:04:12.345Z', outcome: 'refused', exitCode: 4, plannedUpdate: 2, plannedDelete: 40 }),
    runRow(2, { finishedAt: '2026-11-22T12:00:00.000Z', outcome: null }),
    runRow(1, {}),
  ];

  it('prints a table: durations in ms, s or min, planned beside done, "running" and "interrupted" for unfinished runs, no mode', () => {
    const { output, text } = captured();
    renderRuns(RUNS, output, false);
    assert.equal(
      text(),
      [
        '┌─────┬─────────────────────┬───────────┬─────────────┬─────────────────────┬─────────────────────────────────┬─────────────────┬────────┬──────┐',
        '│ run │ started             │ duration  │ outcome     │ planned             │ done                            │ sites ok/failed │ host   │ pid  │',
        '├─────┼─────────────────────┼───────────┼─────────────┼─────────────────────┼─────────────────────────────────┼─────────────────┼────────┼──────┤',
        '│ 6   │ 2026-11-22 12:10:00 │           │ running     │                     │                                 │                 │ cron-1 │ 4242 │',
        '│ 5   │ 2026-11-22 12:08:00 │           │ interrupted │                     │                                 │                 │ cron-1 │ 4242 │',
        '│ 4   │ 2026-11-22 12:05:00 │ 2 min 5 s │ partial     │ 13 create, 2 skip   │ 12 created, 2 skipped, 1 failed │ 2/1             │ cron-1 │ 4242 │',
        '│ 3   │ 2026-11-22 12:04:00 │ 12.3 s    │ refused     │ 2 update, 40 delete │ nothing                         │ 3/0             │ cron-1 │ 4242 │',
        '│ 2   │ 2026-11-22 12:00:00 │ 0 ms      │             │ nothing             │ nothing                         │ 3/0             │ cron-1 │ 4242 │',
        '│ 1   │ 2026-11-22 12:00:00 │ 250 ms    │ success     │ nothing             │ nothing                         │ 3/0             │ cron-1 │ 4242 │',
        '└─────┴─────────────────────┴───────────┴─────────────┴─────────────────────┴─────────────────────────────────┴─────────────────┴────────┴──────┘',
        '',
      ].join('\n'),
    );
  });

  it('says after the table how many runs the filters match when --limit cut the list', () => {
    const { output, text } = captured();
    renderRuns(RUNS, output, false, 1_000_000);
    assert.match(text(), /┘\nshowing 6 of 1,000,000 runs \(--limit shows more\)\n$/);
  });

  it('prints one line when there are no runs', () => {
    const { output, text } = captured();
    renderRuns([], output, false);
    assert.equal(text(), 'no runs\n');
  });

  it('prints JSON lines, one run each, and nothing for no runs', () => {
    const { output, text } = captured();
    renderRuns(RUNS.slice(0, 2), output, true);
    renderRuns([], output, true);
    assert.equal(text(), RUNS.slice(0, 2).map((r) => JSON.stringify(r) + '\n').join(''));
  });

  /** The duration cell of a run that took `ms`. */
  const durationOf = (ms: number) => {
    const { output, text } = captured();
    const started = Date.parse('2026-11-22T12:00:00.000Z');
    renderRuns([runRow(1, { finishedAt: new Date(started + ms).toISOString() })], output, false);
    return text().split('\n')[3]!.split('│')[3]!.trim();
  };

  it('words durations at the edges of each unit', () => {
    const cases: Array<[ms: number, shown: string]> = [
      [0, '0 ms'],
      [999, '999 ms'],
      [1000, '1.0 s'],
      [1049, '1.0 s'],
      [1050, '1.1 s'],
      [59_000, '59.0 s'],
      [60_000, '1 min 0 s'],
      [61_400, '1 min 1 s'],
      [61_500, '1 min 2 s'],
      [3_600_000, '60 min 0 s'],
    ];
    assert.deepEqual(cases.map(([ms]) => [ms, durationOf(ms)]), cases);
  });

  it('never shows 60 seconds beside the minutes', () => {
    assert.equal(durationOf(119_600), '2 min 0 s');
    assert.equal(durationOf(60_500 + 59_000), '2 min 0 s');
  });
});

describe('tableTime: local time to the second', () => {
  const cases: Array<[zone: string, iso: string, shown: string]> = [
    ['UTC', '2026-11-22T12:00:00.000Z', '2026-11-22 12:00:00'],
    ['UTC', '2026-11-22T12:00:00.5Z', '2026-11-22 12:00:00'],
    ['UTC', '2026-11-22T12:00:00Z', '2026-11-22 12:00:00'],
    ['UTC', '2026-11-22T23:59:59.999Z', '2026-11-22 23:59:59'],
    ['Europe/Berlin', '2026-11-20T09:49:03.120Z', '2026-11-20 10:49:03'],
    ['Europe/Berlin', '2026-07-01T22:30:00.000Z', '2026-07-02 00:30:00'],
    ['America/New_York', '2026-01-01T03:00:00.000Z', '2025-12-31 22:00:00'],
    ['UTC', 'not a time', 'not a time'],
  ];
  for (const [zone, iso, shown] of cases) {
    it(`${iso} in ${zone} → ${shown}`, () => {
      process.env.TZ = zone;
      try {
        assert.equal(tableTime(iso), shown);
      } finally {
        process.env.TZ = 'UTC';
      }
    });
  }
});

describe('history output without colour', () => {
  it('writes no ANSI escape into a pipe', () => {
    const { output, text } = captured();
    renderEvents(EVENTS, output, false);
    renderRuns([runRow(1, {})], output, false);
    assert.equal(output.color, false);
    assert.ok(!text().includes('\u001b'), JSON.stringify(text()));
  });
});
