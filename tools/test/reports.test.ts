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
import { webSockets } from '../../lib/summary/websockets.ts';

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

  it("shows the notification stream's counts and what polling would have cost, only for a run with one", () => {
    assert.equal(reportModel(data, 'load').webSockets, undefined);
    const counter = (count: number) => ({
      type: 'counter' as const,
      contains: 'default' as const,
      values: { count, rate: 1 },
    });
    const metrics = {
      ...data.metrics,
      event_lag: { ...zeroTrend, values: { ...zeroTrend.values, 'p(95)': 513, count: 12 } },
      events_received: counter(12),
      events_missed: counter(0),
      stream_reconnects: counter(3),
      polling_requests_saved: counter(36),
      stream_requests: counter(13),
    };
    const run = buildReports({ ...data, metrics }, { dir: '', testName: 'notifications' });
    assert.match(
      run.stdout,
      /  stream: events 12 · missed 0 · reconnects 3 · event lag p95 513ms · polling would have sent 36 GETs, the stream 13 calls \(saved 23\)\n/,
    );
    assert.match(
      run['summary.md'],
      /\| GETs the analytics-lag polling would have sent \(`polling_requests_saved`\) \| 36 \|/,
    );
    assert.match(run['summary.md'], /\| Stream reconnects \(`stream_reconnects`\) \| 3 \|/);
    assert.match(
      run['summary.md'],
      /\| Calls the stream spent instead \(`stream_requests`\) \| 13 \(saved 23\) \|/,
    );
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
    assert.match(md, /### WebSockets\n/);
    assert.match(
      md,
      /\| Guest lines accepted \/ bot messages \(`guest_messages \/ guest_replies`\) \| 160 \/ 200 \|/,
    );
    assert.match(
      md,
      /\| Guest visit time \(`guest_session_time`\) \| avg 12s · p95 14\.5s · max 15s \(40 samples\) \|/,
    );
    assert.match(
      md,
      /\| Bot reply time \(`bot_reply_time`\) \| avg 4ms · p95 9ms · max 90ms \(160 samples\) \|/,
    );
    assert.match(md, /\| Throttled guest messages \(4029\) \(`guest_throttled`\) \| 0 \|/);
    assert.match(
      md,
      /\| Sessions ended without the bot's goodbye \(`guest_sessions_without_goodbye`\) \| 2 \|/,
    );
    assert.match(
      out.stdout,
      /  guests: lines 160 · bot messages 200 · bot reply p95 9ms · throttled 0 · without goodbye 2 · errors 0\n/,
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

describe('WebSocket figures beside the REST ones', () => {
  // What real k6 v2.2.0 passed to handleSummary for a k6/ws script recording the suite's WebSocket metrics:
  // 4 sessions, one message each way, no 4029 (so k6 left guest_throttled out).
  const wsPath = fileURLToPath(new URL('./fixtures/handle-summary-ws-k6-2.2.json', import.meta.url));
  const data = load(wsPath);
  const files = buildReports(data, { dir: 'reports/run', testName: 'web-messaging', timeScale: 1 });

  it("reads k6's ws_* metrics and the guest and stream metrics, a counter k6 left out as zero", () => {
    const ws = webSockets(data)!;
    assert.equal(ws.sessions, 4);
    assert.equal(ws.msgsSent, 4);
    assert.equal(ws.msgsReceived, 4);
    // k6's default summaryTrendStats carry no count.
    assert.equal(ws.connecting?.count, undefined);
    assert.ok(ws.connecting!.p95! > 0 && ws.connecting!.p95! <= ws.connecting!.max!);
    assert.ok(ws.botReplyTime!.p95! >= 0);
    assert.equal(ws.guestMessages, 4);
    assert.equal(ws.guestReplies, 4);
    assert.equal(ws.guestThrottled, 0);
    assert.equal(ws.eventsReceived, 4);
    assert.equal(ws.eventsMissed, 0);
    assert.equal(ws.pollsSaved, 12);
    assert.equal(webSockets(load(referencePath)), undefined, 'a run without WebSockets has no such figures');
  });

  it('shows the same rows in summary.md, on stdout and as JUnit properties', () => {
    const md = files['reports/run/summary.md'];
    assert.match(md, /### WebSockets/);
    assert.match(md, /\| WebSocket sessions \(`ws_sessions`\) \| 4 \|/);
    assert.match(
      md,
      /\| Guest lines accepted \/ bot messages \(`guest_messages \/ guest_replies`\) \| 4 \/ 4 \|/,
    );
    assert.match(md, /\| Throttled guest messages \(4029\) \(`guest_throttled`\) \| 0 \|/);
    assert.match(md, /GETs the analytics-lag polling would have sent \(`polling_requests_saved`\) \| 12 \|/);
    assert.ok(md.indexOf('### WebSockets') < md.indexOf('### Checks') || !md.includes('### Checks'));
    assert.match(
      files.stdout,
      /\n  ws: sessions 4 · connect p95 \S+ · frames 4 sent \/ 4 received\n  guests: lines 4 · bot messages 4 · bot reply p95 \S+ · throttled 0 · without goodbye 0 · errors 0\n  stream: events 4 · missed 0 · reconnects 0 · event lag p95 5ms · polling would have sent 12 GETs, the stream 0 calls \(saved 12\)\n/,
    );
    const xml = files['reports/run/junit.xml'];
    assert.match(xml, /<properties>[\s\S]*<property name="ws_sessions" value="4"\/>[\s\S]*<\/properties>/);
    assert.match(xml, /<property name="guest_throttled" value="0"\/>/);
    // Properties come before the testcases, as the JUnit schema orders them.
    assert.ok(xml.indexOf('</properties>') < xml.indexOf('<testcase'));
  });

  it('leaves the WebSocket section out of a REST-only run', () => {
    const rest = buildReports(load(fixture), { dir: '', testName: 'load', timeScale: 1 });
    assert.doesNotMatch(rest['summary.md'], /WebSockets/);
    assert.doesNotMatch(rest['junit.xml'], /ws_sessions/);
    assert.doesNotMatch(rest.stdout, /ws: |guests: |stream: /);
  });
});
