// A test's planned arrival rate over time, in iterations per second, and what that means in API requests.
// Mirrors k6's arrival-rate executors: constant, or linear between stage targets.

export interface RateStage {
  durationS: number;
  /** Iterations per second at the end of the stage. */
  target: number;
}

export interface RatePlan {
  /** Iterations per second at t = 0. */
  startRate: number;
  stages: RateStage[];
  /** Platform API requests one iteration makes when nothing is retried (token requests excluded). */
  requestsPerIteration: number;
}

export function planDurationS(plan: RatePlan): number {
  return plan.stages.reduce((s, st) => s + st.durationS, 0);
}

/** Iterations per second the plan asks for at `t` seconds into the scenario (0 after the end). */
export function rateAt(plan: RatePlan, t: number): number {
  let from = plan.startRate;
  let start = 0;
  for (const st of plan.stages) {
    if (t < start + st.durationS) {
      return st.durationS <= 0 ? st.target : from + ((st.target - from) * (t - start)) / st.durationS;
    }
    start += st.durationS;
    from = st.target;
  }
  return 0;
}

export function peakRate(plan: RatePlan): number {
  return Math.max(plan.startRate, ...plan.stages.map((s) => s.target));
}

/** A constant arrival rate for `durationS`. */
export function constantPlan(rate: number, durationS: number, requestsPerIteration: number): RatePlan {
  return { startRate: rate, stages: [{ durationS, target: rate }], requestsPerIteration };
}

/** Mean iterations per second over [fromS, toS] (a window reaching before t = 0 counts the idle part). */
export function averageRate(plan: RatePlan, fromS: number, toS: number): number {
  if (toS <= fromS) return rateAt(plan, toS);
  const steps = 200;
  const dt = (toS - fromS) / steps;
  let sum = 0;
  for (let i = 0; i < steps; i++) {
    const t = fromS + (i + 0.5) * dt;
    if (t >= 0) sum += rateAt(plan, t) * dt;
  }
  return sum / (toS - fromS);
}
