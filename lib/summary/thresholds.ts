// One row per threshold expression, with the value k6 compared (taken from the metric's summary values).
import { formatStat } from './format.ts';
import type { MetricSummary, SummaryData } from './types.ts';

export interface ThresholdResult {
  metric: string;
  expression: string;
  ok: boolean;
  /** Aggregation the expression uses: avg, p(95), rate, count, value, ... */
  stat: string;
  op: string;
  limit: number;
  /** Undefined when the summary does not carry the statistic (a percentile missing from summaryTrendStats). */
  observed?: number;
  /** observed and limit formatted for people (`812.33ms`, `4.20%`). */
  observedText: string;
  limitText: string;
}

const EXPRESSION =
  /^\s*([a-z]+(?:\(\s*[0-9.]+\s*\))?)\s*(<=|>=|===|==|!=|<|>)\s*(-?[0-9.]+(?:e[+-]?[0-9]+)?)\s*$/i;

export function parseThreshold(expression: string): { stat: string; op: string; limit: number } | undefined {
  const m = EXPRESSION.exec(expression);
  if (!m) return undefined;
  return { stat: m[1].replace(/\s+/g, ''), op: m[2], limit: Number(m[3]) };
}

/** Finds a statistic in a metric's values; percentiles match by number, so `p(99.0)` finds `p(99)`. */
export function statValue(metric: MetricSummary, stat: string): number | undefined {
  const values = metric.values || {};
  if (stat in values) return values[stat];
  if (metric.type === 'rate' && stat === 'value') return values.rate;
  const p = /^p\(([0-9.]+)\)$/.exec(stat);
  if (p) {
    const wanted = Number(p[1]);
    for (const key of Object.keys(values)) {
      const k = /^p\(([0-9.]+)\)$/.exec(key);
      if (k && Number(k[1]) === wanted) return values[key];
    }
  }
  return undefined;
}

export function thresholdResults(data: SummaryData): ThresholdResult[] {
  const rows: ThresholdResult[] = [];
  const names = Object.keys(data.metrics).sort((a, b) => a.localeCompare(b));
  for (const metric of names) {
    const summary = data.metrics[metric];
    for (const [expression, verdict] of Object.entries(summary.thresholds || {})) {
      const parsed = parseThreshold(expression);
      const stat = parsed ? parsed.stat : '';
      const observed = parsed ? statValue(summary, stat) : undefined;
      rows.push({
        metric,
        expression,
        ok: verdict.ok,
        stat,
        op: parsed ? parsed.op : '',
        limit: parsed ? parsed.limit : NaN,
        observed,
        observedText: observed === undefined ? 'n/a' : formatStat(summary, stat, observed),
        limitText: parsed ? formatStat(summary, stat, parsed.limit) : expression,
      });
    }
  }
  return rows;
}
