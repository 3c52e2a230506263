// Exponential backoff with full jitter: wait a uniform random time in [0, min(cap, base * 2^(n-1))].
// Full jitter spreads the retries of many VUs that failed together, so they do not return together.

export interface BackoffSettings {
  /** First ceiling, in ms. */
  baseMs: number;
  /** No single wait exceeds this, in ms. */
  capMs: number;
}

/** The ceiling of the n-th retry's wait (n = 1 for the first retry). */
export function backoffCeiling(retry: number, s: BackoffSettings): number {
  if (retry < 1) return 0;
  // 2^31 already dwarfs any sensible cap; stop doubling before the float overflows.
  const exp = Math.min(retry - 1, 31);
  return Math.min(s.capMs, s.baseMs * 2 ** exp);
}

/** The n-th retry's wait: `random()` in [0, 1) scales the ceiling (Math.random in k6). */
export function backoffDelay(retry: number, s: BackoffSettings, random: () => number): number {
  return Math.floor(random() * backoffCeiling(retry, s));
}

/**
 * A human pause around `meanS` seconds: uniform in [mean × (1 - spread), mean × (1 + spread)], so guests that
 * started together drift apart instead of typing in lockstep.
 */
export function jittered(meanS: number, random: () => number, spread = 0.5): number {
  if (meanS <= 0) return 0;
  return meanS * (1 - spread + 2 * spread * random());
}
