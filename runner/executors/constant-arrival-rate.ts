// constant-arrival-rate: `rate` iterations per `timeUnit` for `duration`, the first at t = 0.
import type { Scenario } from '../options.ts';
import { constantDueTimes, runArrivals } from './arrival-rate.ts';
import { ScenarioRun } from './helpers.ts';
import type { ExecutionContext, Executor } from './types.ts';

export class ConstantArrivalRate implements Executor {
  private startAt = 0;
  private clock: () => number = () => 0;
  constructor(readonly scenario: Scenario) {}

  progress(): number {
    return Math.min(1, Math.max(0, (this.clock() - this.startAt) / this.scenario.duration));
  }

  async run(ctx: ExecutionContext, startAt: number): Promise<void> {
    this.startAt = startAt;
    this.clock = () => ctx.now();
    const sc = this.scenario;
    const run = new ScenarioRun(ctx, sc, () => this.progress());
    run.startedAtEpoch = Date.now();
    await runArrivals(ctx, sc, run, startAt, constantDueTimes(sc), startAt + sc.duration);
  }
}
