// per-vu-iterations: each of `vus` VUs runs exactly `iterations`; when maxDuration cuts them short, each VU
// reports its remainder as dropped_iterations (not after the whole test stopped early).
import type { Scenario } from '../options.ts';
import { giveBack, ScenarioRun, takeVUs } from './helpers.ts';
import type { Sample } from '../metrics/types.ts';
import type { ExecutionContext, Executor, VU } from './types.ts';

export class PerVUIterations implements Executor {
  private current?: ScenarioRun;
  constructor(readonly scenario: Scenario) {}

  progress(): number {
    return Math.min(1, (this.current?.started ?? 0) / (this.scenario.iterations * this.scenario.vus));
  }

  async run(ctx: ExecutionContext, startAt: number): Promise<void> {
    const sc = this.scenario;
    const run = (this.current = new ScenarioRun(ctx, sc, () => this.progress()));
    run.startedAtEpoch = Date.now();
    const remainders: number[] = [];
    const ids: number[] = [];
    const loop = async (vu: VU, index: number) => {
      ids[index] = vu.id;
      let i = 0;
      try {
        if (run.canLoop(vu) && !run.halted) {
          const r = await run.loop(vu, { total: sc.iterations * sc.vus }, { max: sc.iterations });
          i = r.completed + r.interrupted;
        } else {
          for (; i < sc.iterations && !run.halted; i++) {
            await run.iterate(vu);
            await run.pace();
          }
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
    if (drops.length > 0 && !run.testStopped) ctx.emit(drops);
  }
}
