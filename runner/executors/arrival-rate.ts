// The open model shared by both arrival-rate executors: iterations start at absolute due times counted from
// the scenario start (so timer lateness never accumulates), each on an idle VU; with no idle VU the iteration
// is dropped and, below maxVUs, one more VU is initialised in the background, one at a time.
import type { Scenario } from '../options.ts';
import { giveBack, ScenarioRun, sleepUntil, takeVUs } from './helpers.ts';
import type { ExecutionContext, VU } from './types.ts';

const yieldToEvents = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function runArrivals(
  ctx: ExecutionContext,
  sc: Scenario,
  run: ScenarioRun,
  startAt: number,
  /** offsets in ms from the scenario start, increasing; the run ends when it returns */
  dueTimes: Iterable<number>,
  regularEnd: number,
): Promise<void> {
  const idle: VU[] = takeVUs(ctx, sc.preAllocatedVUs, false);
  const all: VU[] = [...idle];
  let initializing = false;
  let warned = false;
  const inFlight = new Set<Promise<unknown>>();

  const grow = () => {
    if (initializing || all.length >= sc.maxVUs) return;
    initializing = true;
    ctx.initVU().then(
      (vu) => {
        initializing = false;
        all.push(vu);
        idle.push(vu);
      },
      (err: unknown) => {
        initializing = false;
        ctx.warn(`could not initialise a VU: ${err instanceof Error ? err.message : String(err)}`, {
          executor: sc.executor,
          scenario: sc.name,
        });
      },
    );
  };

  const schedule = (async () => {
    for (const offset of dueTimes) {
      // The due times alone decide what starts (a late timer must not lose the last one); only a test-wide stop
      // ends the schedule early.
      if (!(await sleepUntil(ctx, startAt + offset)) || ctx.signal.aborted) return;
      // Before dropping, let VUs whose iterations already ended return: their replies may still be queued
      // behind this timer (always so when the schedule runs late).
      if (idle.length === 0) {
        await yieldToEvents();
        if (ctx.signal.aborted) return;
      }
      // Most recently used first: a warm VM and an open connection start the iteration sooner than a cold VU.
      const vu = idle.pop();
      if (!vu) {
        ctx.emit([run.droppedSample(1)]);
        if (all.length < sc.maxVUs) grow();
        else if (!warned) {
          warned = true;
          ctx.warn(`Insufficient VUs, reached ${sc.maxVUs} active VUs and cannot initialize more`, {
            executor: sc.executor,
            scenario: sc.name,
          });
        }
        continue;
      }
      ctx.addActive(1);
      const p = run.iterate(vu).finally(() => {
        ctx.addActive(-1);
        idle.push(vu);
        inFlight.delete(p);
      });
      inFlight.add(p);
    }
    // The scenario lasts its whole duration, as in k6, even when the last iteration is due earlier.
    await sleepUntil(ctx, regularEnd);
  })();

  const settled = async () => {
    await schedule;
    while (inFlight.size > 0) await Promise.all([...inFlight]);
  };
  await run.finish(settled(), regularEnd);
  for (const vu of all) giveBack(ctx, vu, false);
}

/** Due times of a constant rate: k * timeUnit / rate for k = 0, 1, ... before `duration`. */
export function* constantDueTimes(sc: Scenario): Generator<number> {
  const period = sc.timeUnit / sc.rate;
  for (let k = 0; ; k++) {
    const t = k * period;
    if (t >= sc.duration) return;
    yield t;
  }
}

/**
 * Due times of a piecewise-linear rate: iteration i = 1, 2, ... when the area under the rate curve reaches i
 * (a constant rate r gives i / r).
 */
export function* rampingDueTimes(sc: Scenario): Generator<number> {
  let area0 = 0;
  let t0 = 0;
  let r0 = sc.startRate;
  let i = 1;
  for (const st of sc.stages) {
    const d = st.duration / sc.timeUnit;
    const r1 = st.target;
    const area = (d * (r0 + r1)) / 2;
    while (d > 0 && i <= area0 + area + 1e-9) {
      const need = i - area0;
      let x: number;
      if (r1 === r0) x = need / r0;
      else {
        const a = (r1 - r0) / (2 * d);
        x = (-r0 + Math.sqrt(Math.max(0, r0 * r0 + 4 * a * need))) / (2 * a);
      }
      yield t0 + Math.min(d, Math.max(0, x)) * sc.timeUnit;
      i++;
    }
    area0 += area;
    t0 += st.duration;
    r0 = r1;
  }
}
