// What the conformance test compares between a real k6 run and a runner run of the same script: only what does
// not depend on timing (names, types, counts, verdicts, shapes, line structure), each reduced to plain data.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface Run {
  exitCode: number;
  stdout: string;
  stderr: string;
  points: Point[];
  metricDefs: Map<string, string>;
  summaryExport: Record<string, unknown> | undefined;
  handleSummaryData: Record<string, unknown> | undefined;
}

export interface Point {
  metric: string;
  value: number;
  tags: Record<string, string>;
}

/** Ports and script locations differ between the reference machine and here. */
export function normalize(text: string): string {
  return text
    .replace(/127\.0\.0\.1:\d{4,5}/g, '127.0.0.1:PORT')
    .replace(/file:\/\/\S*?scripts\/([\w.-]+\.js)(:\d+:\d+)?(\(\d+\))?/g, 'SCRIPT:$1');
}

export function readRun(dir: string, stdout: string, stderr: string, exitCode: number): Run {
  const points: Point[] = [];
  const metricDefs = new Map<string, string>();
  const jsonl = path.join(dir, 'out.jsonl');
  if (existsSync(jsonl)) {
    for (const line of readFileSync(jsonl, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const o = JSON.parse(line);
      if (o.type === 'Metric') metricDefs.set(o.data.name, `${o.data.type}/${o.data.contains}`);
      else points.push({ metric: o.metric, value: o.data.value, tags: o.data.tags ?? {} });
    }
  }
  const json = (f: string) =>
    existsSync(path.join(dir, f)) ? JSON.parse(readFileSync(path.join(dir, f), 'utf8')) : undefined;
  return {
    exitCode,
    stdout,
    stderr,
    points,
    metricDefs,
    summaryExport: json('summary-export.json'),
    handleSummaryData: json('handle-summary-data.json'),
  };
}

/** Sum of values per key over the points of one metric. */
export function countBy(run: Run, metric: string, key: (tags: Record<string, string>) => string) {
  return tally(run, metric, key, (value) => value);
}

/** Number of points per key (Trend samples). */
export function samplesBy(run: Run, metric: string, key: (tags: Record<string, string>) => string) {
  return tally(run, metric, key, () => 1);
}

function tally(
  run: Run,
  metric: string,
  key: (tags: Record<string, string>) => string,
  weight: (value: number) => number,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of run.points) {
    if (p.metric !== metric) continue;
    const k = normalize(key(p.tags));
    out[k] = (out[k] ?? 0) + weight(p.value);
  }
  return sorted(out);
}

function sorted<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export const checkCounts = (run: Run) => countBy(run, 'checks', (t) => `${t.group}::${t.check}`);

export function checkFailCounts(run: Run): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of run.points) {
    if (p.metric !== 'checks' || p.value !== 0) continue;
    const k = `${p.tags.group}::${p.tags.check}`;
    out[k] = (out[k] ?? 0) + 1;
  }
  return sorted(out);
}

export const groupPaths = (run: Run) =>
  [...new Set(run.points.map((p) => p.tags.group).filter((g) => g !== undefined))].sort();

/** Every threshold expression with its verdict (true = crossed), from the summary export. */
export function thresholdVerdicts(run: Run): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  const metrics = (run.summaryExport?.metrics ?? {}) as Record<
    string,
    { thresholds?: Record<string, boolean> }
  >;
  for (const [name, m] of Object.entries(metrics)) {
    for (const [expr, failed] of Object.entries(m.thresholds ?? {})) out[`${name}: ${expr}`] = failed;
  }
  return sorted(out);
}

/** The shape of a JSON value: keys and value types, numbers and strings reduced to their type. */
export function shape(
  v: unknown,
  ignoreKeys: (key: string, at: string) => boolean = () => false,
  at = '',
): unknown {
  if (Array.isArray(v)) return v.map((x, i) => shape(x, ignoreKeys, `${at}[${i}]`));
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      if (ignoreKeys(k, at)) continue;
      out[k] = shape((v as Record<string, unknown>)[k], ignoreKeys, `${at}.${k}`);
    }
    return out;
  }
  return typeof v;
}

/** stderr lines without their time; log fields kept; stack frames and script positions normalised away. */
export function logLines(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((l) => l.startsWith('time='))
    .map((l) => normalize(l.replace(/^time="[^"]*" /, '').replace(/\\n\\tat [^"]*/g, '')));
}

export const consoleLines = (stderr: string) =>
  logLines(stderr)
    .filter((l) => l.endsWith('source=console'))
    .sort();

/**
 * The summary text's structure: check and group lines verbatim, and for each metric line its mark and name
 * (values are timings).
 */
export function summaryStructure(stdout: string): string[] {
  return stdout.split('\n').map((line) => {
    const m = /^(\s*)([✓✗]?\s*)(\S.*?)\.{2,}: /.exec(line);
    if (m) return `${m[1]}${m[2]}${m[3]}`;
    return line.trimEnd();
  });
}
