// summary.md: a Markdown page for a CI job summary (GitHub's $GITHUB_STEP_SUMMARY, GitLab, ...).
import { formatDuration, formatNumber, formatPercent } from './format.ts';
import type { CheckRow, EndpointRow, Guests, RateStat, Resilience, Totals, TrendStat } from './insights.ts';
import type { ThresholdResult } from './thresholds.ts';

export interface ReportModel {
  testName: string;
  timeScale: number;
  preflight?: string;
  thresholds: ThresholdResult[];
  totals: Totals;
  resilience: Resilience;
  guests?: Guests;
  endpoints: EndpointRow[];
  checks: CheckRow[];
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const code = (s: string) => '`' + s.replace(/`/g, "'") + '`';
const ms = (v: number | undefined) => (v === undefined ? '–' : formatDuration(v));
const n = (v: number | undefined) => (v === undefined ? '–' : formatNumber(v));

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;

function ratio(r: RateStat): string {
  return `${formatPercent(r.rate)} (${r.passes} of ${r.passes + r.fails})`;
}

function trendText(t: TrendStat): string {
  if (t.count === 0) return 'none';
  return `avg ${ms(t.avg)} · p95 ${ms(t.p95)} · max ${ms(t.max)} (${n(t.count)} samples)`;
}

export function verdictLine(testName: string, thresholds: ThresholdResult[]): string {
  const failed = thresholds.filter((t) => !t.ok).length;
  if (thresholds.length === 0) return `${testName}: no thresholds defined`;
  if (failed === 0) return `${testName}: all ${thresholds.length} thresholds passed`;
  return `${testName}: ${failed} of ${thresholds.length} thresholds crossed`;
}

export function markdown(model: ReportModel): string {
  const { thresholds, totals, resilience: r, endpoints, checks } = model;
  const failed = thresholds.some((t) => !t.ok);
  const out: string[] = [`## ${failed ? '❌' : '✅'} ${verdictLine(model.testName, thresholds)}`, ''];

  const facts = [`Duration ${formatDuration(totals.durationMs)}`];
  if (totals.requests !== undefined) {
    facts.push(`${plural(totals.requests, 'request')} (${formatNumber(totals.requestRate ?? 0)}/s)`);
  }
  if (totals.failedRequests) facts.push(`${formatPercent(totals.failedRequests.rate)} failed`);
  if (totals.iterations !== undefined) facts.push(plural(totals.iterations, 'iteration'));
  if (totals.vusMax !== undefined) facts.push(`up to ${plural(totals.vusMax, 'VU')}`);
  if (model.timeScale !== 1) {
    facts.push(
      `emulator clock ×${formatNumber(model.timeScale)} (a platform minute lasts ${formatDuration(60000 / model.timeScale)})`,
    );
  }
  out.push(facts.join(' · '), '');
  if (model.preflight) out.push('`' + model.preflight.replace(/`/g, "'") + '`', '');

  if (thresholds.length) {
    out.push('### Thresholds', '', '| | Metric | Threshold | Observed |', '|---|---|---|---|');
    for (const t of thresholds) {
      out.push(
        `| ${t.ok ? '✅' : '❌'} | ${code(t.metric)} | ${code(t.expression)} | ${cell(t.observedText)} |`,
      );
    }
    out.push('');
  }

  const rows: [string, string][] = [];
  if (r.rateLimited) rows.push(['429 responses (`rate_limited`)', ratio(r.rateLimited)]);
  if (r.retries !== undefined) rows.push(['Retries (`retries`)', n(r.retries)]);
  if (r.retryWait) rows.push(['Retry wait (`retry_wait`)', trendText(r.retryWait)]);
  if (r.finalFailures) rows.push(['Final failures after retries (`final_failures`)', ratio(r.finalFailures)]);
  if (r.retryBudgetExhausted !== undefined) {
    rows.push(['Retry budget exhausted (`retry_budget_exhausted`)', n(r.retryBudgetExhausted)]);
  }
  if (r.timeToAnalytics) rows.push(['Time to analytics (`time_to_analytics`)', trendText(r.timeToAnalytics)]);
  if (r.breakpointRate !== undefined) {
    rows.push([
      'First 429 at a planned rate of (`breakpoint_rate` min)',
      `${formatNumber(r.breakpointRate)} req/s`,
    ]);
  }
  if (rows.length) {
    out.push('### Rate limits and retries', '', '| | |', '|---|---|');
    for (const [k, v] of rows) out.push(`| ${k} | ${cell(v)} |`);
    out.push('');
  }

  const g = model.guests;
  if (g) {
    const rows: [string, string][] = [
      ['Lines accepted (`guest_messages`)', n(g.messages)],
      ['Bot replies (`guest_replies`)', n(g.replies)],
    ];
    if (g.replyTime) rows.push(['Bot reply time (`bot_reply_time`)', trendText(g.replyTime)]);
    if (g.sessionTime) rows.push(['Visit length (`guest_session_time`)', trendText(g.sessionTime)]);
    rows.push(['Throttled, 4029 (`guest_throttled`)', n(g.throttled)]);
    if (g.retryWait) rows.push(['Wait before a resend (`guest_retry_wait`)', trendText(g.retryWait)]);
    rows.push(['Lines given up on (`guest_retry_exhausted`)', n(g.retryExhausted)]);
    rows.push(['Sessions without goodbye (`guest_sessions_without_goodbye`)', n(g.withoutGoodbye)]);
    rows.push(['Errors (`guest_errors`)', n(g.errors)]);
    out.push('### Web Messaging guests', '', '| | |', '|---|---|');
    for (const [k, v] of rows) out.push(`| ${k} | ${cell(v)} |`);
    out.push('');
  }

  if (endpoints.length) {
    out.push('### Latency per endpoint', '', '| Endpoint | p95 | p99 | avg | max | requests | 429s |');
    out.push('|---|---|---|---|---|---|---|');
    for (const e of endpoints) {
      const requests = e.requests ?? e.count;
      const limited = e.rateLimited ? formatPercent(e.rateLimited.rate) : '–';
      out.push(
        `| ${code(e.endpoint)} | ${ms(e.p95)} | ${ms(e.p99)} | ${ms(e.avg)} | ${ms(e.max)} | ${n(requests)} | ${limited} |`,
      );
    }
    out.push('');
  } else if (totals.httpP95 !== undefined) {
    out.push(
      `p95 latency over all requests: ${formatDuration(totals.httpP95)}. ` +
        'Per endpoint it needs thresholds on `http_req_duration{name:<endpoint>}` (k6 summarises only those sub-metrics).',
      '',
    );
  }

  if (checks.length) {
    const failing = checks.filter((c) => c.fails > 0);
    out.push(
      '### Checks',
      '',
      `${checks.length - failing.length} of ${checks.length} checks always passed` +
        (totals.checks
          ? ` (${formatPercent(totals.checks.rate)} of ${totals.checks.passes + totals.checks.fails} evaluations)`
          : ''),
      '',
    );
    if (failing.length) {
      out.push('| Check | Passes | Fails |', '|---|---|---|');
      for (const c of failing) out.push(`| ${cell(c.path.replace(/^::/, ''))} | ${c.passes} | ${c.fails} |`);
      out.push('');
    }
  }
  return out.join('\n');
}
