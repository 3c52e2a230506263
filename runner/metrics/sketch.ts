// A DDSketch-style quantile sketch: values fall into logarithmic buckets whose width is a fixed fraction of the
// value, so any quantile is returned within RELATIVE_ACCURACY of the exact element at that rank, in memory
// bounded by the value range (≈1,100 buckets from 1 µs to 1 h at 1 %), and never more than MAX_BINS per sign.

/** Relative error of every estimate: |estimate - exact| <= RELATIVE_ACCURACY * |exact|. */
export const RELATIVE_ACCURACY = 0.01;
/** Values this close to zero are counted as zero (well below a nanosecond when the unit is ms). */
const MIN_INDEXABLE = 1e-9;
const MAX_BINS = 4096;

const GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY);
const LOG_GAMMA = Math.log(GAMMA);

function indexOf(v: number): number {
  return Math.ceil(Math.log(v) / LOG_GAMMA);
}

function valueOf(index: number): number {
  // The midpoint (in relative terms) of bucket (gamma^(i-1), gamma^i].
  return (2 * Math.pow(GAMMA, index)) / (GAMMA + 1);
}

/** Dense counts for a contiguous index range; collapses the lowest buckets if the range grows too wide. */
class Store {
  counts = new Float64Array(0);
  offset = 0;
  total = 0;

  add(index: number, n: number): void {
    if (this.counts.length === 0) {
      this.counts = new Float64Array(64);
      this.offset = index - 32;
    }
    let i = index - this.offset;
    if (i < 0 || i >= this.counts.length) {
      this.grow(index);
      i = index - this.offset;
      if (i < 0) i = 0; // collapsed: the lowest bucket absorbs it
    }
    this.counts[i] += n;
    this.total += n;
  }

  private grow(index: number): void {
    const lo = Math.min(this.offset, index);
    const hi = Math.max(this.offset + this.counts.length - 1, index);
    const size = hi - lo + 1;
    let cap: number;
    let newOffset: number;
    if (size > MAX_BINS) {
      // Keep the high end (the tail that p95/p99 need); everything below folds into the first bucket.
      cap = MAX_BINS;
      newOffset = hi - MAX_BINS + 1;
    } else {
      cap = Math.min(MAX_BINS, Math.max(size, this.counts.length * 2));
      newOffset = lo - Math.floor((cap - size) / 2);
    }
    const next = new Float64Array(cap);
    for (let j = 0; j < this.counts.length; j++) {
      const c = this.counts[j];
      if (c !== 0) next[Math.max(0, this.offset + j - newOffset)] += c;
    }
    this.counts = next;
    this.offset = newOffset;
  }

  /** Bucket index holding the element of rank k (0-based, ascending index order). */
  indexAtRank(k: number, descending: boolean): number {
    let seen = 0;
    const n = this.counts.length;
    for (let j = 0; j < n; j++) {
      const pos = descending ? n - 1 - j : j;
      seen += this.counts[pos];
      if (seen > k) return this.offset + pos;
    }
    return this.offset + (descending ? 0 : n - 1);
  }

  merge(other: Store): void {
    for (let j = 0; j < other.counts.length; j++) {
      if (other.counts[j] !== 0) this.add(other.offset + j, other.counts[j]);
    }
  }

  bytes(): number {
    return this.counts.byteLength;
  }
}

export class QuantileSketch {
  private readonly pos = new Store();
  private readonly neg = new Store();
  private zeros = 0;
  count = 0;
  min = Infinity;
  max = -Infinity;

  add(v: number): void {
    this.count++;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    if (v > MIN_INDEXABLE) this.pos.add(indexOf(v), 1);
    else if (v < -MIN_INDEXABLE) this.neg.add(indexOf(-v), 1);
    else this.zeros++;
  }

  merge(other: QuantileSketch): void {
    this.pos.merge(other.pos);
    this.neg.merge(other.neg);
    this.zeros += other.zeros;
    this.count += other.count;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
  }

  /** Estimate of the k-th smallest value (0-based), clamped to the exact min/max. */
  valueAtRank(k: number): number {
    if (this.count === 0) return 0;
    if (k <= 0) return this.min;
    if (k >= this.count - 1) return this.max;
    let v: number;
    if (k < this.neg.total) v = -valueOf(this.neg.indexAtRank(k, true));
    else if (k < this.neg.total + this.zeros) v = 0;
    else v = valueOf(this.pos.indexAtRank(k - this.neg.total - this.zeros, false));
    return Math.min(this.max, Math.max(this.min, v));
  }

  /** k6's percentile: linear interpolation between the neighbouring ranks of p·(n−1). */
  quantile(p: number): number {
    if (this.count === 0) return 0;
    if (this.count === 1) return this.min;
    const i = p * (this.count - 1);
    const lo = this.valueAtRank(Math.floor(i));
    const hi = this.valueAtRank(Math.ceil(i));
    return lo + (hi - lo) * (i - Math.floor(i));
  }

  /** Approximate heap held by the buckets. */
  bytes(): number {
    return this.pos.bytes() + this.neg.bytes() + 64;
  }
}
