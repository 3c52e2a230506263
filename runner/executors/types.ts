// What an executor needs from the scheduler, and the VU handle it drives (the VU pool's, runner/vu/types.ts).
import type { Sample } from '../metrics/types.ts';
import type { Fields } from '../log.ts';
import type { Scenario } from '../options.ts';
import type { InstanceInfo, LoopRequest, LoopResult, RunRequest, RunResult, VUHandle } from '../vu/types.ts';

export type { ScenarioInfo } from '../vu/types.ts';
export type VU = VUHandle;
export type IterationRequest = RunRequest;
export type IterationResult = RunResult;
export type { LoopRequest, LoopResult };
export { INSTANCE } from '../vu/types.ts';

export interface ExecutionContext {
  /** An idle initialised VU, first in first out; throws when none is idle (the plan guarantees enough). */
  getVU(): VU;
  returnVU(vu: VU): void;
  /** Initialises one VU beyond the plan (arrival-rate executors up to maxVUs). */
  initVU(): Promise<VU>;
  /** The `vus` gauge: VUs running (or, for looping executors, holding) a scenario. */
  addActive(delta: number): void;
  /** Progress counters: one call per finished iteration. */
  countIteration(interrupted: boolean): void;
  /** exec.instance numbers as the iteration starts */
  instance?(): InstanceInfo;
  /**
   * The same numbers in shared memory (Int32Array, see INSTANCE in vu/types.ts): VUs that loop in their
   * own thread read and count them there, and countIteration is not called for their iterations.
   */
  instanceCounters?: SharedArrayBuffer;
  emit(samples: Sample[]): void;
  warn(msg: string, fields?: Fields): void;
  /** Monotonic milliseconds, the clock executors schedule against. */
  now(): number;
  /** Aborted when the whole test stops early (test.abort, abortOnFail, a signal): iterations end at once. */
  signal: AbortSignal;
  runTags: Record<string, string>;
  env: Record<string, string>;
  /** setup()'s result as JSON text */
  setupData: string | undefined;
  /** options.minIterationDuration in ms: complete iterations are padded to it (the VU stays busy) */
  minIterationDuration?: number;
  /** `systemTags` lists the opt-in `vu`: samples an executor emits for a VU carry it as metadata */
  vuMetadata?: boolean;
}

export interface Executor {
  readonly scenario: Scenario;
  /** 0..1 */
  progress(): number;
  /** Resolves when the scenario is over; `startAt` is the ctx.now() it was due to start. */
  run(ctx: ExecutionContext, startAt: number): Promise<void>;
}
