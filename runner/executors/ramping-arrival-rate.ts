// ramping-arrival-rate: the iteration rate follows the stages linearly from startRate.
import type { Scenario } from '../options.ts';
import { rampingDueTimes, runArrivals } from './arrival-rate.ts';
import { ScenarioRun } from './helpers.ts';
import type { ExecutionContext, Executor } from './types.ts';

export class RampingArrivalRate implements Executor {
  private startAt = 0;
  private clock: () => number = () => 0;
  constructor(readonly scenario: Scenario) {}

  private total(): number {
    return this.scenario.stages.reduce((a, s) => a + s.duration, 0);
  }

  progress(): number {
    return Math.min(1, Math.max(0, (this.clock() - this.startAt) / this.total()));
  }

  async run(ctx: ExecutionContext, startAt: number): Promise<void> {
    this.startAt = startAt;
    this.clock = () => ctx.now();
    const sc = this.scenario;
    const run = new ScenarioRun(ctx, sc, () => this.progress());
    run.startedAtEpoch = Date.now();
    await runArrivals(ctx, sc, run, startAt, rampingDueTimes(sc), startAt + this.total());
  }
}
