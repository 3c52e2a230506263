// The numbers people ask about after a Genesys Cloud load run: how often the platform said 429, what the
// retries cost, what still failed, and p95 latency per endpoint (from `http_req_duration{name:...}`).
import { parseMetricName } from './metric-name.ts';
import { statValue } from './thresholds.ts';
import type { Check, Group, MetricSummary, SummaryData } from './types.ts';

export interface RateStat {
  rate: number;
  passes: number;
  fails: number;
}

export interface TrendStat {
  avg?: number;
  p95?: number;
  p99?: number;
  max?: number;
  count?: number;
}

export interface Totals {
  durationMs: number;
  requests?: number;
  requestRate?: number;
  failedRequests?: RateStat;
  iterations?: number;
  vusMax?: number;
  checks?: RateStat;
  httpP95?: number;
}

/** The suite's own metrics (lib/metrics); each is absent when the run did not record it. */
export interface Resilience {
  rateLimited?: RateStat;
  retries?: number;
  retryWait?: TrendStat;
  finalFailures?: RateStat;
  retryBudgetExhausted?: number;
  timeToAnalytics?: TrendStat;
  /** breakpoint test: the lowest planned request rate (req/s) at which a VU first saw a 429. */
  breakpointRate?: number;
}

export interface EndpointRow {
  /** The request's `name` tag, plus any other tags of the sub-metric (`method:GET`). */
  endpoint: string;
  p95?: number;
  p99?: number;
  avg?: number;
  max?: number;
  count?: number;
  requests?: number;
  rateLimited?: RateStat;
}

function rate(m: MetricSummary | undefined): RateStat | undefined {
  if (!m || m.type !== 'rate') return undefined;
  return { rate: m.values.rate ?? 0, passes: m.values.passes ?? 0, fails: m.values.fails ?? 0 };
}

function count(m: MetricSummary | undefined): number | undefined {
  return m ? m.values.count : undefined;
}

export function trend(m: MetricSummary | undefined): TrendStat | undefined {
  if (!m || m.type !== 'trend') return undefined;
  return {
    avg: statValue(m, 'avg'),
    p95: statValue(m, 'p(95)'),
    p99: statValue(m, 'p(99)'),
    max: statValue(m, 'max'),
    count: statValue(m, 'count'),
  };
}

export function totals(data: SummaryData): Totals {
  const m = data.metrics;
  return {
    durationMs: data.state.testRunDurationMs,
    requests: count(m.http_reqs),
    requestRate: m.http_reqs ? m.http_reqs.values.rate : undefined,
    failedRequests: rate(m.http_req_failed),
    iterations: count(m.iterations),
    vusMax: m.vus_max ? m.vus_max.values.value : undefined,
    checks: rate(m.checks),
    httpP95: m.http_req_duration ? statValue(m.http_req_duration, 'p(95)') : undefined,
  };
}

export function resilience(data: SummaryData): Resilience {
  const m = data.metrics;
  // k6 leaves out a counter nothing was added to; in a suite run (rate_limited present) that means zero.
  const suiteRun = m.rate_limited !== undefined || m.final_failures !== undefined;
  const zero = suiteRun ? 0 : undefined;
  return {
    rateLimited: rate(m.rate_limited),
    retries: count(m.retries) ?? zero,
    retryWait: trend(m.retry_wait),
    finalFailures: rate(m.final_failures),
    retryBudgetExhausted: count(m.retry_budget_exhausted) ?? zero,
    timeToAnalytics: trend(m.time_to_analytics),
    breakpointRate:
      m.breakpoint_rate && m.breakpoint_rate.type === 'gauge' ? m.breakpoint_rate.values.min : undefined,
  };
}

function endpointLabel(tags: Record<string, string>): string {
  const extra = Object.keys(tags)
    .filter((k) => k !== 'name')
    .sort()
    .map((k) => `${k}:${tags[k]}`);
  return extra.length ? `${tags.name} (${extra.join(', ')})` : tags.name;
}

/** One row per `http_req_duration{name:...}` sub-metric, joined with same-tagged http_reqs and rate_limited. */
export function endpoints(data: SummaryData): EndpointRow[] {
  const rows = new Map<string, EndpointRow>();
  const row = (label: string): EndpointRow => {
    let r = rows.get(label);
    if (!r) rows.set(label, (r = { endpoint: label }));
    return r;
  };
  for (const [full, metric] of Object.entries(data.metrics)) {
    const { base, tags } = parseMetricName(full);
    if (tags.name === undefined) continue;
    const label = endpointLabel(tags);
    if (base === 'http_req_duration') {
      const t = trend(metric);
      if (t) Object.assign(row(label), t);
    } else if (base === 'http_reqs') {
      row(label).requests = count(metric);
    } else if (base === 'rate_limited') {
      row(label).rateLimited = rate(metric);
    }
  }
  return [...rows.values()].sort((a, b) => a.endpoint.localeCompare(b.endpoint));
}

export interface CheckRow extends Check {
  group: string;
}

/** Every check in every group, with its group path (`::setup`, `::bot::turn`). */
export function checks(group: Group, out: CheckRow[] = []): CheckRow[] {
  for (const c of group.checks || []) out.push({ ...c, group: group.path });
  for (const g of group.groups || []) checks(g, out);
  return out;
}
