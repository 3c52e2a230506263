// constant-arrival-rate: `rate` iterations per `timeUnit` for `duration`, the first at t = 0.
import { constantDueTimes, runArrivals } from './arrival-rate.ts';
import { TimedExecutor } from './helpers.ts';
import type { ExecutionContext } from './types.ts';

export class ConstantArrivalRate extends TimedExecutor {
  protected length(): number {
    return this.scenario.duration;
  }

  async run(ctx: ExecutionContext, startAt: number): Promise<void> {
    const sc = this.scenario;
    const run = this.begin(ctx, startAt);
    await runArrivals(ctx, sc, run, startAt, constantDueTimes(sc), startAt + sc.duration);
  }
}
