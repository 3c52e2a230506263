// The object handleSummary receives (k6 v0.49 shape): root_group, options, state, metrics, setup_data.
import type { MetricsEngine } from '../metrics/engine.ts';
import type { Sink } from '../metrics/sinks.ts';
import type { Contains, MetricType } from '../metrics/types.ts';
import type { MetricThresholds } from '../thresholds.ts';
import type { GroupData } from '../metrics/groups.ts';

export interface SummaryInput {
  /** setup()'s return value after the JSON round trip; undefined = no setup_data key */
  setupData?: unknown;
  /** from the start of setup to the end of teardown */
  testRunDurationMs: number;
  noColor?: boolean;
  isStdOutTTY?: boolean;
  isStdErrTTY?: boolean;
}

export interface MetricData {
  type: MetricType;
  contains: Contains;
  values: Record<string, number>;
  thresholds?: Record<string, { ok: boolean }>;
}

export interface SummaryData {
  root_group: GroupData;
  options: { summaryTrendStats: string[]; summaryTimeUnit: string; noColor: boolean };
  state: { isStdOutTTY: boolean; isStdErrTTY: boolean; testRunDurationMs: number };
  metrics: Record<string, MetricData>;
  setup_data?: unknown;
}

const TREND_STAT = /^(avg|min|med|max|count|p\((\d+(\.\d+)?)\))$/;

/** Checks --summary-trend-stats / summaryTrendStats entries; returns an error message or undefined. */
export function checkTrendStats(stats: string[]): string | undefined {
  for (const s of stats) {
    if (!TREND_STAT.test(s)) return `stat '${s}' is unknown`;
    const p = TREND_STAT.exec(s)![2];
    if (p !== undefined && Number(p) > 100)
      return `stat '${s}' is out of range, percentiles must be between 0 and 100`;
  }
  return undefined;
}

export function sinkValues(sink: Sink, trendStats: string[], durationMs: number): Record<string, number> {
  switch (sink.type) {
    case 'counter':
      return { count: sink.count, rate: durationMs > 0 ? sink.count / (durationMs / 1000) : 0 };
    case 'gauge':
      return { value: sink.value, min: sink.min, max: sink.max };
    case 'rate':
      return {
        rate: sink.total === 0 ? 0 : sink.trues / sink.total,
        passes: sink.trues,
        fails: sink.total - sink.trues,
      };
    case 'trend': {
      const out: Record<string, number> = {};
      for (const stat of trendStats) {
        if (stat === 'avg') out[stat] = sink.avg();
        else if (stat === 'min') out[stat] = sink.min;
        else if (stat === 'max') out[stat] = sink.max;
        else if (stat === 'med') out[stat] = sink.percentile(0.5);
        else if (stat === 'count') out[stat] = sink.count;
        else out[stat] = sink.percentile(Number(stat.slice(2, -1)) / 100);
      }
      return out;
    }
  }
}

function thresholdsData(set: MetricThresholds | undefined): Record<string, { ok: boolean }> | undefined {
  if (!set) return undefined;
  const out: Record<string, { ok: boolean }> = {};
  for (const t of set.thresholds) out[t.source] = { ok: !t.lastFailed };
  return out;
}

function cloneGroup(g: GroupData): GroupData {
  return {
    name: g.name,
    path: g.path,
    id: g.id,
    groups: g.groups.map(cloneGroup),
    checks: g.checks.map((c) => ({ ...c })),
  };
}

export function buildSummaryData(engine: MetricsEngine, input: SummaryInput): SummaryData {
  const trendStats = engine.summaryTrendStats;
  const metrics: Record<string, MetricData> = {};
  const put = (name: string, type: MetricType, contains: Contains, sink: Sink, set?: MetricThresholds) => {
    const m: MetricData = { type, contains, values: sinkValues(sink, trendStats, input.testRunDurationMs) };
    const th = thresholdsData(set);
    if (th) m.thresholds = th;
    metrics[name] = m;
  };
  for (const e of engine.allEntries()) {
    if (e.observed) put(e.def.name, e.def.type, e.def.contains, e.sink, e.thresholds);
    for (const sub of e.subs) {
      if (sub.observed) put(sub.name, e.def.type, e.def.contains, sub.sink, sub.thresholds);
    }
  }
  const data: SummaryData = {
    root_group: cloneGroup(engine.groups.root),
    options: {
      summaryTrendStats: [...trendStats],
      summaryTimeUnit: engine.summaryTimeUnit,
      noColor: Boolean(input.noColor),
    },
    state: {
      isStdOutTTY: Boolean(input.isStdOutTTY),
      isStdErrTTY: Boolean(input.isStdErrTTY),
      testRunDurationMs: input.testRunDurationMs,
    },
    metrics,
  };
  if (input.setupData !== undefined) data.setup_data = input.setupData;
  return data;
}
