// The bounded time series behind the HTML report: per-second buckets that coarsen (pairs merged, width doubled)
// whenever the run outgrows MAX_BUCKETS, so memory stays fixed however long the test runs. The same class is fed
// by the runner's metrics engine and by a k6 NDJSON stream read back (outputs/json-read.ts), so both reports
// count alike.
import { QuantileSketch } from './sketch.ts';
import type { Sample } from './types.ts';

export const MAX_BUCKETS = 600;

/**
 * Metrics a script may define on top of k6's own: a counter of retried requests and a rate of calls that still
 * failed after their retries. Both are optional: a run that records neither gets neither chart.
 */
export interface SeriesNames {
  retries: string;
  finalFailures: string;
}

export const DEFAULT_SERIES_NAMES: SeriesNames = { retries: 'retries', finalFailures: 'final_failures' };

interface Bucket {
  reqs: number;
  failed: number;
  status429: number;
  retries: number;
  finalFailures: number;
  wsSessions: number;
  wsSent: number;
  wsReceived: number;
  /** last vus gauge value seen in the bucket, NaN when none */
  vus: number;
  duration: QuantileSketch;
}

export interface SeriesPoint {
  /** bucket start, seconds since the series started */
  t: number;
  /** requests per second over the bucket */
  reqRate: number;
  /** p95 of http_req_duration in the bucket, ms (null when no requests) */
  p95: number | null;
  /** 429 responses per second */
  rate429: number;
  /** retries counter per second */
  retryRate: number;
  /** requests with http_req_failed=1 per second */
  failRate: number;
  /** final-failures samples with a non-zero value per second */
  finalFailRate: number;
  /** k6/ws connections opened per second */
  wsSessionRate: number;
  /** k6/ws frames sent and received per second */
  wsSentRate: number;
  wsRecvRate: number;
  /** active VUs (null when no sample in the bucket) */
  vus: number | null;
}

export interface SeriesTotals {
  reqs: number;
  failed: number;
  status429: number;
  retries: number;
  finalFailures: number;
  wsSessions: number;
  wsMsgsSent: number;
  wsMsgsReceived: number;
  maxVus: number;
}

const empty = (): Bucket => ({
  reqs: 0,
  failed: 0,
  status429: 0,
  retries: 0,
  finalFailures: 0,
  wsSessions: 0,
  wsSent: 0,
  wsReceived: 0,
  vus: NaN,
  duration: new QuantileSketch(),
});

export class TimeSeries {
  widthMs = 1000;
  private start = NaN;
  private buckets: Bucket[] = [];
  hasRetries = false;
  hasFinalFailures = false;
  /** the run opened a k6/ws connection: the report adds its chart and totals */
  hasWebSockets = false;
  /** whole-run totals for the report's header */
  readonly totals: SeriesTotals = {
    reqs: 0,
    failed: 0,
    status429: 0,
    retries: 0,
    finalFailures: 0,
    wsSessions: 0,
    wsMsgsSent: 0,
    wsMsgsReceived: 0,
    maxVus: 0,
  };
  readonly names: SeriesNames;
  private readonly wanted: Set<string>;

  constructor(
    private readonly maxBuckets = MAX_BUCKETS,
    names: Partial<SeriesNames> = {},
  ) {
    this.names = { ...DEFAULT_SERIES_NAMES, ...names };
    this.wanted = new Set([
      'http_reqs',
      'http_req_duration',
      'http_req_failed',
      'vus',
      'ws_sessions',
      'ws_msgs_sent',
      'ws_msgs_received',
      this.names.retries,
      this.names.finalFailures,
    ]);
  }

  /** Whether samples of this metric change the series (a reader can skip decoding the others). */
  wants(metric: string): boolean {
    return this.wanted.has(metric);
  }

  /** Sets time zero (the scheduler's test start); otherwise the first sample's time is used. */
  begin(epochMs: number): void {
    if (Number.isNaN(this.start)) this.start = epochMs;
  }

  /** Time zero as epoch ms, NaN before the first sample. */
  get startMs(): number {
    return this.start;
  }

  add(s: Sample): void {
    const m = s.metric;
    if (!this.wanted.has(m)) return;
    if (Number.isNaN(this.start)) this.start = s.time;
    let i = Math.floor((s.time - this.start) / this.widthMs);
    if (i < 0) i = 0;
    while (i >= this.maxBuckets) {
      this.coarsen();
      i = Math.floor((s.time - this.start) / this.widthMs);
    }
    while (this.buckets.length <= i) this.buckets.push(empty());
    const b = this.buckets[i];
    switch (m) {
      case 'http_reqs':
        b.reqs += s.value;
        this.totals.reqs += s.value;
        if (s.tags.status === '429') {
          b.status429 += s.value;
          this.totals.status429 += s.value;
        }
        return;
      case 'http_req_duration':
        b.duration.add(s.value);
        return;
      case 'http_req_failed':
        if (s.value !== 0) {
          b.failed++;
          this.totals.failed++;
        }
        return;
      case 'ws_sessions':
        this.hasWebSockets = true;
        b.wsSessions += s.value;
        this.totals.wsSessions += s.value;
        return;
      case 'ws_msgs_sent':
        b.wsSent += s.value;
        this.totals.wsMsgsSent += s.value;
        return;
      case 'ws_msgs_received':
        b.wsReceived += s.value;
        this.totals.wsMsgsReceived += s.value;
        return;
      case 'vus':
        b.vus = s.value;
        if (s.value > this.totals.maxVus) this.totals.maxVus = s.value;
        return;
    }
    if (m === this.names.retries) {
      this.hasRetries = true;
      b.retries += s.value;
      this.totals.retries += s.value;
    } else if (m === this.names.finalFailures) {
      this.hasFinalFailures = true;
      if (s.value !== 0) {
        b.finalFailures++;
        this.totals.finalFailures++;
      }
    }
  }

  private coarsen(): void {
    const merged: Bucket[] = [];
    for (let i = 0; i < this.buckets.length; i += 2) {
      const a = this.buckets[i];
      const b = this.buckets[i + 1];
      if (b) {
        a.reqs += b.reqs;
        a.failed += b.failed;
        a.status429 += b.status429;
        a.retries += b.retries;
        a.finalFailures += b.finalFailures;
        a.wsSessions += b.wsSessions;
        a.wsSent += b.wsSent;
        a.wsReceived += b.wsReceived;
        if (!Number.isNaN(b.vus)) a.vus = b.vus;
        a.duration.merge(b.duration);
      }
      merged.push(a);
    }
    this.buckets = merged;
    this.widthMs *= 2;
  }

  get length(): number {
    return this.buckets.length;
  }

  /** `endMs` (since the start) shortens the last bucket to the part the run covered, so its rates are not diluted. */
  points(endMs?: number): SeriesPoint[] {
    const last = this.buckets.length - 1;
    return this.buckets.map((b, i) => {
      let width = this.widthMs;
      if (i === last && endMs !== undefined) width = Math.min(width, Math.max(endMs - i * this.widthMs, 1));
      const perSec = 1000 / width;
      return {
        t: (i * this.widthMs) / 1000,
        reqRate: b.reqs * perSec,
        p95: b.duration.count ? b.duration.quantile(0.95) : null,
        rate429: b.status429 * perSec,
        retryRate: b.retries * perSec,
        failRate: b.failed * perSec,
        finalFailRate: b.finalFailures * perSec,
        wsSessionRate: b.wsSessions * perSec,
        wsSentRate: b.wsSent * perSec,
        wsRecvRate: b.wsReceived * perSec,
        vus: Number.isNaN(b.vus) ? null : b.vus,
      };
    });
  }
}
