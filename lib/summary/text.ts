// The concise end-of-test text on stdout: verdict, thresholds with values, then the few numbers that matter.
import { formatDuration, formatNumber, formatPercent } from './format.ts';
import type { ReportModel } from './markdown.ts';
import { verdictLine } from './markdown.ts';
import { webSocketLines } from './websockets.ts';

export interface TextOptions {
  color: boolean;
  /** Where the report files went, shown last ('' = current directory). */
  reportDir: string;
  files: string[];
}

export function textSummary(model: ReportModel, opts: TextOptions): string {
  const paint = (code: number, s: string) => (opts.color ? `\u001b[${code}m${s}\u001b[0m` : s);
  const { thresholds, totals, resilience: r, endpoints } = model;
  const failed = thresholds.some((t) => !t.ok);
  const lines = [
    '',
    paint(failed ? 31 : 32, `${failed ? '✗' : '✓'} ${verdictLine(model.testName, thresholds)}`),
  ];

  const width = Math.max(0, ...thresholds.map((t) => t.metric.length + t.expression.length + 1));
  for (const t of thresholds) {
    const label = `${t.metric} ${t.expression}`;
    const mark = t.ok ? paint(32, '✓') : paint(31, '✗');
    lines.push(`  ${mark} ${label}${' '.repeat(width - label.length)}  ${t.stat}=${t.observedText}`);
  }

  const traffic = [`duration ${formatDuration(totals.durationMs)}`];
  if (totals.requests !== undefined) {
    traffic.push(`requests ${totals.requests} (${formatNumber(totals.requestRate ?? 0)}/s)`);
  }
  if (totals.failedRequests) traffic.push(`failed ${formatPercent(totals.failedRequests.rate)}`);
  if (totals.httpP95 !== undefined) traffic.push(`p95 ${formatDuration(totals.httpP95)}`);
  if (totals.iterations !== undefined) traffic.push(`iterations ${totals.iterations}`);
  if (totals.checks) traffic.push(`checks ${formatPercent(totals.checks.rate)}`);
  if (model.timeScale !== 1) traffic.push(`emulator clock ×${formatNumber(model.timeScale)}`);
  lines.push(`  ${traffic.join(' · ')}`);

  const retry: string[] = [];
  if (r.rateLimited) retry.push(`429s ${formatPercent(r.rateLimited.rate)} (${r.rateLimited.passes})`);
  if (r.retries !== undefined) retry.push(`retries ${r.retries}`);
  if (r.retryWait && r.retryWait.count !== 0 && r.retryWait.p95 !== undefined)
    retry.push(`retry wait p95 ${formatDuration(r.retryWait.p95)}`);
  if (r.finalFailures) retry.push(`final failures ${formatPercent(r.finalFailures.rate)}`);
  if (r.retryBudgetExhausted !== undefined) retry.push(`budget exhausted ${r.retryBudgetExhausted}`);
  if (r.timeToAnalytics && r.timeToAnalytics.p95 !== undefined) {
    retry.push(`time to analytics p95 ${formatDuration(r.timeToAnalytics.p95)}`);
  }
  if (r.breakpointRate !== undefined)
    retry.push(`first 429 at ${formatNumber(r.breakpointRate)} req/s planned`);
  if (retry.length) lines.push(`  ${retry.join(' · ')}`);

  if (model.webSockets) for (const l of webSocketLines(model.webSockets)) lines.push(`  ${l}`);

  const p95s = endpoints
    .filter((e) => e.p95 !== undefined)
    .map((e) => `${e.endpoint} ${formatDuration(e.p95!)}`);
  if (p95s.length) lines.push(`  p95 per endpoint: ${p95s.join(' · ')}`);

  if (opts.files.length) lines.push(`  reports: ${opts.reportDir || '.'}/ (${opts.files.join(', ')})`);
  return lines.join('\n') + '\n\n';
}
