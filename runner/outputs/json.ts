// --out json=FILE: k6's NDJSON stream. A "Metric" line precedes a metric's first "Point"; `.gz` names are
// gzipped; `-` is stdout; buffered lines are flushed every 200 ms and on stop().
import { createWriteStream } from 'node:fs';
import { createGzip } from 'node:zlib';
import type { Writable } from 'node:stream';
import type { MetricsEngine, Output } from '../metrics/engine.ts';
import type { Sample } from '../metrics/types.ts';
import type { MetricThresholds } from '../thresholds.ts';

export const FLUSH_INTERVAL_MS = 200;

const two = (n: number) => String(n).padStart(2, '0');

// Samples arrive in time order, so the date/time/zone text of the current second is reused.
let cachedSecond = NaN;
let cachedPrefix = '';
let cachedZone = '';

/**
 * Go's RFC3339Nano in the local zone: fraction with trailing zeros dropped, `Z` when the offset is 0. A float
 * epoch-ms carries about a quarter of a microsecond, so the fraction is rounded to whole microseconds.
 */
export function formatTime(epochMs: number): string {
  let whole = Math.floor(epochMs);
  let nanos = Math.round((epochMs - whole) * 1e3) * 1e3 + (whole % 1000) * 1e6;
  if (nanos >= 1e9) {
    nanos -= 1e9;
    whole += 1000;
  }
  const second = whole - (whole % 1000);
  if (second !== cachedSecond) {
    const d = new Date(second);
    const off = -d.getTimezoneOffset();
    const date = `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
    cachedPrefix = `${date}T${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
    const abs = Math.abs(off);
    cachedZone = off === 0 ? 'Z' : `${off > 0 ? '+' : '-'}${two(Math.floor(abs / 60))}:${two(abs % 60)}`;
    cachedSecond = second;
  }
  const frac = nanos === 0 ? '' : '.' + String(nanos).padStart(9, '0').replace(/0+$/, '');
  return cachedPrefix + frac + cachedZone;
}

/** A float as Go's encoding/json writes it (exponents get at least two digits: 1e-07). */
export function formatFloat(v: number): string {
  const s = String(v);
  return s.includes('e') ? s.replace(/e([+-])(\d)$/, 'e$10$2') : s;
}

// Go writes map keys sorted; a replacer array makes JSON.stringify emit them in that order. Tag objects are
// often shared by the samples of one request, so their text is cached per object.
const tagText = new WeakMap<object, string>();
function sortedObject(o: Record<string, string>): string {
  let text = tagText.get(o);
  if (text === undefined) {
    const keys = Object.keys(o);
    let sorted = true;
    for (let i = 1; i < keys.length && sorted; i++) sorted = keys[i - 1] < keys[i];
    text = sorted ? JSON.stringify(o) : JSON.stringify(o, keys.sort());
    tagText.set(o, text);
  }
  return text;
}

/** Go's time.Duration.String() for a whole number of nanoseconds: 0s, 500ms, 1.5s, 1m30s, 2h0m0s. */
export function goDuration(ms: number): string {
  const ns = Math.round(ms * 1e6);
  if (ns === 0) return '0s';
  if (ns < 1e3) return `${ns}ns`;
  if (ns < 1e6) return `${ns / 1e3}µs`;
  if (ns < 1e9) return `${ns / 1e6}ms`;
  const h = Math.floor(ns / 3.6e12);
  const m = Math.floor((ns % 3.6e12) / 6e10);
  const sec = `${(ns % 6e10) / 1e9}s`;
  if (h > 0) return `${h}h${m}m${sec}`;
  if (m > 0) return `${m}m${sec}`;
  return sec;
}

// k6 writes a plain expression string unless abortOnFail is set, then the whole object.
function thresholdSources(set: MetricThresholds | undefined): unknown[] {
  if (!set) return [];
  return set.thresholds.map((t) =>
    t.abortOnFail
      ? { threshold: t.source, abortOnFail: true, delayAbortEval: goDuration(t.delayAbortEvalMs) }
      : t.source,
  );
}

/** The `Metric` line for a metric, from the engine's definition, thresholds and sub-metrics. */
export function metricLine(engine: MetricsEngine, name: string): string {
  const e = engine.entry(name);
  const data = e
    ? {
        name,
        type: e.def.type,
        contains: e.def.contains,
        thresholds: thresholdSources(e.thresholds),
        submetrics: e.subs.length
          ? e.subs.map((s) => ({ name: s.name, suffix: s.suffix, tags: Object.fromEntries(s.tags) }))
          : null,
      }
    : { name, type: 'counter', contains: 'default', thresholds: [], submetrics: null };
  return JSON.stringify({ type: 'Metric', data, metric: name });
}

export function pointLine(s: Sample): string {
  let data = `{"time":"${formatTime(s.time)}","value":${formatFloat(s.value)},"tags":${sortedObject(s.tags)}`;
  if (s.metadata && Object.keys(s.metadata).length > 0) data += `,"metadata":${sortedObject(s.metadata)}`;
  return `{"metric":${JSON.stringify(s.metric)},"type":"Point","data":${data}}}`;
}

export class JsonOutput implements Output {
  private buffer: string[] = [];
  private readonly seen = new Set<string>();
  private readonly timer: NodeJS.Timeout;
  private stopped = false;

  private constructor(
    private readonly engine: MetricsEngine,
    private readonly stream: Writable,
    private readonly close: () => Promise<void>,
  ) {
    this.timer = setInterval(() => this.flush(), FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  /** `target` is a file path (gzip when it ends in .gz) or `-` for stdout. */
  static async open(target: string, engine: MetricsEngine): Promise<JsonOutput> {
    if (target === '-') {
      return new JsonOutput(engine, process.stdout, async () => {});
    }
    const file = createWriteStream(target);
    await new Promise<void>((resolve, reject) => {
      file.once('open', () => resolve());
      file.once('error', (e) =>
        reject(new Error(`could not open the json output ${JSON.stringify(target)}: ${e.message}`)),
      );
    });
    const finished = new Promise<void>((resolve, reject) => {
      file.once('close', () => resolve());
      file.once('error', reject);
    });
    if (target.endsWith('.gz')) {
      const gz = createGzip();
      gz.pipe(file);
      return new JsonOutput(engine, gz, async () => {
        gz.end();
        await finished;
      });
    }
    return new JsonOutput(engine, file, async () => {
      file.end();
      await finished;
    });
  }

  add(samples: readonly Sample[]): void {
    if (this.stopped) return;
    for (const s of samples) {
      if (!this.seen.has(s.metric)) {
        this.seen.add(s.metric);
        this.buffer.push(metricLine(this.engine, s.metric));
      }
      this.buffer.push(pointLine(s));
    }
  }

  flush(): void {
    if (this.buffer.length === 0) return;
    const text = this.buffer.join('\n') + '\n';
    this.buffer = [];
    this.stream.write(text);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    this.flush();
    await this.close();
  }
}
