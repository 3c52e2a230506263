// Sample batches crossing from a VU thread to the main thread. Structured clone of thousands of small
// objects is slow, so a batch travels as columns: typed arrays for numbers, and each distinct metric
// name and tags object once.
import type { Sample } from '../metrics/types.ts';

export interface PackedSamples {
  names: string[];
  tags: Record<string, string>[];
  name: Int32Array;
  tag: Int32Array;
  value: Float64Array;
  time: Float64Array;
}

export function pack(batch: Sample[]): PackedSamples {
  const n = batch.length;
  const out: PackedSamples = {
    names: [],
    tags: [],
    name: new Int32Array(n),
    tag: new Int32Array(n),
    value: new Float64Array(n),
    time: new Float64Array(n),
  };
  const names = new Map<string, number>();
  const tags = new Map<Record<string, string>, number>();
  for (let i = 0; i < n; i++) {
    const s = batch[i];
    let ni = names.get(s.metric);
    if (ni === undefined) {
      ni = out.names.push(s.metric) - 1;
      names.set(s.metric, ni);
    }
    let ti = tags.get(s.tags);
    if (ti === undefined) {
      ti = out.tags.push(s.tags) - 1;
      tags.set(s.tags, ti);
    }
    out.name[i] = ni;
    out.tag[i] = ti;
    out.value[i] = s.value;
    out.time[i] = s.time;
  }
  return out;
}

/** Samples of one batch that shared a tags object share it again: consumers must not mutate tags. */
export function unpack(p: PackedSamples): Sample[] {
  const out: Sample[] = new Array(p.name.length);
  for (let i = 0; i < out.length; i++) {
    out[i] = { metric: p.names[p.name[i]], time: p.time[i], value: p.value[i], tags: p.tags[p.tag[i]] };
  }
  return out;
}
