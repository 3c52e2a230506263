// per-vu-iterations: each of `vus` VUs runs exactly `iterations`; when maxDuration cuts them short, each VU
// reports its remainder as dropped_iterations.
import type { Scenario } from '../options.ts';
import { giveBack, ScenarioRun, takeVUs } from './helpers.ts';
import type { Sample } from '../metrics/types.ts';
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
    const ids: number[] = [];
    const loop = async (vu: VU, index: number) => {
      ids[index] = vu.id;
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
    // Each VU reports its own remainder (with the opt-in `vu` as metadata, as in k6).
    const drops = remainders.flatMap((r, i) => {
      if (r <= 0) return [];
      const s: Sample = run.droppedSample(r);
      if (ctx.vuMetadata) s.metadata = { vu: String(ids[i]) };
      return [s];
    });
    if (drops.length > 0) ctx.emit(drops);
  }
}
