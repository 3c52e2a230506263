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
  /** JSON: distinct metadata sets (absent: no sample had any) */
  metas?: string;
  /** per sample: name index, tags index, value, time, metadata index (-1: none) */
  rows: Float64Array;
}

const COLUMNS = 5;

/** Index of `obj` in `texts`, told apart by object first, then by its JSON. */
class Distinct {
  readonly texts: string[] = [];
  private byObject = new Map<Record<string, string>, number>();
  private byText = new Map<string, number>();

  index(obj: Record<string, string>): number {
    let i = this.byObject.get(obj);
    if (i === undefined) {
      const text = JSON.stringify(obj);
      i = this.byText.get(text);
      if (i === undefined) {
        i = this.texts.push(text) - 1;
        this.byText.set(text, i);
      }
      this.byObject.set(obj, i);
    }
    return i;
  }
}

export function pack(batch: Sample[]): PackedSamples {
  const names: string[] = [];
  const nameIdx = new Map<string, number>();
  // Requests that carry equal tags (each with its own object) share one entry.
  const tags = new Distinct();
  let metas: Distinct | null = null;
  const rows = new Float64Array(batch.length * COLUMNS);
  let j = 0;
  for (const s of batch) {
    let ni = nameIdx.get(s.metric);
    if (ni === undefined) {
      ni = names.push(s.metric) - 1;
      nameIdx.set(s.metric, ni);
    }
    rows[j++] = ni;
    rows[j++] = tags.index(s.tags);
    rows[j++] = s.value;
    rows[j++] = s.time;
    rows[j++] = s.metadata ? (metas ??= new Distinct()).index(s.metadata) : -1;
  }
  const out: PackedSamples = { names: JSON.stringify(names), tags: `[${tags.texts.join(',')}]`, rows };
  if (metas) out.metas = `[${metas.texts.join(',')}]`;
  return out;
}

/** Samples with equal tags (or metadata) share one object again: consumers must not mutate them. */
export function unpack(p: PackedSamples): Sample[] {
  const names = JSON.parse(p.names) as string[];
  const tags = JSON.parse(p.tags) as Record<string, string>[];
  const metas = p.metas ? (JSON.parse(p.metas) as Record<string, string>[]) : null;
  const rows = p.rows;
  const out: Sample[] = new Array(rows.length / COLUMNS);
  for (let i = 0, j = 0; j < rows.length; i++, j += COLUMNS) {
    const s: Sample = {
      metric: names[rows[j] | 0],
      time: rows[j + 3],
      value: rows[j + 2],
      tags: tags[rows[j + 1] | 0],
    };
    const m = rows[j + 4];
    if (metas && m >= 0) s.metadata = metas[m | 0];
    out[i] = s;
  }
  return out;
}
