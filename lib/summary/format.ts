// Human-readable numbers for the reports: milliseconds, percentages, bytes, per-second rates.
import type { MetricSummary } from './types.ts';

function trim(n: number, decimals: number): string {
  return n.toFixed(decimals).replace(/\.?0+$/, '');
}

export function formatDuration(ms: number): string {
  if (!isFinite(ms)) return String(ms);
  const abs = Math.abs(ms);
  if (abs === 0) return '0ms';
  if (abs < 1) return `${trim(ms * 1000, 0)}µs`;
  if (abs < 1000) return `${trim(ms, 2)}ms`;
  if (abs < 60000) return `${trim(ms / 1000, 2)}s`;
  const minutes = Math.floor(ms / 60000);
  return `${minutes}m${trim((ms - minutes * 60000) / 1000, 1)}s`;
}

export function formatPercent(rate: number): string {
  return `${(Math.trunc(rate * 10000) / 100).toFixed(2)}%`;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let i = 0;
  while (Math.abs(v) >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return i === 0 ? `${trim(v, 0)} B` : `${trim(v, 1)} ${units[i]}`;
}

export function formatNumber(n: number): string {
  if (!isFinite(n)) return String(n);
  return Number.isInteger(n) ? String(n) : trim(n, Math.abs(n) < 1 ? 4 : 2);
}

/** Formats one statistic of a metric the way its type and content suggest (`p(95)` of a time trend → ms). */
export function formatStat(
  metric: Pick<MetricSummary, 'type' | 'contains'>,
  stat: string,
  v: number,
): string {
  if (stat === 'count' || stat === 'passes' || stat === 'fails') return formatNumber(Math.round(v));
  if (metric.type === 'rate') return formatPercent(v);
  if (metric.type === 'counter' && stat === 'rate') {
    return metric.contains === 'data' ? `${formatBytes(v)}/s` : `${formatNumber(v)}/s`;
  }
  if (metric.contains === 'time') return formatDuration(v);
  if (metric.contains === 'data') return formatBytes(v);
  return formatNumber(v);
}
