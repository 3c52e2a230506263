// Rate limiting with a sliding-window log: a key is admitted while fewer than `limit` requests were admitted
// in the last `windowMs`. Every admission is remembered, so no window of that length, wherever it starts,
// ever holds more than `limit`, and the time until a slot frees is exact (the oldest admission's age-out).
// Throttled requests are not remembered: they do not use up the budget.

/** Admission times for one key, oldest first, in a ring buffer that grows up to the limit. */
class WindowLog {
  private buf: Float64Array;
  private head = 0;
  size = 0;

  constructor(
    private readonly limit: number,
    initial = 16,
  ) {
    this.buf = new Float64Array(Math.min(limit, initial));
  }

  prune(cutoff: number): void {
    const buf = this.buf;
    while (this.size > 0 && buf[this.head] <= cutoff) {
      this.head = this.head + 1 === buf.length ? 0 : this.head + 1;
      this.size--;
    }
  }

  oldest(): number {
    return this.buf[this.head];
  }

  newest(): number {
    return this.buf[(this.head + this.size - 1) % this.buf.length];
  }

  push(t: number): void {
    if (this.size === this.buf.length) this.grow();
    this.buf[(this.head + this.size) % this.buf.length] = t;
    this.size++;
  }

  private grow(): void {
    const next = new Float64Array(Math.min(this.limit, this.buf.length * 2));
    for (let i = 0; i < this.size; i++) next[i] = this.buf[(this.head + i) % this.buf.length];
    this.buf = next;
    this.head = 0;
  }
}

export class RateLimiter {
  admitted = 0;
  throttled = 0;
  private logs = new Map<string, WindowLog>();

  /**
   * @param name the platform's limit key, e.g. "token.rate.per.minute"
   * @param limit admissions per window, a whole number from 1: the value the limits endpoint reports
   * @param windowMs the window in real milliseconds (a minute divided by the time scale)
   */
  constructor(
    readonly name: string,
    readonly limit: number,
    readonly windowMs: number,
  ) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(`limit ${name} must be a whole number from 1`);
  }

  /** 0 when `key` may be admitted at `now`, else the milliseconds until its oldest admission ages out. */
  waitMs(key: string, now: number): number {
    const log = this.logs.get(key);
    if (!log) return 0;
    log.prune(now - this.windowMs);
    return log.size < this.limit ? 0 : log.oldest() + this.windowMs - now;
  }

  record(key: string, now: number): void {
    this.admitted++;
    let log = this.logs.get(key);
    if (!log) this.logs.set(key, (log = new WindowLog(this.limit)));
    log.push(now);
  }

  /** Forget keys with nothing left in their window, so memory follows live traffic only. */
  sweep(now: number): void {
    for (const [key, log] of this.logs)
      if (log.size === 0 || log.newest() <= now - this.windowMs) this.logs.delete(key);
  }

  reset(): void {
    this.logs.clear();
    this.admitted = 0;
    this.throttled = 0;
  }
}

export interface LimitCheck {
  limiter: RateLimiter;
  key: string;
}

/**
 * Admits a request only if every limiter in `checks` has room, then records it in all of them; the check and
 * the record happen in one synchronous step, so concurrent requests cannot both take the last slot.
 * Returns 0 when admitted, else the milliseconds until every refusing limiter has a free slot.
 */
export function admit(checks: LimitCheck[], now: number): number {
  let wait = 0;
  for (const c of checks) {
    const w = c.limiter.waitMs(c.key, now);
    if (w > 0) {
      c.limiter.throttled++;
      if (w > wait) wait = w;
    }
  }
  if (wait > 0) return wait;
  for (const c of checks) c.limiter.record(c.key, now);
  return 0;
}

/** Retry-After in whole seconds, rounded up so a retry at that time finds the slot free; never below 1. */
export function retryAfterSeconds(waitMs: number): number {
  return Math.max(1, Math.ceil(waitMs / 1000));
}
