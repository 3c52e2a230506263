// The runner's HTML report (K6_WEB_DASHBOARD=true + K6_WEB_DASHBOARD_EXPORT=path): the metrics engine's time
// series, totals and threshold verdicts as the renderer's model. The engine holds each threshold's exact value,
// so a statistic the summary leaves out (p(99.9)) still shows.
import { writeFile } from 'node:fs/promises';
import type { MetricsEngine } from '../../metrics/engine.ts';
import { humanizeValue } from '../../summary/format.ts';
import { renderReport, reportSeries, type ReportModel, type ReportThreshold } from './render.ts';

export interface ReportOptions {
  title?: string;
  /** from setup start to teardown end; shown in the header */
  testRunDurationMs?: number;
  /** report time, default now */
  generatedAt?: Date;
}

export function engineReport(engine: MetricsEngine, opts: ReportOptions = {}): ReportModel {
  const thresholds: ReportThreshold[] = engine.thresholdResults().map((r) => {
    const def = engine.entry(r.metric.split('{', 1)[0])?.def;
    const value =
      r.value === undefined
        ? 'no value'
        : def
          ? humanizeValue(r.value, def, engine.summaryTimeUnit)
          : String(r.value);
    return { metric: r.metric, source: r.source, value, ok: r.ok };
  });
  const duration = engine.entry('http_req_duration')?.sink;
  const p95 =
    duration && duration.type === 'trend' && !duration.isEmpty()
      ? humanizeValue(duration.percentile(0.95), { type: 'trend', contains: 'time' }, engine.summaryTimeUnit)
      : undefined;
  return {
    title: opts.title ?? 'Load test report',
    generatedAt: opts.generatedAt ?? new Date(),
    durationMs: opts.testRunDurationMs,
    engine: 'the runner',
    series: reportSeries(engine.series, opts.testRunDurationMs),
    p95,
    thresholds,
  };
}

export async function writeHtmlReport(
  path: string,
  engine: MetricsEngine,
  opts: ReportOptions = {},
): Promise<void> {
  await writeFile(path, renderReport(engineReport(engine, opts)));
}
