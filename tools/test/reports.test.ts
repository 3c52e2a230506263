// lib/summary's pure functions fed with real handleSummary data (k6 v0.49 reference run) and a suite-like run.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { formatDuration, formatPercent, formatStat } from '../../lib/summary/format.ts';
import { endpoints, resilience } from '../../lib/summary/insights.ts';
import { escapeXml, junitXml } from '../../lib/summary/junit.ts';
import { parseMetricName } from '../../lib/summary/metric-name.ts';
import { markdown } from '../../lib/summary/markdown.ts';
import { buildReports, reportModel, reportPath } from '../../lib/summary/reports.ts';
import { parseThreshold, statValue, thresholdResults } from '../../lib/summary/thresholds.ts';
import type { SummaryData } from '../../lib/summary/types.ts';

// What real k6 v0.49 passed to handleSummary for a 5-iteration script with two thresholds.
const referencePath = fileURLToPath(new URL('./fixtures/handle-summary-k6-0.49.json', import.meta.url));
// A suite-shaped run: the custom metrics of lib/, per-endpoint sub-metrics, two crossed thresholds.
const fixture = fileURLToPath(new URL('./fixtures/handle-summary-suite.json', import.meta.url));
const load = (p: string): SummaryData => JSON.parse(readFileSync(p, 'utf8'));
// An empty Trend as k6 reports it when a threshold names it but nothing was added.
const zeroTrend = {
  type: 'trend' as const,
  contains: 'time' as const,
  values: { avg: 0, min: 0, med: 0, max: 0, 'p(90)': 0, 'p(95)': 0, 'p(99)': 0, count: 0 },
};

describe('threshold expressions', () => {
  it('parses aggregation, operator and limit', () => {
    assert.deepEqual(parseThreshold('p(95)<500'), { stat: 'p(95)', op: '<', limit: 500 });
    assert.deepEqual(parseThreshold(' rate <= 0.01 '), { stat: 'rate', op: '<=', limit: 0.01 });
    assert.deepEqual(parseThreshold('count>=10'), { stat: 'count', op: '>=', limit: 10 });
    assert.deepEqual(parseThreshold('p( 99.9 ) < 1e3'), { stat: 'p(99.9)', op: '<', limit: 1000 });
    assert.equal(parseThreshold('rate is low'), undefined);
  });

  it('finds percentiles by number and rate values under either name', () => {
    const trend = { type: 'trend' as const, contains: 'time' as const, values: { 'p(99)': 7, avg: 3 } };
    assert.equal(statValue(trend, 'p(99.0)'), 7);
    assert.equal(statValue(trend, 'p(95)'), undefined);
    const rate = {
      type: 'rate' as const,
      contains: 'default' as const,
      values: { rate: 0.25, passes: 1, fails: 3 },
    };
    assert.equal(statValue(rate, 'value'), 0.25);
  });
});

describe('formatting', () => {
  it('formats time, rates and counts for people', () => {
    assert.equal(formatDuration(0.6355), '636µs');
    assert.equal(formatDuration(143.012), '143.01ms');
    assert.equal(formatDuration(2500), '2.5s');
    assert.equal(formatDuration(90000), '1m30s');
    assert.equal(formatPercent(0.123456), '12.34%');
    assert.equal(formatStat({ type: 'counter', contains: 'data' }, 'rate', 274671.18), '274.7 kB/s');
    assert.equal(formatStat({ type: 'trend', contains: 'time' }, 'count', 5), '5');
  });
});

describe('sub-metric names', () => {
  it('splits base name and tags', () => {
    assert.deepEqual(parseMetricName('http_req_duration{name:token,method:POST}'), {
      base: 'http_req_duration',
      tags: { name: 'token', method: 'POST' },
    });
    assert.deepEqual(parseMetricName('http_reqs'), { base: 'http_reqs', tags: {} });
    assert.deepEqual(parseMetricName('http_req_duration{name:GET /api/v2/conversations/{conversationId}}'), {
      base: 'http_req_duration',
      tags: { name: 'GET /api/v2/conversations/{conversationId}' },
    });
    assert.deepEqual(parseMetricName('http_reqs{name:"POST /oauth/token"}').tags, {
      name: 'POST /oauth/token',
    });
  });
});

describe('reports from the k6 reference run', () => {
  const data = load(referencePath);

  it('lists both thresholds with the values k6 compared', () => {
    const rows = thresholdResults(data);
    assert.deepEqual(
      rows.map((r) => [r.metric, r.expression, r.ok, r.observed]),
      [
        ['checks', 'rate==1', true, 1],
        ['http_req_duration', 'p(99)<1500', true, data.metrics.http_req_duration.values['p(99)']],
      ],
    );
  });

  it('returns the three files under the report directory plus stdout', () => {
    const out = buildReports(data, { dir: 'reports/run-1', testName: 'smoke' });
    assert.deepEqual(Object.keys(out).sort(), [
      'reports/run-1/junit.xml',
      'reports/run-1/summary.json',
      'reports/run-1/summary.md',
      'stdout',
    ]);
    const json = JSON.parse(out['reports/run-1/summary.json']);
    assert.equal(json.passed, true);
    assert.deepEqual(json.data, data);
    assert.match(out['reports/run-1/junit.xml'], /<testsuites name="k6 smoke" tests="2" failures="0"/);
    assert.doesNotMatch(out['reports/run-1/junit.xml'], /<failure/);
    assert.match(out['reports/run-1/summary.md'], /all 2 thresholds passed/);
    assert.match(
      out['reports/run-1/summary.md'],
      /· 5 requests \(1654\.65\/s\) · 0\.00% failed · 5 iterations\n/,
    );
    assert.match(
      out['reports/run-1/summary.md'],
      /p95 latency over all requests: 636µs\. Per endpoint it needs thresholds/,
    );
    assert.match(out.stdout, /✓ http_req_duration p\(99\)<1500 +p\(99\)=672µs/);
    assert.doesNotMatch(out.stdout, /\u001b\[/, 'no colour when noColor or not a TTY');
  });

  it('writes to the current directory when no report directory is set', () => {
    assert.equal(reportPath('', 'junit.xml'), 'junit.xml');
    assert.equal(reportPath('out/', 'junit.xml'), 'out/junit.xml');
    assert.ok('summary.md' in buildReports(data, { dir: '', testName: 'smoke' }));
  });
});

describe('reports from a suite run with crossed thresholds', () => {
  const data = load(fixture);
  const out = buildReports(data, { dir: 'r', testName: 'load' });

  it('marks each crossed threshold as a JUnit failure with its observed value', () => {
    const xml = out['r/junit.xml'];
    assert.match(xml, /tests="8" failures="2"/);
    const failures = [
      ...xml.matchAll(/<testcase name="([^"]+)"[^/]*?>\s*<failure type="threshold" message="([^"]+)"/g),
    ];
    assert.deepEqual(
      failures.map((m) => [m[1], m[2]]),
      [
        [
          'http_req_duration{name:conversations} p(95)&lt;300',
          'http_req_duration{name:conversations}: p(95)=412.5ms, threshold p(95)&lt;300 crossed',
        ],
        ['rate_limited rate&lt;0.05', 'rate_limited: rate=7.50%, threshold rate&lt;0.05 crossed'],
      ],
    );
    assert.equal((xml.match(/<testcase /g) || []).length, 8);
  });

  it('reports 429s, retries, retry wait, final failures and p95 per endpoint', () => {
    const r = resilience(data);
    assert.deepEqual(r.rateLimited, { rate: 0.075, passes: 30, fails: 370 });
    assert.equal(r.retries, 42);
    assert.equal(r.retryWait?.p95, 1800);
    assert.equal(r.retryBudgetExhausted, 1);
    const rows = endpoints(data);
    assert.deepEqual(
      rows.map((e) => [e.endpoint, e.p95, e.requests]),
      [
        ['conversations', 412.5, 200],
        ['token', 35.2, undefined],
        ['users/me', 88, undefined],
      ],
    );
    assert.equal(rows[0].rateLimited?.passes, 25);

    const md = out['r/summary.md'];
    assert.match(md, /^## ❌ load: 2 of 8 thresholds crossed/);
    assert.match(
      md,
      /\nDuration 1m0\.4s · 400 requests \(6\.62\/s\) · 0\.50% failed · 100 iterations · up to 10 VUs\n/,
    );
    assert.match(md, /\| 429 responses \(`rate_limited`\) \| 7\.50% \(30 of 400\) \|/);
    assert.match(md, /\| Retries \(`retries`\) \| 42 \|/);
    assert.match(md, /\| Retry wait \(`retry_wait`\) \| avg 950ms · p95 1\.8s · max 2\.4s \(42 samples\) \|/);
    assert.match(md, /\| Final failures after retries \(`final_failures`\) \| 0\.50% \(2 of 400\) \|/);
    assert.match(md, /\| `conversations` \| 412\.5ms \| 530ms \| 210ms \| 700ms \| 200 \| 12\.50% \|/);
    assert.match(md, /\| bot::bot turn ok \| 98 \| 2 \|/);
    assert.match(md, /\| First 429 at a planned rate of \(`breakpoint_rate` min\) \| 4\.8 req\/s \|/);
    const idle = markdown(
      reportModel({ ...data, metrics: { ...data.metrics, retry_wait: zeroTrend } }, 'load'),
    );
    assert.match(idle, /\| Retry wait \(`retry_wait`\) \| none \|/);
  });

  it('keeps what setup() returned, OAuth tokens included, out of every file but shows the pre-flight line', () => {
    for (const [name, text] of Object.entries(out)) {
      assert.doesNotMatch(text, /bearer-token-that-must-not-leak/, name);
    }
    const json = JSON.parse(out['r/summary.json']);
    assert.equal(json.data.setup_data, undefined);
    assert.deepEqual(json.data.metrics, data.metrics);
    assert.match(
      out['r/summary.md'],
      /\n`pre-flight: plan peaks at 288 requests\/min per token .*; no limit crossed`\n/,
    );
  });

  it('prints a short text summary, coloured on a TTY', () => {
    const lines = out.stdout.trim().split('\n');
    const model = reportModel(data, 'load');
    assert.ok(lines.length <= model.thresholds.length + 5, `concise: ${lines.length} lines`);
    assert.match(out.stdout, /✗ load: 2 of 8 thresholds crossed/);
    assert.match(out.stdout, /429s 7\.50% \(30\) · retries 42 · retry wait p95 1\.8s/);
    assert.match(out.stdout, /first 429 at 4\.8 req\/s planned/);
    assert.match(out.stdout, /p95 per endpoint: conversations 412\.5ms · token 35\.2ms · users\/me 88ms/);
    const tty = buildReports(
      { ...data, state: { ...data.state, isStdOutTTY: true } },
      { dir: '', testName: 'x' },
    );
    assert.match(tty.stdout, /\u001b\[31m✗/);
  });

  it('reports a threshold whose statistic the summary lacks without inventing a value', () => {
    const model = reportModel(data, 'load');
    const missing = model.thresholds.find((t) => t.expression === 'p(99.9)<1000');
    assert.equal(missing?.observed, undefined);
    assert.equal(missing?.observedText, 'n/a');
  });

  it('counts retries as zero when a suite run recorded none, and only then', () => {
    const { retries, retry_budget_exhausted, ...rest } = data.metrics;
    assert.ok(retries && retry_budget_exhausted);
    const quiet = resilience({ ...data, metrics: rest });
    assert.equal(quiet.retries, 0);
    assert.equal(quiet.retryBudgetExhausted, 0);
    assert.equal(resilience(load(referencePath)).retries, undefined);
  });

  it('says when the emulator clock ran faster than real time', () => {
    const fast = buildReports(data, { dir: '', testName: 'soak', timeScale: 20 });
    assert.match(fast['summary.md'], /· emulator clock ×20 \(a platform minute lasts 3s\)\n/);
    assert.match(fast.stdout, /· emulator clock ×20\n/);
    assert.doesNotMatch(out['r/summary.md'] + out.stdout, /emulator clock/);
  });

  it('gives Web Messaging guests their own section, and a run without guests none', () => {
    const trendOf = (values: Record<string, number>) => ({
      type: 'trend' as const,
      contains: 'time' as const,
      values,
    });
    const counter = (count: number) => ({
      type: 'counter' as const,
      contains: 'default' as const,
      values: { count, rate: 1 },
    });
    const guestRun = {
      ...data,
      metrics: {
        guest_session_time: trendOf({ avg: 12000, max: 15000, 'p(95)': 14500, 'p(99)': 14900, count: 40 }),
        bot_reply_time: trendOf({ avg: 4, max: 90, 'p(95)': 9, 'p(99)': 20, count: 160 }),
        guest_messages: counter(160),
        guest_replies: counter(200),
        guest_sessions_without_goodbye: counter(2),
      },
    } as unknown as SummaryData;
    const out = buildReports(guestRun, { dir: 'r', testName: 'web-messaging' });
    const md = out['r/summary.md'];
    assert.match(md, /### Web Messaging guests\n/);
    assert.match(md, /\| Lines accepted \(`guest_messages`\) \| 160 \|/);
    assert.match(
      md,
      /\| Bot reply time \(`bot_reply_time`\) \| avg 4ms · p95 9ms · max 90ms \(160 samples\) \|/,
    );
    assert.match(md, /\| Throttled, 4029 \(`guest_throttled`\) \| 0 \|/);
    assert.match(md, /\| Sessions without goodbye \(`guest_sessions_without_goodbye`\) \| 2 \|/);
    assert.match(
      out.stdout,
      /guest lines 160 · bot replies 200 · reply p95 9ms · 4029s 0 · without goodbye 2 · errors 0/,
    );
    const rest = buildReports(data, { dir: 'r', testName: 'load' });
    assert.doesNotMatch(rest['r/summary.md'] + rest.stdout, /guest/i);
  });

  it('still writes every file when the data has no checks, state or metrics', () => {
    const out = buildReports({} as SummaryData, { dir: 'r', testName: 'empty' });
    assert.match(out['r/junit.xml'], /tests="0" failures="0"/);
    assert.match(out['r/summary.md'], /empty: no thresholds defined/);
    assert.equal(JSON.parse(out['r/summary.json']).passed, true);
  });

  it('escapes XML special characters', () => {
    assert.equal(escapeXml(`a<b & "c"\u0001`), 'a&lt;b &amp; &quot;c&quot;');
    const xml = junitXml(
      'x',
      [
        {
          metric: 'm{name:a&b}',
          expression: 'count<1',
          ok: false,
          stat: 'count',
          op: '<',
          limit: 1,
          observed: 3,
          observedText: '3',
          limitText: '1',
        },
      ],
      1000,
    );
    assert.match(xml, /name="m\{name:a&amp;b\} count&lt;1"/);
  });
});
