// shared-iterations: `vus` VUs take iterations from one shared counter until `iterations` have started or
// maxDuration ends; unattempted iterations are reported as one dropped_iterations sample (not after the
// whole test stopped early).
import type { Scenario } from '../options.ts';
import { giveBack, ScenarioRun, takeVUs } from './helpers.ts';
import type { ExecutionContext, Executor, VU } from './types.ts';

export class SharedIterations implements Executor {
  private current?: ScenarioRun;
  constructor(readonly scenario: Scenario) {}

  progress(): number {
    return Math.min(1, (this.current?.started ?? 0) / this.scenario.iterations);
  }

  async run(ctx: ExecutionContext, startAt: number): Promise<void> {
    const sc = this.scenario;
    const run = (this.current = new ScenarioRun(ctx, sc, () => this.progress()));
    run.startedAtEpoch = Date.now();
    const loop = async (vu: VU) => {
      try {
        if (run.canLoop(vu) && !run.halted) {
          await run.loop(vu, { total: sc.iterations }, { limit: sc.iterations });
        } else {
          while (!run.halted && run.started < sc.iterations) {
            await run.iterate(vu, run.claim());
            await run.pace();
          }
        }
      } finally {
        giveBack(ctx, vu);
      }
    };
    const vus = takeVUs(ctx, sc.vus);
    await run.finish(Promise.all(vus.map(loop)), startAt + sc.maxDuration);
    const left = sc.iterations - run.started;
    if (left > 0 && !run.testStopped) ctx.emit([run.droppedSample(left)]);
  }
}
