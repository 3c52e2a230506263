// Admitted requests per limit window from a timeline of the emulator's cumulative "admitted" counter.
// Windows start at the first admission and only complete windows count.

export interface Sample {
  /** Epoch ms. */
  t: number;
  /** Cumulative admitted requests at t. */
  admitted: number;
}

/** The cumulative count at time t, interpolated between the samples around it. */
export function admittedAt(samples: Sample[], t: number): number {
  if (samples.length === 0 || t <= samples[0].t) return samples[0]?.admitted ?? 0;
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1];
    const b = samples[i];
    if (t <= b.t) return a.admitted + ((b.admitted - a.admitted) * (t - a.t)) / Math.max(1, b.t - a.t);
  }
  return samples[samples.length - 1].admitted;
}

/** Each complete window's admissions as a share of `limit`. */
export function windowShares(samples: Sample[], windowMs: number, limit: number): number[] {
  const firstIdx = samples.findIndex((s) => s.admitted > 0);
  if (firstIdx < 0) return [];
  // The first admission happened after the previous sample: start the window there.
  const start = firstIdx > 0 ? samples[firstIdx - 1].t : samples[firstIdx].t;
  const base = firstIdx > 0 ? samples[firstIdx - 1].admitted : 0;
  const end = samples[samples.length - 1].t;
  const shares: number[] = [];
  for (let w = start; w + windowMs <= end; w += windowMs) {
    const from = w === start ? base : admittedAt(samples, w);
    shares.push((admittedAt(samples, w + windowMs) - from) / limit);
  }
  return shares;
}
