// The VU layer's contract with the scheduler (see runner/README.md, "Contracts between the parts").
import type { MetricDef, Sample } from '../metrics/types.ts';
import type { Fields, Level } from '../log.ts';

/** The bundle: a file:// URL (stack traces and open() resolve against it) and its source text. */
export interface ScriptInput {
  filename: string;
  source: string;
}

export interface ScenarioInfo {
  name: string;
  executor: string;
  /** epoch ms */
  startTime: number;
  /** 0..1, as of the iteration's start */
  progress?: number;
}

/** The exec.instance counters in shared memory, so VU threads that loop keep them live (LoopRequest.instance). */
export const INSTANCE = { completed: 0, interrupted: 1, active: 2, initialized: 3 } as const;

/** Live numbers exec.instance reports (a snapshot taken when the iteration starts). */
export interface InstanceInfo {
  /** epoch ms of the test start, for currentTestRunDuration */
  testStart?: number;
  iterationsCompleted?: number;
  iterationsInterrupted?: number;
  vusActive?: number;
  vusInitialized?: number;
}

export interface RunRequest {
  /** exported function to call ("default" or a scenario's exec) */
  fn: string;
  /** setup()'s result as JSON text; undefined when setup returned nothing or did not run */
  data?: string;
  scenario?: ScenarioInfo;
  iterationInScenario?: number;
  iterationInTest?: number;
  /** run tags + scenario tags; `scenario` is added from scenario.name when missing */
  tags?: Record<string, string>;
  /** __ENV for this iteration: global env overlaid with the scenario's env */
  env?: Record<string, string>;
  /** false: emit no iterations/iteration_duration/data_* samples */
  emitIteration?: boolean;
  instance?: InstanceInfo;
  /** internal: group path for setup/teardown (`::setup`), parse data afresh, count __ITER, result kind */
  group?: string;
  freshData?: boolean;
  countIteration?: boolean;
  want?: 'json' | 'summary';
  summary?: unknown;
  logErrors?: boolean;
  /** internal (pool -> VU): tags, env, data and scenario as in this VU's previous request; progress apart */
  reuse?: boolean;
  /** internal (pool -> shard): env holds what the pool's own does, left out of the message (vu/env.ts) */
  poolEnv?: boolean;
  progress?: number;
}

export interface RunResult {
  ok: boolean;
  /** the exception's text, k6-style ("Error: msg\n\tat file:///...:l:c\n") */
  error?: string;
  interrupted?: boolean;
  /** the iteration called exec.test.abort(): it ended there, and still counts as an iteration */
  aborted?: boolean;
  /** setup: the JSON text of its return value; handleSummary: its outputs */
  value?: unknown;
  /** setup/teardown/handleSummary only: the timeout passed to the pool elapsed */
  timedOut?: boolean;
}

export interface PoolCallbacks {
  onSamples: (samples: Sample[]) => void;
  onDefine?: (def: MetricDef) => void;
  onLog?: (level: Level, msg: string, fields: Fields) => void;
  onAbort?: (message: string) => void;
  /** A VU thread died while the pool was open (a runner fault): its VUs now fail every call at once. */
  onFault?: (message: string) => void;
}

export interface PoolConfig extends PoolCallbacks {
  /** path of the bundle, or the bundle itself */
  script: string | ScriptInput;
  env: Record<string, string>;
  /** the consolidated options (exec.test.options, userAgent, maxRedirects, throw, ...) */
  options: Record<string, unknown>;
  /** VUs to initialise now, ids 1..count */
  count: number;
  /** worker threads; default: 0 for a handful of VUs, else up to the number of cores */
  workers?: number;
  /** stops the initialisation: create() then resolves with the VUs initialised so far */
  signal?: AbortSignal;
}

/**
 * Iterations a VU runs back to back in its own thread, for the looping executors: one message there and
 * one back per loop instead of per iteration. The VU takes each iteration's number from `counter`.
 */
export interface LoopRequest {
  /** the first iteration's request; later ones differ only in the numbers below */
  req: RunRequest;
  /** Int32Array [iterations started in the scenario]: iterationInTest is the value taken */
  counter: SharedArrayBuffer;
  /** no iteration starts once the counter has reached this (shared-iterations) */
  limit?: number;
  /** at most this many iterations (per-vu-iterations) */
  max?: number;
  /** scenario progress as each iteration starts: the share of `ms` since the epoch `from`, or of `total` started */
  progress: { from: number; ms: number } | { total: number };
  /** Int32Array [completed, interrupted, active, initialized] of the test (exec.instance), indexed by INSTANCE */
  instance?: SharedArrayBuffer;
}

export interface LoopResult {
  completed: number;
  interrupted: number;
  /** an iteration called exec.test.abort() */
  aborted?: boolean;
  /** the loop could not run (a dead worker, a missing VU) */
  error?: string;
}

export interface VUHandle {
  readonly id: number;
  run(req: RunRequest): Promise<RunResult>;
  /** Runs iterations until `stopLooping`, an interrupt, test.abort or the request's limits (optional: test fakes). */
  loop?(l: LoopRequest): Promise<LoopResult>;
  /** The running loop starts no further iteration; the one in flight finishes. */
  stopLooping?(): void;
  interrupt(): void;
}

/** handleSummary's outputs: key (stdout, stderr or a file path) -> text or bytes */
export type SummaryOutputs = Record<string, string | Uint8Array>;
