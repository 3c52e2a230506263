// Counters behind GET /__emulator/stats: requests by route and status, and what a caller sent while it was
// told to wait. HTTP/1.1 answers one request at a time per connection, so a request that arrives on the
// connection that carried the 429 was sent after the client read it: an early retry, the mark of a client
// that ignores Retry-After. Other requests of that caller during the wait (in flight when the 429 went out,
// or from another connection that never saw it) are counted apart, as requestsWhileWaiting.

export class Stats {
  private byRoute = new Map<string, Map<number, number>>();
  private retryAt = new Map<string, number>();
  /** Per connection, when the Retry-After of the 429 it carried elapses. */
  private toldConnections = new WeakMap<object, number>();
  total = 0;
  earlyRetries = 0;
  requestsWhileWaiting = 0;

  count(routeKey: string, status: number): void {
    this.total++;
    let statuses = this.byRoute.get(routeKey);
    if (!statuses) this.byRoute.set(routeKey, (statuses = new Map()));
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
  }

  /** Remembers that `caller` (a token or an OAuth client) was told, over `connection`, to wait until `until`. */
  toldToWait(caller: string, until: number, connection: object): void {
    const prev = this.retryAt.get(caller);
    if (prev === undefined || until > prev) this.retryAt.set(caller, until);
    this.toldConnections.set(connection, Math.max(until, this.toldConnections.get(connection) ?? 0));
  }

  /** Called for every request of `caller` before its limits are checked. */
  arrived(caller: string, now: number, connection: object): void {
    const until = this.retryAt.get(caller);
    if (until === undefined) return;
    if (now >= until) {
      this.retryAt.delete(caller);
      return;
    }
    if ((this.toldConnections.get(connection) ?? 0) > now) this.earlyRetries++;
    else this.requestsWhileWaiting++;
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
    this.toldConnections = new WeakMap();
    this.total = 0;
    this.earlyRetries = 0;
    this.requestsWhileWaiting = 0;
  }
}
