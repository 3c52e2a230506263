// The metrics engine: one sink per metric and sub-metric, thresholds evaluated on demand, the group/check tree,
// the report's time series, and fan-out of every sample batch to the configured outputs.
import { Registry } from './registry.ts';
import { newSink, type Sink } from './sinks.ts';
import { TimeSeries } from './series.ts';
import type { MetricDef, Sample } from './types.ts';
import { GroupTree } from './groups.ts';
import {
  abortMessage,
  aggregate,
  crossedMessage,
  parseMetricKey,
  parseThresholds,
  passes,
  ThresholdError,
  validateThresholds,
  type MetricThresholds,
  type Threshold,
  type ThresholdsOption,
} from '../thresholds.ts';

export interface EngineOptions {
  thresholds?: ThresholdsOption;
  /** --no-thresholds: nothing is parsed, evaluated or shown */
  noThresholds?: boolean;
  summaryTrendStats?: string[];
  summaryTimeUnit?: string;
}

/** Anything that wants every sample batch (--out json, ...). */
export interface Output {
  add(samples: readonly Sample[]): void;
}

export interface SubMetric {
  /** `parent{suffix}` */
  name: string;
  suffix: string;
  tags: Array<[string, string]>;
  sink: Sink;
  observed: boolean;
  thresholds?: MetricThresholds;
}

export interface MetricEntry {
  def: MetricDef;
  sink: Sink;
  observed: boolean;
  subs: SubMetric[];
  thresholds?: MetricThresholds;
}

export interface Evaluation {
  /** metric keys (with selectors) whose thresholds failed, sorted */
  failed: string[];
  /** an abortOnFail threshold failed past its delay: stop the test (exit 99) */
  abort: boolean;
  /** the error line to log: the abort message or, at the end, "thresholds on metrics ... crossed" */
  message?: string;
}

export interface ThresholdResult {
  metric: string;
  source: string;
  ok: boolean;
  /** the aggregate the expression was compared with (undefined for an empty Rate) */
  value: number | undefined;
}

export const DEFAULT_TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'];
const ALWAYS_SUBMETRIC = 'http_req_duration{expected_response:true}';

export class MetricsEngine {
  readonly registry = new Registry();
  readonly groups = new GroupTree();
  readonly series = new TimeSeries();
  readonly summaryTrendStats: string[];
  readonly summaryTimeUnit: string;
  private readonly entries = new Map<string, MetricEntry>();
  private readonly sets: MetricThresholds[];
  private readonly outputs: Output[] = [];
  private readonly lastValues = new Map<Threshold, number | undefined>();
  private unknownMetrics = new Set<string>();

  constructor(opts: EngineOptions = {}) {
    this.summaryTrendStats = opts.summaryTrendStats ?? DEFAULT_TREND_STATS;
    this.summaryTimeUnit = opts.summaryTimeUnit ?? '';
    this.sets = opts.noThresholds ? [] : parseThresholds(opts.thresholds);
    for (const def of this.registry.all()) this.attach(def);
  }

  /** Registers a custom metric (k6/metrics constructors); throws MetricError on a bad name or conflicting type. */
  define(def: MetricDef): MetricDef {
    const known = this.entries.get(def.name);
    const stored = this.registry.define(def);
    if (!known) this.attach(stored);
    return stored;
  }

  /** After the init pass defined the custom metrics: unknown metric or unsupported aggregation -> ThresholdError (104). */
  validate(): void {
    validateThresholds(this.sets, (name) => this.registry.get(name));
  }

  addOutput(out: Output): void {
    this.outputs.push(out);
  }

  /** Time zero of the run (for the report's time axis). */
  begin(epochMs = Date.now()): void {
    this.series.begin(epochMs);
  }

  add(samples: readonly Sample[]): void {
    for (const s of samples) {
      const e = this.entries.get(s.metric);
      if (!e) {
        this.unknownMetrics.add(s.metric);
        continue;
      }
      e.sink.add(s.value);
      e.observed = true;
      for (const sub of e.subs) {
        if (matches(sub.tags, s.tags)) {
          sub.sink.add(s.value);
          sub.observed = true;
        }
      }
      this.groups.add(s);
      this.series.add(s);
    }
    for (const out of this.outputs) out.add(samples);
  }

  /** Names of metrics that samples referred to without a definition (a VU-layer bug if non-empty). */
  undefinedMetrics(): string[] {
    return [...this.unknownMetrics];
  }

  /**
   * The periodic check (every 2 s) at `elapsedMs` of test-run time (0 before the run starts): metrics
   * without samples are skipped.
   */
  evaluate(elapsedMs: number): Evaluation {
    return this.run(elapsedMs, false);
  }

  /** The final check after teardown: every threshold, empty metrics included. */
  finalize(testRunDurationMs: number): Evaluation {
    return this.run(testRunDurationMs, true);
  }

  private run(elapsedMs: number, final: boolean): Evaluation {
    const failed: string[] = [];
    let abort = false;
    for (const { set, sink } of this.thresholded()) {
      if (!final && sink.isEmpty()) continue;
      let setFailed = false;
      for (const t of set.thresholds) {
        const value = aggregate(t, sink, elapsedMs);
        this.lastValues.set(t, value);
        t.lastFailed = !passes(t, value);
        if (t.lastFailed) {
          setFailed = true;
          // k6 aborts once the delay is strictly behind the test-run time (without one, at once).
          if (t.abortOnFail && (t.delayAbortEvalMs === 0 || elapsedMs > t.delayAbortEvalMs)) abort = true;
        }
      }
      if (setFailed) failed.push(set.key);
    }
    failed.sort();
    // k6's abort message names every metric crossed at that check, not only those with abortOnFail.
    if (abort && !final) return { failed, abort: true, message: abortMessage(failed) };
    return { failed, abort: false, message: final && failed.length > 0 ? crossedMessage(failed) : undefined };
  }

  private *thresholded(): Generator<{ set: MetricThresholds; sink: Sink }> {
    for (const e of this.entries.values()) {
      if (e.thresholds) yield { set: e.thresholds, sink: e.sink };
      for (const sub of e.subs) if (sub.thresholds) yield { set: sub.thresholds, sink: sub.sink };
    }
  }

  /** Every threshold expression with its latest verdict, in option order. */
  thresholdResults(): ThresholdResult[] {
    const out: ThresholdResult[] = [];
    for (const set of this.sets) {
      for (const t of set.thresholds) {
        out.push({ metric: set.key, source: t.source, ok: !t.lastFailed, value: this.lastValues.get(t) });
      }
    }
    return out;
  }

  hasThresholds(): boolean {
    return this.sets.length > 0;
  }

  entry(name: string): MetricEntry | undefined {
    return this.entries.get(name);
  }

  /** Entries in definition order (built-ins first). */
  allEntries(): MetricEntry[] {
    return [...this.entries.values()];
  }

  private attach(def: MetricDef): void {
    const e: MetricEntry = { def, sink: newSink(def.type), observed: false, subs: [] };
    this.entries.set(def.name, e);
    for (const set of this.sets) {
      if (set.metric !== def.name) continue;
      // k6 shows metrics with thresholds (and their parents) even when no sample arrives.
      e.observed = true;
      if (set.tags.length === 0) {
        e.thresholds = mergeSets(e.thresholds, set);
        continue;
      }
      const sub = this.subMetric(e, set.key, set.suffix, set.tags);
      sub.thresholds = mergeSets(sub.thresholds, set);
      sub.observed = true;
    }
    if (def.name === 'http_req_duration') {
      const { suffix, tags } = parseMetricKey(ALWAYS_SUBMETRIC);
      this.subMetric(e, ALWAYS_SUBMETRIC, suffix, tags);
    }
  }

  private subMetric(e: MetricEntry, name: string, suffix: string, tags: Array<[string, string]>): SubMetric {
    let sub = e.subs.find((s) => s.name === name);
    if (!sub) {
      sub = { name, suffix, tags, sink: newSink(e.def.type), observed: false };
      e.subs.push(sub);
    }
    return sub;
  }
}

function mergeSets(a: MetricThresholds | undefined, b: MetricThresholds): MetricThresholds {
  return a ? { ...a, thresholds: [...a.thresholds, ...b.thresholds] } : b;
}

// vu and iter are not indexed tags in k6: a selector on them never matches.
function matches(want: Array<[string, string]>, tags: Record<string, string>): boolean {
  for (const [k, v] of want) {
    if (k === 'vu' || k === 'iter' || tags[k] !== v) return false;
  }
  return true;
}

export { ThresholdError };
