// Reads a k6 NDJSON metrics stream (`--out json=FILE`, written by k6 or by json.ts) back into the report's time
// series. The file is streamed, so its size does not matter; gzip is recognised by its magic bytes, whatever
// the name. Only the points the series counts are decoded in full: a stream is mostly other metrics.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { TimeSeries, type SeriesNames } from '../metrics/series.ts';
import { QuantileSketch } from '../metrics/sketch.ts';
import type { MetricDef, Sample } from '../metrics/types.ts';

export interface JsonStream {
  series: TimeSeries;
  /** the `Metric` lines seen, by name */
  defs: Map<string, MetricDef>;
  /** epoch ms of the earliest and latest sample the series counted (NaN when none) */
  first: number;
  last: number;
  /** every http_req_duration value, for the whole run's p95 */
  duration: QuantileSketch;
  lines: number;
  /** lines that were not JSON or not a Metric/Point, the last one excepted when the stream is cut */
  skipped: number;
  /** set when the stream stops inside a line or a gzip member: the engine was killed before closing it */
  truncated?: string;
}

// Go writes a Point's fields in struct order, so its metric name can be read before the line is parsed.
const POINT_PREFIX = '{"metric":"';

let cachedKey = '';
let cachedBase = NaN;

/** RFC 3339 with up to nanoseconds -> epoch ms; lines of one second share their date arithmetic. */
export function parseTime(t: string): number {
  let j = 19;
  if (t.charCodeAt(j) === 46 /* . */) {
    j++;
    while (j < t.length && t.charCodeAt(j) >= 48 && t.charCodeAt(j) <= 57) j++;
  }
  const key = t.slice(0, 19) + t.slice(j);
  if (key !== cachedKey) {
    cachedBase = Date.parse(key);
    if (Number.isNaN(cachedBase) || t.charCodeAt(10) !== 84 /* T */) {
      throw new Error(`not an RFC 3339 time: ${JSON.stringify(t)}`);
    }
    cachedKey = key;
  }
  return j > 20 ? cachedBase + Number(`0${t.slice(19, j)}`) * 1000 : cachedBase;
}

async function isGzip(file: string): Promise<boolean> {
  const fh = await open(file, 'r');
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await fh.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

export async function readJsonOutput(
  file: string,
  opts: { names?: Partial<SeriesNames> } = {},
): Promise<JsonStream> {
  const series = new TimeSeries(undefined, opts.names);
  const out: JsonStream = {
    series,
    defs: new Map(),
    first: NaN,
    last: NaN,
    duration: new QuantileSketch(),
    lines: 0,
    skipped: 0,
  };

  const point = (o: { metric?: unknown; data?: { time?: unknown; value?: unknown; tags?: unknown } }) => {
    const d = o.data;
    if (typeof o.metric !== 'string' || !d || typeof d.time !== 'string' || typeof d.value !== 'number') {
      out.skipped++;
      return;
    }
    const s: Sample = {
      metric: o.metric,
      time: parseTime(d.time),
      value: d.value,
      tags: (d.tags && typeof d.tags === 'object' ? d.tags : {}) as Record<string, string>,
    };
    if (!(s.time >= out.first)) out.first = s.time;
    if (!(s.time <= out.last)) out.last = s.time;
    if (s.metric === 'http_req_duration') out.duration.add(s.value);
    series.add(s);
  };

  const line = (text: string, last: boolean) => {
    if (text === '') return;
    out.lines++;
    if (text.startsWith(POINT_PREFIX)) {
      const end = text.indexOf('"', POINT_PREFIX.length);
      if (end > 0 && !series.wants(text.slice(POINT_PREFIX.length, end))) return;
    }
    let o: any;
    try {
      o = JSON.parse(text);
    } catch {
      if (last) out.truncated ??= `its last line is cut short after ${out.lines - 1} lines`;
      else out.skipped++;
      return;
    }
    if (o?.type === 'Point') {
      if (series.wants(o.metric)) point(o);
    } else if (o?.type === 'Metric' && o.data && typeof o.data.name === 'string') {
      const { name, type, contains } = o.data;
      out.defs.set(name, { name, type, contains });
    } else {
      out.skipped++;
    }
  };

  let input: Readable = createReadStream(file);
  if (await isGzip(file)) {
    const gunzip = createGunzip();
    input.once('error', (e) => gunzip.destroy(e));
    input = input.pipe(gunzip);
  }
  const decoder = new StringDecoder('utf8');
  let tail = '';
  try {
    for await (const chunk of input) {
      const text = tail + decoder.write(chunk as Buffer);
      let from = 0;
      for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', from)) {
        line(text.slice(from, nl), false);
        from = nl + 1;
      }
      tail = text.slice(from);
    }
  } catch (e) {
    // A gzip stream without its trailer still holds every line flushed before the engine died.
    if ((e as NodeJS.ErrnoException).code !== 'Z_BUF_ERROR') {
      throw new Error(`could not read ${file}: ${(e as Error).message}`);
    }
    out.truncated = 'its gzip stream ends early';
  }
  line(tail + decoder.end(), true);
  return out;
}
