// constant-vus: `vus` VUs loop from the start until `duration` ends.
import { giveBack, takeVUs, TimedExecutor } from './helpers.ts';
import type { ExecutionContext, VU } from './types.ts';

export class ConstantVUs extends TimedExecutor {
  protected length(): number {
    return this.scenario.duration;
  }

  async run(ctx: ExecutionContext, startAt: number): Promise<void> {
    const sc = this.scenario;
    const run = this.begin(ctx, startAt);
    const loop = async (vu: VU) => {
      try {
        const progress = () => this.loopProgress(ctx);
        while (!run.halted) if (!(await run.step(vu, progress))) break;
      } finally {
        giveBack(ctx, vu);
      }
    };
    const vus = takeVUs(ctx, sc.vus);
    await run.finish(Promise.all(vus.map(loop)), startAt + sc.duration);
  }
}
