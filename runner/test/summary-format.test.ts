// Number formats and layout rules of k6 v0.49's text summary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { humanizeBytes, humanizeDuration, humanizeValue } from '../summary/format.ts';
import { strWidth, textSummary } from '../summary/text.ts';
import { MetricsEngine } from '../metrics/engine.ts';
import { checkTrendStats, buildSummaryData } from '../summary/data.ts';

test('durations: ns, µs, ms, s, m, h with truncation; fixed units with --summary-time-unit', () => {
  const cases: Array<[number, string]> = [
    [0, '0s'],
    [0.00033, '330ns'],
    [0.0601909, '60.19µs'],
    [2.1039, '2.1ms'],
    [143.019, '143.01ms'],
    [2500, '2.5s'],
    [60000, '1m0s'],
    [59_999.999, '59.99s'],
    [90_500, '1m30s'],
    [7_201_000, '2h0m1s'],
  ];
  for (const [ms, text] of cases) assert.equal(humanizeDuration(ms, ''), text, String(ms));
  assert.equal(humanizeDuration(1234.5678, 's'), '1.23s');
  assert.equal(humanizeDuration(1.5, 'us'), '1500.00µs');
  assert.equal(humanizeDuration(1.5, 'ms'), '1.50ms');
});

test('bytes, rates and plain numbers', () => {
  assert.equal(humanizeBytes(9), '9 B');
  assert.equal(humanizeBytes(331), '331 B');
  assert.equal(humanizeBytes(4990), '5.0 kB');
  assert.equal(humanizeBytes(10_400), '10 kB');
  assert.equal(humanizeBytes(2_490_000_000), '2.5 GB');
  const rate = { type: 'rate', contains: 'default' } as const;
  assert.equal(humanizeValue(2 / 3, rate, ''), '66.66%');
  assert.equal(humanizeValue(1, rate, ''), '100.00%');
  const plain = { type: 'counter', contains: 'default' } as const;
  assert.equal(humanizeValue(1327.4265800358583, plain, ''), '1327.42658');
  assert.equal(humanizeValue(30, plain, ''), '30');
});

test('layout: groups, failed checks, marks, dots, colours only when asked', () => {
  const e = new MetricsEngine({ thresholds: { 'checks{group:::g}': ['rate==1'] } });
  e.add([
    { metric: 'checks', value: 1, time: 0, tags: { group: '::g', check: 'ok' } },
    { metric: 'checks', value: 0, time: 0, tags: { group: '::g::h', check: 'bad' } },
    { metric: 'checks', value: 1, time: 0, tags: { group: '::g::h', check: 'bad' } },
    { metric: 'checks', value: 0, time: 0, tags: { group: '::g', check: 'bad2' } },
  ]);
  e.finalize(1000);
  const data = buildSummaryData(e, { testRunDurationMs: 1000 });
  const plain = textSummary(data);
  assert.equal(
    plain,
    [
      '     █ g',
      '',
      '       ✓ ok',
      '       ✗ bad2',
      '        ↳  0% — ✓ 0 / ✗ 1',
      '',
      '       █ h',
      '',
      '         ✗ bad',
      '          ↳  50% — ✓ 1 / ✗ 1',
      '',
      '     checks............: 50.00% ✓ 2 ✗ 2',
      '     ✗ { group:::g }...: 50.00% ✓ 1 ✗ 1',
    ].join('\n'),
  );
  const colored = textSummary(data, { enableColors: true });
  assert.ok(colored.includes('     \x1b[31m✗\x1b[0m { group:::g }'), colored);
  assert.ok(colored.includes('\x1b[36m50.00%\x1b[0m'));
  assert.equal(
    colored.replace(/\x1b\[[0-9;]*m/g, ''), // eslint-disable-line no-control-regex
    plain,
  );
  assert.equal(strWidth('\x1b[36m✓ 60\x1b[0m'), 4);
});

test('summaryTrendStats entries are checked', () => {
  assert.equal(checkTrendStats(['avg', 'p(99.9)', 'count', 'med']), undefined);
  assert.match(checkTrendStats(['avg', 'p95'])!, /stat 'p95' is unknown/);
  assert.match(checkTrendStats(['p(101)'])!, /between 0 and 100/);
});
