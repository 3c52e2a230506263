// What an executor needs from the scheduler, and the VU handle it drives (the VU pool's contract, runner/README.md).
import type { Sample } from '../metrics/types.ts';
import type { Fields } from '../log.ts';
import type { Scenario } from '../options.ts';

/** What `exec.scenario` shows inside an iteration. */
export interface ScenarioInfo {
  name: string;
  executor: string;
  /** epoch ms */
  startTime: number;
  /** 0..1 when the iteration starts */
  progress: number;
}

export interface IterationRequest {
  fn: string;
  data: unknown;
  scenario: ScenarioInfo;
  iterationInScenario: number;
  iterationInTest: number;
  tags: Record<string, string>;
  env: Record<string, string>;
  emitIteration?: boolean;
}

export interface IterationResult {
  ok: boolean;
  error?: unknown;
  interrupted?: boolean;
}

export interface VU {
  readonly id: number;
  run(req: IterationRequest): Promise<IterationResult>;
  /** Ends the running iteration now: sleeps and requests are cut short; its iteration samples are not emitted. */
  interrupt(): void;
}

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
  emit(samples: Sample[]): void;
  warn(msg: string, fields?: Fields): void;
  /** Monotonic milliseconds, the clock executors schedule against. */
  now(): number;
  /** Aborted when the whole test stops early (test.abort, abortOnFail, a signal): iterations end at once. */
  signal: AbortSignal;
  runTags: Record<string, string>;
  env: Record<string, string>;
  setupData: unknown;
}

export interface Executor {
  readonly scenario: Scenario;
  /** 0..1 */
  progress(): number;
  /** Resolves when the scenario is over; `startAt` is the ctx.now() it was due to start. */
  run(ctx: ExecutionContext, startAt: number): Promise<void>;
}
