// ramping-arrival-rate: the iteration rate follows the stages linearly from startRate.
import { rampingDueTimes, runArrivals } from './arrival-rate.ts';
import { TimedExecutor } from './helpers.ts';
import type { ExecutionContext } from './types.ts';

export class RampingArrivalRate extends TimedExecutor {
  protected length(): number {
    return this.scenario.stages.reduce((a, s) => a + s.duration, 0);
  }

  async run(ctx: ExecutionContext, startAt: number): Promise<void> {
    const sc = this.scenario;
    const run = this.begin(ctx, startAt);
    await runArrivals(ctx, sc, run, startAt, rampingDueTimes(sc), startAt + this.length());
  }
}
