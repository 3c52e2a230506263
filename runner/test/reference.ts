// Feeds the real k6 sample stream of a reference run (runs/NAME/out.jsonl) into the metrics engine.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MetricsEngine } from '../metrics/engine.ts';
import type { MetricDef, Sample } from '../metrics/types.ts';
import type { ThresholdsOption } from '../thresholds.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
export const REFERENCE = process.env.K6_REFERENCE_DIR ?? path.resolve(here, '../../../shared/k6-reference');
export const hasReference = existsSync(path.join(REFERENCE, 'runs'));
export const skipReason = hasReference ? false : `k6 reference runs not found at ${REFERENCE}`;

/** Each script's options that matter to the engine (copied from the reference scripts' `options`). */
export const RUNS: Record<string, { thresholds: ThresholdsOption; trendStats?: string[] }> = {
  '01-iterations-checks': {
    thresholds: {
      checks: ['rate>0.5'],
      things_created: ['count==30'],
      good_ratio: ['rate>0.9'],
      'work_ms{kind:b}': ['p(95)<1000'],
      'http_req_duration{group:::api}': ['max<2000'],
      queue_depth: ['value<100'],
    },
  },
  '02-status-metrics': {
    thresholds: {
      http_req_failed: ['rate<0.1'],
      'http_reqs{status:429}': ['count<1'],
      'http_reqs{status:503}': ['count<=6'],
      'http_req_duration{expected_response:true}': ['p(95)<1000', 'avg<500'],
      'http_reqs{name:status-by-code}': ['count==12'],
      'http_reqs{scenario:statuses}': ['count>0'],
    },
  },
  '03-abort-on-fail': {
    thresholds: {
      'http_reqs{status:429}': [{ threshold: 'count<5', abortOnFail: true, delayAbortEval: '1s' }],
    },
  },
  '04-lifecycle': {
    thresholds: { 'iterations{phase:a}': ['count==4'], 'iterations{phase:b}': ['count==2'] },
  },
  '05-arrival-rate': { thresholds: { dropped_iterations: ['count<1'] } },
  '06-errors': { thresholds: {} },
  '07-handle-summary': {
    thresholds: { http_req_duration: ['p(99)<1500'], checks: ['rate==1'] },
    trendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'count'],
  },
  '08-test-abort': { thresholds: {} },
};

export function runFile(run: string, file: string): string {
  return readFileSync(path.join(REFERENCE, 'runs', run, file), 'utf8');
}

/** RFC 3339 with nanoseconds -> epoch ms (float). */
export function parseTime(t: string): number {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(t)!;
  const frac = m[2] ? Number(`0.${m[2]}`) * 1000 : 0;
  return Date.parse(m[1] + m[3]) + frac;
}

export interface Stream {
  defs: MetricDef[];
  samples: Sample[];
  lines: string[];
}

export function readStream(run: string): Stream {
  const defs: MetricDef[] = [];
  const samples: Sample[] = [];
  const lines = runFile(run, 'out.jsonl').split('\n').filter(Boolean);
  for (const line of lines) {
    const o = JSON.parse(line);
    if (o.type === 'Metric') defs.push({ name: o.data.name, type: o.data.type, contains: o.data.contains });
    else {
      const s: Sample = {
        metric: o.metric,
        time: parseTime(o.data.time),
        value: o.data.value,
        tags: o.data.tags,
      };
      if (o.data.metadata) s.metadata = o.data.metadata;
      samples.push(s);
    }
  }
  return { defs, samples, lines };
}

/** The test run duration k6 used, recovered from a counter's count/rate in the summary export. */
export function durationFromExport(run: string): number {
  const exp = JSON.parse(runFile(run, 'summary-export.json'));
  const m = exp.metrics.iterations ?? exp.metrics.http_reqs;
  return (m.count / m.rate) * 1000;
}

export function engineFor(run: string, stream = readStream(run)): MetricsEngine {
  const cfg = RUNS[run];
  const engine = new MetricsEngine({ thresholds: cfg.thresholds, summaryTrendStats: cfg.trendStats });
  for (const d of stream.defs) engine.define(d);
  engine.validate();
  engine.add(stream.samples);
  return engine;
}
