// Sample batches crossing from a VU thread to the main thread. Structured clone of many small objects
// (and of typed arrays, each with its own buffer) costs more than one JSON string, so a batch travels
// as text, with each distinct metric name and tags object written once.
import type { Sample } from '../metrics/types.ts';

/** JSON: [names, tags, [nameIndex, tagsIndex, value, time, ...]] */
export type PackedSamples = string;

export function pack(batch: Sample[]): PackedSamples {
  const names: string[] = [];
  const tags: Record<string, string>[] = [];
  const nameIdx = new Map<string, number>();
  const tagIdx = new Map<Record<string, string>, number>();
  const rows: number[] = [];
  for (const s of batch) {
    let ni = nameIdx.get(s.metric);
    if (ni === undefined) {
      ni = names.push(s.metric) - 1;
      nameIdx.set(s.metric, ni);
    }
    let ti = tagIdx.get(s.tags);
    if (ti === undefined) {
      ti = tags.push(s.tags) - 1;
      tagIdx.set(s.tags, ti);
    }
    rows.push(ni, ti, s.value, s.time);
  }
  return JSON.stringify([names, tags, rows]);
}

/** Samples of one batch that shared a tags object share it again: consumers must not mutate tags. */
export function unpack(p: PackedSamples): Sample[] {
  const [names, tags, rows] = JSON.parse(p) as [string[], Record<string, string>[], number[]];
  const out: Sample[] = new Array(rows.length / 4);
  for (let i = 0, j = 0; j < rows.length; i++, j += 4) {
    out[i] = { metric: names[rows[j]], time: rows[j + 3], value: rows[j + 2], tags: tags[rows[j + 1]] };
  }
  return out;
}
