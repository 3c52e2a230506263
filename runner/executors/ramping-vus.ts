// ramping-vus: the number of looping VUs follows the stages (a + trunc((b-a)*t/D) within a stage); VUs above
// the target finish their iteration within gracefulRampDown, else are interrupted; gracefulStop after the end.
import type { Scenario, Stage } from '../options.ts';
import { giveBack, sleepUntil, takeVUs, TimedExecutor } from './helpers.ts';
import type { ExecutionContext, VU } from './types.ts';

/** (offset ms, target VUs) steps: one per whole-VU change, in time order. */
export function vuSteps(startVUs: number, stages: Stage[]): { at: number; vus: number }[] {
  const steps = [{ at: 0, vus: startVUs }];
  let t0 = 0;
  let a = startVUs;
  for (const st of stages) {
    const b = st.target;
    if (st.duration === 0) {
      steps.push({ at: t0, vus: b });
    } else {
      const diff = Math.abs(b - a);
      const sign = Math.sign(b - a);
      for (let k = 1; k <= diff; k++) steps.push({ at: t0 + (k * st.duration) / diff, vus: a + sign * k });
    }
    t0 += st.duration;
    a = b;
  }
  return steps;
}

export function peakVUs(sc: Scenario): number {
  return Math.max(sc.startVUs, ...sc.stages.map((s) => s.target));
}

interface Slot {
  vu: VU;
  want: boolean;
  loop?: Promise<void>;
  /** iteration sequence number, so a ramp-down timer only interrupts the iteration it was set for */
  seq: number;
}

export class RampingVUs extends TimedExecutor {
  protected length(): number {
    return this.scenario.stages.reduce((a, s) => a + s.duration, 0);
  }

  async run(ctx: ExecutionContext, startAt: number): Promise<void> {
    const sc = this.scenario;
    const run = this.begin(ctx, startAt);
    const slots: Slot[] = takeVUs(ctx, peakVUs(sc), false).map((vu) => ({ vu, want: false, seq: 0 }));
    const loops = new Set<Promise<void>>();

    const loop = async (slot: Slot) => {
      ctx.addActive(1);
      try {
        const progress = () => this.loopProgress(ctx);
        while (slot.want && !run.halted) {
          slot.seq++;
          if (!(await run.step(slot.vu, progress))) break;
        }
      } finally {
        ctx.addActive(-1);
      }
    };
    const start = (slot: Slot) => {
      slot.want = true;
      if (slot.loop) return;
      const p = loop(slot).finally(() => {
        slot.loop = undefined;
        loops.delete(p);
        // Raised again while the last iteration was finishing: keep going.
        if (slot.want && !run.halted) start(slot);
      });
      slot.loop = p;
      loops.add(p);
    };
    const stop = (slot: Slot) => {
      if (!slot.want) return;
      slot.want = false;
      if (!slot.loop) return;
      slot.vu.stopLooping?.();
      const seq = slot.seq;
      setTimeout(() => {
        if (!slot.want && slot.loop && slot.seq === seq) slot.vu.interrupt();
      }, sc.gracefulRampDown).unref();
    };
    const setTarget = (n: number) => {
      slots.forEach((slot, i) => (i < n ? start(slot) : stop(slot)));
    };

    const schedule = (async () => {
      for (const step of vuSteps(sc.startVUs, sc.stages)) {
        if (!(await sleepUntil(ctx, startAt + step.at)) || run.halted) return;
        setTarget(step.vus);
      }
    })();
    const end = startAt + this.length();
    await sleepUntil(ctx, end);
    await schedule;
    const settled = async () => {
      while (loops.size > 0) await Promise.all([...loops]);
    };
    await run.finish(settled(), end);
    for (const slot of slots) giveBack(ctx, slot.vu, false);
  }
}
