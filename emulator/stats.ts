// Counters behind GET /__emulator/stats: requests by route and status, and early retries (requests that
// arrived before the Retry-After their caller was given had elapsed: the mark of a client that ignores it).

export class Stats {
  private byRoute = new Map<string, Map<number, number>>();
  private retryAt = new Map<string, number>();
  total = 0;
  earlyRetries = 0;

  count(routeKey: string, status: number): void {
    this.total++;
    let statuses = this.byRoute.get(routeKey);
    if (!statuses) this.byRoute.set(routeKey, (statuses = new Map()));
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
  }

  /** Remembers that `caller` (a token or an OAuth client) was told to wait until `until`. */
  toldToWait(caller: string, until: number): void {
    const prev = this.retryAt.get(caller);
    if (prev === undefined || until > prev) this.retryAt.set(caller, until);
  }

  /** Called for every request of `caller` before its limits are checked. */
  arrived(caller: string, now: number): void {
    const until = this.retryAt.get(caller);
    if (until === undefined) return;
    if (now < until) this.earlyRetries++;
    else this.retryAt.delete(caller);
  }

  sweep(now: number): void {
    for (const [caller, until] of this.retryAt) if (until <= now) this.retryAt.delete(caller);
  }

  routes(): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {};
    for (const [route, statuses] of [...this.byRoute].sort(([a], [b]) => a.localeCompare(b))) {
      out[route] = Object.fromEntries([...statuses].sort(([a], [b]) => a - b));
    }
    return out;
  }

  reset(): void {
    this.byRoute.clear();
    this.retryAt.clear();
    this.total = 0;
    this.earlyRetries = 0;
  }
}
