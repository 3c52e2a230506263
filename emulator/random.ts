// Seeded pseudo-random streams, so a fault or latency pattern replays exactly from the same seed.

/** mulberry32: small, fast, and good enough for picking faults and latencies. */
export function seededRandom(seed: number): () => number {
  let a = (Math.floor(seed) ^ 0x9e3779b9) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal sample (Box-Muller). */
export function normal(rand: () => number): number {
  const u = Math.max(rand(), Number.MIN_VALUE);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/** z-score of the 99th percentile of a standard normal. */
const Z99 = 2.3263;

/**
 * A log-normal sampler through a median and a 99th percentile (ln(p99) = mu + Z99 * sigma), or null when the
 * median is 0: nothing is drawn then, so an unconfigured delay leaves the stream where it was.
 */
export function logNormal(median: number, p99: number): ((rand: () => number) => number) | null {
  if (!(median > 0)) return null;
  const mu = Math.log(median);
  const sigma = p99 > median ? (Math.log(p99) - mu) / Z99 : 0;
  return (rand) => Math.exp(mu + sigma * normal(rand));
}
