// One aggregate per metric (and per sub-metric), by metric type, with k6 v0.49's arithmetic.
import { QuantileSketch } from './sketch.ts';
import type { MetricType } from './types.ts';

/** A Trend keeps every value up to this many, then moves to the sketch (see sketch.ts for its error bound). */
export const EXACT_TREND_LIMIT = 10_000;

export class CounterSink {
  readonly type = 'counter';
  count = 0;
  samples = 0;
  add(v: number): void {
    this.count += v;
    this.samples++;
  }
  isEmpty(): boolean {
    return this.samples === 0;
  }
}

export class GaugeSink {
  readonly type = 'gauge';
  value = 0;
  min = 0;
  // k6 v0.49 starts max at 0, so an all-negative gauge reports max=0; reproduced on purpose.
  max = 0;
  samples = 0;
  add(v: number): void {
    this.value = v;
    if (this.samples === 0 || v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    this.samples++;
  }
  isEmpty(): boolean {
    return this.samples === 0;
  }
}

export class RateSink {
  readonly type = 'rate';
  trues = 0;
  total = 0;
  add(v: number): void {
    this.total++;
    if (v !== 0) this.trues++;
  }
  isEmpty(): boolean {
    return this.total === 0;
  }
  /** undefined while empty: a threshold on an empty Rate has no value and passes. */
  rate(): number | undefined {
    return this.total === 0 ? undefined : this.trues / this.total;
  }
}

export class TrendSink {
  readonly type = 'trend';
  count = 0;
  sum = 0;
  min = 0;
  max = 0;
  private values: Float64Array | undefined = new Float64Array(16);
  private sorted = true;
  private sketch: QuantileSketch | undefined;

  constructor(private readonly exactLimit = EXACT_TREND_LIMIT) {}

  add(v: number): void {
    if (this.count === 0 || v < this.min) this.min = v;
    if (this.count === 0 || v > this.max) this.max = v;
    this.count++;
    this.sum += v;
    if (this.sketch) {
      this.sketch.add(v);
      return;
    }
    let values = this.values!;
    if (this.count > this.exactLimit) {
      const sketch = new QuantileSketch();
      for (let i = 0; i < this.count - 1; i++) sketch.add(values[i]);
      sketch.add(v);
      this.sketch = sketch;
      this.values = undefined;
      return;
    }
    if (this.count > values.length) {
      const next = new Float64Array(Math.min(values.length * 2, this.exactLimit));
      next.set(values);
      this.values = values = next;
    }
    values[this.count - 1] = v;
    this.sorted = false;
  }

  isEmpty(): boolean {
    return this.count === 0;
  }

  /** True once the sink keeps a sketch instead of every value. */
  get approximate(): boolean {
    return this.sketch !== undefined;
  }

  avg(): number {
    return this.count === 0 ? 0 : this.sum / this.count;
  }

  /** p in 0..1; k6's rule: interpolate linearly between the values at floor/ceil of p·(n−1). */
  percentile(p: number): number {
    if (this.count === 0) return 0;
    if (this.sketch) return this.sketch.quantile(p);
    const values = this.values!;
    if (!this.sorted) {
      values.subarray(0, this.count).sort();
      this.sorted = true;
    }
    if (this.count === 1) return values[0];
    const i = p * (this.count - 1);
    const j = values[Math.floor(i)];
    const k = values[Math.ceil(i)];
    return j + (k - j) * (i - Math.floor(i));
  }

  /** Heap held by the sink's values or sketch. */
  bytes(): number {
    return this.sketch ? this.sketch.bytes() : this.values!.byteLength;
  }
}

export type Sink = CounterSink | GaugeSink | RateSink | TrendSink;

export function newSink(type: MetricType): Sink {
  switch (type) {
    case 'counter':
      return new CounterSink();
    case 'gauge':
      return new GaugeSink();
    case 'rate':
      return new RateSink();
    case 'trend':
      return new TrendSink();
  }
}
