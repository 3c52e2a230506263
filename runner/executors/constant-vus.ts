// constant-vus: `vus` VUs loop from the start until `duration` ends.
import type { Scenario } from '../options.ts';
import { giveBack, ScenarioRun, takeVUs } from './helpers.ts';
import type { ExecutionContext, Executor, VU } from './types.ts';

export class ConstantVUs implements Executor {
  private startAt = 0;
  private clock: () => number = () => 0;
  constructor(readonly scenario: Scenario) {}

  progress(): number {
    return Math.min(1, Math.max(0, (this.clock() - this.startAt) / this.scenario.duration));
  }

  async run(ctx: ExecutionContext, startAt: number): Promise<void> {
    const sc = this.scenario;
    this.startAt = startAt;
    this.clock = () => ctx.now();
    const run = new ScenarioRun(ctx, sc, () => this.progress());
    run.startedAtEpoch = Date.now();
    const loop = async (vu: VU) => {
      try {
        while (!run.halted) {
          await run.iterate(vu);
          await run.pace();
        }
      } finally {
        giveBack(ctx, vu);
      }
    };
    const vus = takeVUs(ctx, sc.vus);
    await run.finish(Promise.all(vus.map(loop)), startAt + sc.duration);
  }
}
