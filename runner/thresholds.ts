// k6 thresholds: the `options.thresholds` grammar, validation against the metric registry, and evaluation.
import type { MetricDef, MetricType } from './metrics/types.ts';
import type { Sink } from './metrics/sinks.ts';

export interface ThresholdObject {
  threshold: string;
  abortOnFail?: boolean;
  delayAbortEval?: string | number;
}
export type ThresholdsOption = Record<string, Array<string | ThresholdObject>>;

/** Invalid thresholds are a configuration error: exit code 104. */
export class ThresholdError extends Error {
  readonly exitCode = 104;
}

type Op = '<=' | '<' | '>=' | '>' | '===' | '==' | '!=';
// Tried in this order on the raw text, as k6 does.
const OPERATORS: readonly Op[] = ['<=', '<', '>=', '>', '===', '==', '!='];

export type Aggregation = 'count' | 'rate' | 'value' | 'avg' | 'min' | 'max' | 'med' | 'p';

export interface Threshold {
  /** the expression as the user wrote it: the key in summaries and --out json */
  source: string;
  agg: Aggregation;
  /** percentile in 0..100 for agg 'p' */
  pct: number;
  op: Op;
  value: number;
  abortOnFail: boolean;
  delayAbortEvalMs: number;
  /** whether the last evaluation failed; true = crossed */
  lastFailed: boolean;
  /** whether the entry was given as an object (--out json prints it as one) */
  asObject: boolean;
}

export interface MetricThresholds {
  /** `metric` or `metric{k:v,...}` exactly as written */
  key: string;
  metric: string;
  /** selector pairs of a sub-metric; empty for the metric itself */
  tags: Array<[string, string]>;
  /** the raw text between the braces */
  suffix: string;
  thresholds: Threshold[];
}

const AGGREGATIONS_BY_TYPE: Record<MetricType, readonly string[]> = {
  counter: ['count', 'rate'],
  gauge: ['value'],
  rate: ['rate'],
  trend: ['avg', 'min', 'max', 'med', 'p'],
};

/** Splits `name{k:v,...}` into the metric name, the raw selector and its pairs (k6's rules). */
export function parseMetricKey(key: string): {
  metric: string;
  suffix: string;
  tags: Array<[string, string]>;
} {
  const open = key.indexOf('{');
  const close = key.lastIndexOf('}');
  if (open === -1 && close === -1) return { metric: key, suffix: '', tags: [] };
  if (open === -1 || close === -1) {
    throw new ThresholdError(`metric ${JSON.stringify(key)} has unmatched opening/close curly brace`);
  }
  if (close < open) {
    throw new ThresholdError(
      `metric ${JSON.stringify(key)} closing curly brace appears before the opening one`,
    );
  }
  if (close !== key.length - 1) {
    throw new ThresholdError(
      `metric ${JSON.stringify(key)} has characters following the closing curly brace`,
    );
  }
  const suffix = key.slice(open + 1, close);
  const tags: Array<[string, string]> = [];
  for (const part of suffix.split(',')) {
    const colon = part.indexOf(':');
    if (colon === -1 || part.slice(colon + 1) === '') {
      throw new ThresholdError(`metric ${JSON.stringify(key)} tag expression is malformed`);
    }
    const strip = (s: string) => s.trim().replace(/^["']+|["']+$/g, '');
    tags.push([strip(part.slice(0, colon)), strip(part.slice(colon + 1))]);
  }
  return { metric: key.slice(0, open), suffix, tags };
}

function parseNumber(text: string): number {
  // Go's ParseFloat: decimal or exponent notation, Inf/NaN spelled out; nothing else.
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return Number(text);
  if (/^[+-]?inf(inity)?$/i.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  return NaN;
}

/** Parses one expression like `p(95)<200`; throws ThresholdError with k6's wording. */
export function parseExpression(source: string): Pick<Threshold, 'agg' | 'pct' | 'op' | 'value'> {
  let op: Op | undefined;
  let lhs = '';
  let rhs = '';
  for (const candidate of OPERATORS) {
    const at = source.indexOf(candidate);
    if (at !== -1) {
      op = candidate;
      lhs = source.slice(0, at).trim();
      rhs = source.slice(at + candidate.length).trim();
      break;
    }
  }
  if (!op) {
    throw new ThresholdError(
      `failed parsing threshold expression ${JSON.stringify(source)}; reason: malformed threshold expression`,
    );
  }
  let agg: Aggregation;
  let pct = 0;
  const p = /^p\((.*)\)$/.exec(lhs);
  if (p) {
    pct = parseNumber(p[1].trim());
    if (Number.isNaN(pct)) {
      throw new ThresholdError(
        `failed parsing threshold expression ${JSON.stringify(source)}; reason: malformed percentile value ${JSON.stringify(p[1])}`,
      );
    }
    agg = 'p';
  } else if (['count', 'rate', 'value', 'avg', 'min', 'max', 'med'].includes(lhs)) {
    agg = lhs as Aggregation;
  } else {
    throw new ThresholdError(
      `failed parsing threshold expression ${JSON.stringify(source)}; reason: unsupported aggregation method ${JSON.stringify(lhs)}`,
    );
  }
  const value = parseNumber(rhs);
  if (Number.isNaN(value)) {
    throw new ThresholdError(
      `failed parsing threshold expression ${JSON.stringify(source)}; reason: right hand side ${JSON.stringify(rhs)} is not a number`,
    );
  }
  return { agg, pct, op, value };
}

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** k6's extended duration: Go duration with optional days; a bare number means milliseconds. */
export function parseDurationMs(v: string | number): number {
  if (typeof v === 'number') return v;
  const text = v.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d)/gy;
  let total = 0;
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * UNIT_MS[m[2]];
    last = re.lastIndex;
  }
  if (text === '' || last !== text.length) throw new ThresholdError(`invalid duration ${JSON.stringify(v)}`);
  return total;
}

/** Parses `options.thresholds` (syntax only; see validateThresholds for names and aggregations). */
export function parseThresholds(option: ThresholdsOption | undefined): MetricThresholds[] {
  const out: MetricThresholds[] = [];
  if (!option) return out;
  if (typeof option !== 'object' || Array.isArray(option)) {
    throw new ThresholdError('thresholds must be an object mapping metric names to arrays of expressions');
  }
  for (const [key, list] of Object.entries(option)) {
    const { metric, suffix, tags } = parseMetricKey(key);
    if (!Array.isArray(list)) {
      throw new ThresholdError(`invalid threshold defined on ${key}; reason: thresholds must be an array`);
    }
    const entries = list;
    const thresholds: Threshold[] = [];
    for (const entry of entries) {
      const asObject = typeof entry === 'object' && entry !== null;
      const source = asObject ? (entry as ThresholdObject).threshold : entry;
      if (typeof source !== 'string') {
        throw new ThresholdError(`invalid threshold defined on ${key}; reason: threshold must be a string`);
      }
      const obj = asObject ? (entry as ThresholdObject) : undefined;
      let delay = 0;
      if (obj?.delayAbortEval !== undefined && obj.delayAbortEval !== null && obj.delayAbortEval !== '') {
        delay = parseDurationMs(obj.delayAbortEval);
      }
      thresholds.push({
        source,
        ...parseExpression(source),
        abortOnFail: Boolean(obj?.abortOnFail),
        delayAbortEvalMs: delay,
        lastFailed: false,
        asObject,
      });
    }
    out.push({ key, metric, suffix, tags, thresholds });
  }
  return out;
}

/** Checks every threshold names a known metric and an aggregation its type supports. */
export function validateThresholds(
  sets: MetricThresholds[],
  lookup: (name: string) => MetricDef | undefined,
): void {
  for (const set of sets) {
    const def = lookup(set.metric);
    if (!def) {
      throw new ThresholdError(
        `invalid threshold defined on ${set.key}; reason: no metric name ${JSON.stringify(set.metric)} found`,
      );
    }
    for (const t of set.thresholds) {
      if (!AGGREGATIONS_BY_TYPE[def.type].includes(t.agg)) {
        const method = t.agg === 'p' ? `p(${t.pct})` : t.agg;
        throw new ThresholdError(
          `invalid threshold defined on ${set.key}; reason: threshold expression ${JSON.stringify(t.source)} uses aggregation method ${JSON.stringify(method)} that is not supported by metric of type ${JSON.stringify(def.type)}`,
        );
      }
    }
  }
}

/** The aggregate a threshold compares; undefined = no value (an empty Rate), which passes. */
export function aggregate(t: Threshold, sink: Sink, elapsedMs: number): number | undefined {
  switch (sink.type) {
    case 'counter':
      return t.agg === 'count' ? sink.count : elapsedMs > 0 ? sink.count / (elapsedMs / 1000) : 0;
    case 'gauge':
      return sink.value;
    case 'rate':
      return sink.rate();
    case 'trend':
      switch (t.agg) {
        case 'avg':
          return sink.avg();
        case 'min':
          return sink.min;
        case 'max':
          return sink.max;
        case 'med':
          return sink.percentile(0.5);
        default:
          return sink.percentile(t.pct / 100);
      }
  }
}

export function passes(t: Pick<Threshold, 'op' | 'value'>, lhs: number | undefined): boolean {
  if (lhs === undefined) return true;
  switch (t.op) {
    case '<':
      return lhs < t.value;
    case '<=':
      return lhs <= t.value;
    case '>':
      return lhs > t.value;
    case '>=':
      return lhs >= t.value;
    case '==':
    case '===':
      return lhs === t.value;
    case '!=':
      return lhs !== t.value;
  }
}

export function crossedMessage(keys: string[]): string {
  return `thresholds on metrics '${keys.join(', ')}' have been crossed`;
}

export function abortMessage(keys: string[]): string {
  return `thresholds on metrics '${keys.join(', ')}' were crossed; at least one has abortOnFail enabled, stopping test prematurely`;
}
