// Executors by name, and the VU plan: how many VUs the scenarios need at once, counting startTime and the
// graceful periods, so all of them are initialised before setup().
import type { Scenario } from '../options.ts';
import { ConstantArrivalRate } from './constant-arrival-rate.ts';
import { ConstantVUs } from './constant-vus.ts';
import { PerVUIterations } from './per-vu-iterations.ts';
import { peakVUs, RampingVUs } from './ramping-vus.ts';
import { RampingArrivalRate } from './ramping-arrival-rate.ts';
import { SharedIterations } from './shared-iterations.ts';
import type { Executor } from './types.ts';

export function createExecutor(sc: Scenario): Executor {
  switch (sc.executor) {
    case 'shared-iterations':
      return new SharedIterations(sc);
    case 'per-vu-iterations':
      return new PerVUIterations(sc);
    case 'constant-vus':
      return new ConstantVUs(sc);
    case 'ramping-vus':
      return new RampingVUs(sc);
    case 'constant-arrival-rate':
      return new ConstantArrivalRate(sc);
    case 'ramping-arrival-rate':
      return new RampingArrivalRate(sc);
  }
}

/** The longest a scenario can hold its VUs, from its startTime. */
export function maxScenarioDuration(sc: Scenario): number {
  const stages = sc.stages.reduce((a, s) => a + s.duration, 0);
  switch (sc.executor) {
    case 'shared-iterations':
    case 'per-vu-iterations':
      return sc.maxDuration + sc.gracefulStop;
    case 'constant-vus':
    case 'constant-arrival-rate':
      return sc.duration + sc.gracefulStop;
    case 'ramping-vus':
    case 'ramping-arrival-rate':
      return stages + sc.gracefulStop;
  }
}

/** VUs a scenario holds from its start (arrival-rate: the pre-allocated ones; the rest come on demand). */
export function plannedVUs(sc: Scenario): number {
  switch (sc.executor) {
    case 'ramping-vus':
      return peakVUs(sc);
    case 'constant-arrival-rate':
    case 'ramping-arrival-rate':
      return sc.preAllocatedVUs;
    default:
      return sc.vus;
  }
}

/** Peak of the summed planned VUs over time. */
export function planVUs(scenarios: Scenario[]): number {
  const events: [number, number][] = [];
  for (const sc of scenarios) {
    events.push([sc.startTime, plannedVUs(sc)]);
    events.push([sc.startTime + maxScenarioDuration(sc), -plannedVUs(sc)]);
  }
  // Releases before acquisitions at the same instant.
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let peak = 0;
  for (const [, d] of events) {
    now += d;
    peak = Math.max(peak, now);
  }
  return peak;
}

/** VUs the arrival-rate scenarios may add during the run. */
export function extraVUs(scenarios: Scenario[]): number {
  return scenarios.reduce((a, sc) => a + Math.max(0, sc.maxVUs - sc.preAllocatedVUs), 0);
}
