// per-vu-iterations: each of `vus` VUs runs exactly `iterations`; when maxDuration cuts them short, each VU
// reports its remainder as dropped_iterations.
import type { Scenario } from '../options.ts';
import { giveBack, ScenarioRun, takeVUs } from './helpers.ts';
import type { ExecutionContext, Executor, VU } from './types.ts';

export class PerVUIterations implements Executor {
  private started = 0;
  constructor(readonly scenario: Scenario) {}

  progress(): number {
    return Math.min(1, this.started / (this.scenario.iterations * this.scenario.vus));
  }

  async run(ctx: ExecutionContext, startAt: number): Promise<void> {
    const sc = this.scenario;
    const run = new ScenarioRun(ctx, sc, () => this.progress());
    run.startedAtEpoch = Date.now();
    const remainders: number[] = [];
    const loop = async (vu: VU, index: number) => {
      let i = 0;
      try {
        for (; i < sc.iterations && !run.halted; i++) {
          this.started++;
          await run.iterate(vu);
          await run.pace();
        }
      } finally {
        remainders[index] = sc.iterations - i;
        giveBack(ctx, vu);
      }
    };
    const vus = takeVUs(ctx, sc.vus);
    await run.finish(Promise.all(vus.map(loop)), startAt + sc.maxDuration);
    const drops = remainders.filter((r) => r > 0).map((r) => run.droppedSample(r));
    if (drops.length > 0) ctx.emit(drops);
  }
}
