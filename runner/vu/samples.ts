// Sample batches crossing from a VU thread to the main thread. Structured clone of many small objects
// costs more than a few strings and one typed array, so a batch travels as: the metric names and the
// distinct tag sets as JSON text, each written once, and the numbers in a Float64Array (no number
// formatting or parsing on either side).
import type { Sample } from '../metrics/types.ts';

export interface PackedSamples {
  /** JSON: metric names */
  names: string;
  /** JSON: distinct tag sets */
  tags: string;
  /** per sample: name index, tags index, value, time */
  rows: Float64Array;
}

export function pack(batch: Sample[]): PackedSamples {
  const names: string[] = [];
  const nameIdx = new Map<string, number>();
  // Tag sets are told apart by object first, then by content: requests that carry equal tags (each
  // with its own object) share one entry.
  const tagIdx = new Map<Record<string, string>, number>();
  const textIdx = new Map<string, number>();
  const texts: string[] = [];
  const rows = new Float64Array(batch.length * 4);
  let j = 0;
  for (const s of batch) {
    let ni = nameIdx.get(s.metric);
    if (ni === undefined) {
      ni = names.push(s.metric) - 1;
      nameIdx.set(s.metric, ni);
    }
    let ti = tagIdx.get(s.tags);
    if (ti === undefined) {
      const text = JSON.stringify(s.tags);
      ti = textIdx.get(text);
      if (ti === undefined) {
        ti = texts.push(text) - 1;
        textIdx.set(text, ti);
      }
      tagIdx.set(s.tags, ti);
    }
    rows[j++] = ni;
    rows[j++] = ti;
    rows[j++] = s.value;
    rows[j++] = s.time;
  }
  return { names: JSON.stringify(names), tags: `[${texts.join(',')}]`, rows };
}

/** Samples with equal tags share one tags object again: consumers must not mutate tags. */
export function unpack(p: PackedSamples): Sample[] {
  const names = JSON.parse(p.names) as string[];
  const tags = JSON.parse(p.tags) as Record<string, string>[];
  const rows = p.rows;
  const out: Sample[] = new Array(rows.length / 4);
  for (let i = 0, j = 0; j < rows.length; i++, j += 4) {
    out[i] = {
      metric: names[rows[j] | 0],
      time: rows[j + 3],
      value: rows[j + 2],
      tags: tags[rows[j + 1] | 0],
    };
  }
  return out;
}
