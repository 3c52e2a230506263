// Number formats of k6 v0.49's end-of-test summary (js/summary.js), reproduced from its observable output.
import type { Contains, MetricType } from '../metrics/types.ts';

/** Fixed-point with at most `prec` decimals and no trailing zeros. */
export function toFixedNoTrailingZeros(v: number, prec: number): string {
  return String(parseFloat(v.toFixed(prec)));
}

function truncTo(v: number, prec: number): string {
  const m = Math.pow(10, prec);
  return toFixedNoTrailingZeros(Math.trunc(m * v) / m, prec);
}

/** Bytes in base 1000: `9 B`, `5.0 kB`, `10 kB`. */
export function humanizeBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
  if (bytes < 10) return `${bytes} B`;
  const e = Math.floor(Math.log(bytes) / Math.log(1000));
  const val = Math.floor((bytes / Math.pow(1000, e)) * 10 + 0.5) / 10;
  return `${val.toFixed(val < 10 ? 1 : 0)} ${units[e | 0]}`;
}

/** Milliseconds as k6 prints them without --summary-time-unit: 0s, 330ns, 60.19µs, 2.1ms, 1.5s, 1m30s, 2h0m1s. */
export function humanizeGenericDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 0.001) return `${Math.trunc(ms * 1e6)}ns`;
  if (ms < 1) return `${truncTo(ms * 1000, 2)}µs`;
  if (ms < 1000) return `${truncTo(ms, 2)}ms`;
  let out = `${truncTo((ms % 60000) / 1000, ms > 60000 ? 0 : 2)}s`;
  let rest = Math.trunc(ms / 60000);
  if (rest < 1) return out;
  out = `${rest % 60}m${out}`;
  rest = Math.trunc(rest / 60);
  if (rest < 1) return out;
  return `${rest}h${out}`;
}

const UNITS: Record<string, { unit: string; coef: number }> = {
  s: { unit: 's', coef: 0.001 },
  ms: { unit: 'ms', coef: 1 },
  us: { unit: 'µs', coef: 1000 },
};

export function humanizeDuration(ms: number, timeUnit: string): string {
  const u = UNITS[timeUnit];
  if (timeUnit !== '' && u) return `${(ms * u.coef).toFixed(2)}${u.unit}`;
  return humanizeGenericDuration(ms);
}

export function humanizeValue(
  v: number,
  metric: { type: MetricType; contains: Contains },
  timeUnit: string,
): string {
  // Rates are truncated, never rounded up, to two decimals.
  if (metric.type === 'rate') return `${(Math.trunc(v * 100 * 100) / 100).toFixed(2)}%`;
  if (metric.contains === 'data') return humanizeBytes(v);
  if (metric.contains === 'time') return humanizeDuration(v, timeUnit);
  return toFixedNoTrailingZeros(v, 6);
}
