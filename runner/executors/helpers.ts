// Shared pieces of every executor: waiting for absolute times, running one iteration with the scenario's
// env/tags/counters, and ending a scenario (no new iterations, gracefulStop, then interrupt).
import type { Scenario } from '../options.ts';
import type { ExecutionContext, Executor, IterationResult, LoopRequest, LoopResult, VU } from './types.ts';

const yieldToTimers = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Resolves at ctx.now() >= at, or as soon as `signal` aborts; true if the time was reached. */
export function sleepUntil(
  ctx: ExecutionContext,
  at: number,
  signal: AbortSignal = ctx.signal,
): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onAbort = () => {
      if (timer) clearTimeout(timer);
      resolve(false);
    };
    const tick = () => {
      const left = at - ctx.now();
      if (left <= 0) {
        signal.removeEventListener('abort', onAbort);
        resolve(true);
        return;
      }
      // Timers may fire a little early; re-arm until the absolute time is reached.
      timer = setTimeout(tick, Math.max(0, Math.ceil(left)));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    tick();
  });
}

/** One scenario's iteration bookkeeping. */
export class ScenarioRun {
  readonly running = new Set<VU>();
  /** VUs running their iterations back to back in their own thread (see loop) */
  private readonly looping = new Set<VU>();
  private isStopping = false;
  /** iterations started in the scenario, shared with VU threads that loop */
  private readonly counter = new Int32Array(new SharedArrayBuffer(4));
  completed = 0;
  interrupted = 0;
  startedAtEpoch = 0;
  private perVU = new Map<number, number>();
  private lastYield = 0;
  private readonly padding = new AbortController();
  private tags: Record<string, string>;
  private env: Record<string, string>;

  constructor(
    readonly ctx: ExecutionContext,
    readonly sc: Scenario,
    readonly progress: () => number,
  ) {
    this.tags = { ...ctx.runTags, ...sc.tags, scenario: sc.name };
    this.env = { ...ctx.env, ...sc.env };
    ctx.signal.addEventListener('abort', () => this.interruptAll(), { once: true });
  }

  /** an iteration called test.abort(): the test stops once that iteration has reported */
  private testAborted = false;

  /** No new iterations start once true (end of duration, or the test is stopping). */
  get stopping(): boolean {
    return this.isStopping;
  }

  set stopping(v: boolean) {
    this.isStopping = v;
    if (v) for (const vu of this.looping) vu.stopLooping?.();
  }

  get started(): number {
    return Atomics.load(this.counter, 0);
  }

  /** The next iteration number of the scenario (shared-iterations takes its iterations this way). */
  claim(): number {
    return Atomics.add(this.counter, 0, 1);
  }

  get halted(): boolean {
    return this.stopping || this.testAborted || this.ctx.signal.aborted;
  }

  /**
   * The whole test stopped early (test.abort, abortOnFail, a signal, a runner fault): k6 then reports no
   * dropped_iterations remainder, which it sends only while the test goes on.
   */
  get testStopped(): boolean {
    return this.testAborted || this.ctx.signal.aborted;
  }

  async iterate(vu: VU, iterationInTest = this.claim()): Promise<IterationResult> {
    const start = this.ctx.now();
    const r = await this.runOnce(vu, iterationInTest);
    // minIterationDuration pads a complete iteration after its samples, as in k6: the VU stays busy until
    // then, unless the scenario's hard stop (the end of gracefulStop, or a test-wide stop) comes first.
    const min = this.ctx.minIterationDuration ?? 0;
    if (min > 0 && !r.interrupted) await sleepUntil(this.ctx, start + min, this.padding.signal);
    return r;
  }

  private request(inScenario: number, iterationInTest: number) {
    return {
      fn: this.sc.exec,
      data: this.ctx.setupData,
      scenario: {
        name: this.sc.name,
        executor: this.sc.executor,
        startTime: this.startedAtEpoch,
        progress: this.progress(),
      },
      iterationInScenario: inScenario,
      iterationInTest,
      tags: this.tags,
      env: this.env,
      emitIteration: true,
      instance: this.ctx.instance?.(),
    };
  }

  private async runOnce(vu: VU, iterationInTest: number): Promise<IterationResult> {
    const inScenario = this.perVU.get(vu.id) ?? 0;
    this.perVU.set(vu.id, inScenario + 1);
    this.running.add(vu);
    try {
      const r = await vu.run(this.request(inScenario, iterationInTest));
      // A VU in another thread reports test.abort() with its verdict, maybe before the stop reaches here.
      if (r.aborted) this.testAborted = true;
      if (r.interrupted) this.interrupted++;
      else this.completed++;
      this.ctx.countIteration(!!r.interrupted);
      return r;
    } finally {
      this.running.delete(vu);
    }
  }

  /**
   * Whether `vu` can run its iterations back to back in its own thread: a real VU (not a test fake),
   * exec.instance counters in shared memory, and no minIterationDuration padding to apply between them.
   */
  canLoop(vu: VU): boolean {
    return !!vu.loop && !!this.ctx.instanceCounters && !((this.ctx.minIterationDuration ?? 0) > 0);
  }

  /**
   * Iterations of `vu` until the scenario stops, the VU is told to stop (stopLooping), an interrupt,
   * test.abort, or the limits. Counted here and, through shared memory, in exec.instance.
   */
  async loop(
    vu: VU,
    progress: LoopRequest['progress'],
    limits: { max?: number; limit?: number } = {},
  ): Promise<LoopResult> {
    const inScenario = this.perVU.get(vu.id) ?? 0;
    const req = this.request(inScenario, 0);
    const pending = vu.loop!({
      req,
      counter: this.counter.buffer as SharedArrayBuffer,
      progress,
      instance: this.ctx.instanceCounters,
      ...limits,
    });
    // Set after the loop's flags were reset, so a stop that came first still reaches it.
    this.running.add(vu);
    this.looping.add(vu);
    if (this.halted) vu.stopLooping?.();
    try {
      const r = await pending;
      this.perVU.set(vu.id, inScenario + r.completed + r.interrupted);
      this.completed += r.completed;
      this.interrupted += r.interrupted;
      if (r.aborted) this.testAborted = true;
      return r;
    } finally {
      this.running.delete(vu);
      this.looping.delete(vu);
    }
  }

  /**
   * A time-bound looping executor's step: the VU's iterations back to back in its thread where it can
   * (see loop), else one iteration and a pace. False once the VU cannot go on (its thread died).
   */
  async step(vu: VU, progress: () => LoopRequest['progress']): Promise<boolean> {
    if (this.canLoop(vu)) return (await this.loop(vu, progress())).error === undefined;
    await this.iterate(vu);
    await this.pace();
    return true;
  }

  /**
   * Called by looping executors between iterations: an iteration that settles without a macrotask would
   * otherwise starve the timers that end the scenario.
   */
  async pace(): Promise<void> {
    const now = this.ctx.now();
    if (now - this.lastYield > 10) {
      this.lastYield = now;
      await yieldToTimers();
    }
  }

  interruptAll(): void {
    this.stopping = true;
    this.padding.abort();
    for (const vu of this.running) vu.interrupt();
  }

  droppedSample(value: number, extra: Record<string, string> = {}) {
    return {
      metric: 'dropped_iterations',
      time: Date.now(),
      value,
      tags: { ...this.ctx.runTags, scenario: this.sc.name, ...extra },
    };
  }

  /**
   * The common end: wait for `work` or the regular end, stop starting iterations, give running ones
   * gracefulStop, then interrupt them, and wait for the work to settle.
   */
  async finish(work: Promise<unknown>, regularEnd: number): Promise<void> {
    const done = work.then(
      () => true,
      () => true,
    );
    const stopNow = new AbortController();
    const timed = await Promise.race([
      done,
      sleepUntil(this.ctx, regularEnd, stopNow.signal).then(() => false),
    ]);
    stopNow.abort();
    if (timed) return;
    this.stopping = true;
    const grace = new AbortController();
    const finished = await Promise.race([
      done,
      sleepUntil(this.ctx, regularEnd + this.sc.gracefulStop, grace.signal).then(() => false),
    ]);
    grace.abort();
    if (!finished) this.interruptAll();
    await done;
  }
}

/** Take `n` VUs for the scenario, counted as active while held. */
export function takeVUs(ctx: ExecutionContext, n: number, active = true): VU[] {
  const vus: VU[] = [];
  for (let i = 0; i < n; i++) vus.push(ctx.getVU());
  if (active) ctx.addActive(n);
  return vus;
}

export function giveBack(ctx: ExecutionContext, vu: VU, active = true): void {
  if (active) ctx.addActive(-1);
  ctx.returnVU(vu);
}

/** The executors whose length is known up front: progress is the share of that length gone by. */
export abstract class TimedExecutor implements Executor {
  private startAt = 0;
  private clock: () => number = () => 0;
  constructor(readonly scenario: Scenario) {}

  /** the scenario's regular duration in ms, graceful periods excluded */
  protected abstract length(): number;
  abstract run(ctx: ExecutionContext, startAt: number): Promise<void>;

  progress(): number {
    return Math.min(1, Math.max(0, (this.clock() - this.startAt) / this.length()));
  }

  /** the progress of a loop in a VU thread, by the wall clock there */
  protected loopProgress(ctx: ExecutionContext): LoopRequest['progress'] {
    return { from: Date.now() - (ctx.now() - this.startAt), ms: this.length() };
  }

  protected begin(ctx: ExecutionContext, startAt: number): ScenarioRun {
    this.startAt = startAt;
    this.clock = () => ctx.now();
    const run = new ScenarioRun(ctx, this.scenario, () => this.progress());
    run.startedAtEpoch = Date.now();
    return run;
  }
}
