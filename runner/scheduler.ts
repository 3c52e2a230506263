// One test run in k6's order: plan and initialise the VUs, setup(), every scenario at its startTime (counted
// from the end of setup), teardown(), the final thresholds, handleSummary. Returns the exit code.
import { createExecutor, planVUs } from './executors/index.ts';
import { INSTANCE, type ExecutionContext, type Executor, type VU } from './executors/types.ts';
import { log, type Fields } from './log.ts';
import type { MetricsEngine } from './metrics/engine.ts';
import type { Sample } from './metrics/types.ts';
import type { Options, Scenario } from './options.ts';
import { setMaxListeners } from 'node:events';
import { parseDuration } from './duration.ts';

export const EXIT = {
  OK: 0,
  THRESHOLDS: 99,
  SETUP_TIMEOUT: 100,
  TEARDOWN_TIMEOUT: 101,
  INVALID_CONFIG: 104,
  SIGNAL: 105,
  SCRIPT_EXCEPTION: 107,
  TEST_ABORT: 108,
  OTHER: 255,
} as const;

/** What the scheduler needs from the VU pool (runner/vu/pool.ts). */
export interface Pool {
  vu(id: number): VU;
  /** Initialises one more VU (the next id) during the run. */
  add(): Promise<VU>;
  /** VUs initialised */
  readonly size: number;
  runSetup(opts: { timeout?: number }): Promise<RunResultWithTimeout>;
  runTeardown(data: string | undefined, opts: { timeout?: number }): Promise<RunResultWithTimeout>;
  close(): Promise<void>;
}

type RunResultWithTimeout = {
  ok: boolean;
  error?: string;
  interrupted?: boolean;
  value?: unknown;
  timedOut?: boolean;
};

export interface SchedulerConfig {
  options: Options;
  scenarios: Scenario[];
  engine: MetricsEngine;
  /** creates and initialises `count` VUs (ids 1..count), or fewer once `stop` is aborted */
  createPool: (count: number, stop: AbortSignal) => Promise<Pool>;
  exported: string[];
  runTags: Record<string, string>;
  env: Record<string, string>;
  /** the progress line / periodic status; called every second */
  onTick?: (status: RunStatus) => void;
}

export interface RunStatus {
  elapsedMs: number;
  activeVUs: number;
  initializedVUs: number;
  completed: number;
  interrupted: number;
  phase: 'init' | 'setup' | 'running' | 'teardown' | 'done';
  /** scenarios that have started, with their progress 0..1 */
  scenarios: Array<{ name: string; executor: string; progress: number }>;
}

export interface RunResult {
  exitCode: number;
  /** setup()'s result as JSON text (undefined: setup returned nothing or did not run) */
  setupData: string | undefined;
  /** from the start of setup to the end of teardown */
  testRunDurationMs: number;
  pool?: Pool;
}

const now = () => performance.now();
const THRESHOLDS_EVERY_MS = 2000;
const TIMEOUT_HINT = (option: string) => `You can increase the time limit via the ${option} option`;

export class Scheduler {
  private exitCode: number = EXIT.OK;
  private readonly stopper = new AbortController();
  // exec.instance's counters, in shared memory: VUs that loop in their own thread count there.
  private readonly counters = new Int32Array(new SharedArrayBuffer(16));
  private get active(): number {
    return Atomics.load(this.counters, INSTANCE.active);
  }
  private set active(n: number) {
    Atomics.store(this.counters, INSTANCE.active, n);
  }
  private get initialized(): number {
    return Atomics.load(this.counters, INSTANCE.initialized);
  }
  private set initialized(n: number) {
    Atomics.store(this.counters, INSTANCE.initialized, n);
  }
  private get completed(): number {
    return Atomics.load(this.counters, INSTANCE.completed);
  }
  private get interrupted(): number {
    return Atomics.load(this.counters, INSTANCE.interrupted);
  }
  private phase: RunStatus['phase'] = 'init';
  private startedAt = 0;
  private epochStart = 0;
  private aborting = false;
  private readonly executors: Executor[] = [];
  private readonly emit: (samples: Sample[]) => void;

  constructor(private readonly cfg: SchedulerConfig) {
    this.emit = (samples) => cfg.engine.add(samples);
    // Every scenario and every wait listens for the stop: many listeners are expected, not a leak.
    setMaxListeners(0, this.stopper.signal);
  }

  /** Stops the test early: running iterations end, teardown and the summary still run. First code wins. */
  abort(exitCode: number, message?: string, fields?: Fields): void {
    if (this.stopper.signal.aborted || this.aborting) return;
    if (message?.includes('\u0002')) {
      const [reason, place] = message.split('\u0002');
      message = this.phase === 'setup' || this.phase === 'teardown' ? reason : `${reason} at ${place}`;
    }
    if (message) log('error', message, fields);
    if (this.exitCode === EXIT.OK) this.exitCode = exitCode;
    if (exitCode === EXIT.TEST_ABORT) {
      // test.abort() ends its own iteration; let that iteration report before the others are interrupted.
      this.aborting = true;
      setTimeout(() => this.stopper.abort(), 0);
    } else {
      this.stopper.abort();
    }
  }

  get aborted(): boolean {
    return this.stopper.signal.aborted || this.aborting;
  }

  status(): RunStatus {
    return {
      elapsedMs: this.startedAt ? now() - this.startedAt : 0,
      activeVUs: this.active,
      initializedVUs: this.initialized,
      completed: this.completed,
      interrupted: this.interrupted,
      phase: this.phase,
      scenarios: this.executors.map((e) => ({
        name: e.scenario.name,
        executor: e.scenario.executor,
        progress: e.progress(),
      })),
    };
  }

  async run(): Promise<RunResult> {
    const { cfg } = this;
    const opts = cfg.options;
    const planned = planVUs(cfg.scenarios);
    const result: RunResult = {
      exitCode: 0,
      setupData: undefined,
      testRunDurationMs: 0,
    };

    // k6 starts its thresholds ticker before the VUs initialise: the ticks fall at 2 s steps from there,
    // so the first one after a delayAbortEval comes up to 2 s later, less the init time.
    const stopThresholds = this.startThresholdTicker();
    let pool: Pool;
    try {
      // A stop while the VUs initialise (a signal) ends the start-up there, as in k6.
      pool = await cfg.createPool(planned, this.stopper.signal);
    } catch (err) {
      stopThresholds();
      this.exitCode = exitCodeOf(err, EXIT.SCRIPT_EXCEPTION);
      logError(err);
      result.exitCode = this.exitCode;
      return result;
    }
    result.pool = pool;
    this.initialized = pool.size;
    // Stopped during the start-up, the pool holds the VUs that got initialised, not necessarily 1..size.
    const idle: VU[] = [];
    if (!this.aborted) for (let id = 1; id <= planned; id++) idle.push(pool.vu(id));

    const stopVUsTicker = this.startVUsTicker();
    this.startedAt = now();
    const runStart = now();
    this.epochStart = Date.now();
    cfg.engine.begin(this.epochStart);
    let setupFailed = false;

    // setup()
    this.phase = 'setup';
    // Stopped while the VUs were initialising: nothing has run, so there is nothing to tear down either.
    // The summary still shows the VUs that were up, as k6's does.
    if (this.aborted) {
      setupFailed = true;
      this.emitVUs();
    } else if (cfg.exported.includes('setup') && !opts.noSetup) {
      const r = await pool.runSetup({ timeout: durationMs(opts.setupTimeout, 60_000) });
      if (r.ok) {
        result.setupData = typeof r.value === 'string' ? r.value : undefined;
      } else if (!this.aborted) {
        setupFailed = true;
        // The VU layer has logged a script exception already.
        if (r.timedOut) this.abort(EXIT.SETUP_TIMEOUT, r.error, { hint: TIMEOUT_HINT('setupTimeout') });
        else this.abort(EXIT.SCRIPT_EXCEPTION);
      } else {
        setupFailed = true;
      }
    }

    // scenarios
    this.phase = 'running';
    if (!setupFailed && !this.aborted) {
      const scenariosStart = now();
      const ctx: ExecutionContext = {
        getVU: () => {
          const vu = idle.shift();
          if (!vu) throw new Error('no idle VU: the VU plan is short');
          return vu;
        },
        returnVU: (vu) => idle.push(vu),
        initVU: async () => {
          const vu = await pool.add();
          this.initialized++;
          return vu;
        },
        addActive: (d) => {
          this.active += d;
        },
        instance: () => ({
          testStart: this.epochStart,
          iterationsCompleted: this.completed,
          iterationsInterrupted: this.interrupted,
          vusActive: this.active,
          vusInitialized: this.initialized,
        }),
        countIteration: (interrupted) => {
          Atomics.add(this.counters, interrupted ? INSTANCE.interrupted : INSTANCE.completed, 1);
        },
        instanceCounters: this.counters.buffer as SharedArrayBuffer,
        emit: this.emit,
        warn: (msg, fields) => log('warning', msg, fields),
        now,
        signal: this.stopper.signal,
        runTags: cfg.runTags,
        env: cfg.env,
        setupData: result.setupData,
        minIterationDuration: durationMs(opts.minIterationDuration, 0),
        vuMetadata: Array.isArray(opts.systemTags) && opts.systemTags.includes('vu'),
      };
      await Promise.all(
        cfg.scenarios.map(async (sc) => {
          const at = scenariosStart + sc.startTime;
          if (sc.startTime > 0) await sleepUntil(at, this.stopper.signal);
          if (this.aborted) return;
          const executor = createExecutor(sc);
          this.executors.push(executor);
          try {
            await executor.run(ctx, at);
          } catch (err) {
            // A runner fault, not the script's: stop the test, but still tear down and summarise.
            log('error', `scenario ${sc.name}: ${err instanceof Error ? err.message : String(err)}`);
            this.abort(EXIT.OTHER);
          }
        }),
      );
    }

    // teardown(): even after an abort, unless setup itself failed or was aborted.
    this.phase = 'teardown';
    if (cfg.exported.includes('teardown') && !opts.noTeardown && !setupFailed) {
      const r = await pool.runTeardown(result.setupData, {
        timeout: durationMs(opts.teardownTimeout, 60_000),
      });
      if (!r.ok && !r.interrupted && this.exitCode === EXIT.OK) {
        if (r.timedOut) {
          log('error', r.error ?? 'teardown() timed out', { hint: TIMEOUT_HINT('teardownTimeout') });
          this.exitCode = EXIT.TEARDOWN_TIMEOUT;
        } else {
          this.exitCode = EXIT.SCRIPT_EXCEPTION;
        }
      }
    }
    result.testRunDurationMs = now() - runStart;
    this.phase = 'done';
    stopVUsTicker();
    stopThresholds();

    // final thresholds
    const verdict = cfg.engine.finalize(result.testRunDurationMs);
    if (verdict.failed.length > 0 && this.exitCode === EXIT.OK) {
      if (verdict.message) log('error', verdict.message);
      this.exitCode = EXIT.THRESHOLDS;
    }
    result.exitCode = this.exitCode;
    return result;
  }

  /** vus / vus_max every second, and the progress callback. */
  private startVUsTicker(): () => void {
    const vusTimer = setInterval(() => {
      this.emitVUs();
      this.cfg.onTick?.(this.status());
    }, 1000);
    return () => clearInterval(vusTimer);
  }

  private emitVUs(): void {
    const time = Date.now();
    const tags = this.cfg.runTags;
    this.emit([
      { metric: 'vus', time, value: this.active, tags: { ...tags } },
      { metric: 'vus_max', time, value: this.initialized, tags: { ...tags } },
    ]);
  }

  /**
   * Thresholds every 2 s on a fixed grid, as Go's ticker (a late tick does not shift the next ones), each
   * against the test-run time so far (0 until the run starts); an abortOnFail verdict stops the test (99).
   */
  private startThresholdTicker(): () => void {
    const origin = now();
    let due = origin + THRESHOLDS_EVERY_MS;
    let timer: ReturnType<typeof setTimeout>;
    const tick = () => {
      if (now() < due) {
        timer = setTimeout(tick, Math.ceil(due - now()));
        return;
      }
      due = origin + (Math.floor((now() - origin) / THRESHOLDS_EVERY_MS) + 1) * THRESHOLDS_EVERY_MS;
      timer = setTimeout(tick, Math.ceil(due - now()));
      if (this.aborted) return;
      const v = this.cfg.engine.evaluate(this.startedAt ? now() - this.startedAt : 0);
      if (v.abort) this.abort(EXIT.THRESHOLDS, v.message);
    };
    timer = setTimeout(tick, THRESHOLDS_EVERY_MS);
    return () => clearTimeout(timer);
  }
}

export function durationMs(v: unknown, dflt: number): number {
  if (v === undefined || v === null) return dflt;
  return parseDuration(v);
}

function sleepUntil(at: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, Math.max(0, at - now()));
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

export function exitCodeOf(err: unknown, dflt: number): number {
  const code = (err as { exitCode?: unknown } | null)?.exitCode;
  return typeof code === 'number' ? code : dflt;
}

/** Errors the VU layer already logged carry `logged: true`. */
function logError(err: unknown): void {
  if ((err as { logged?: boolean } | null)?.logged) return;
  log('error', err instanceof Error ? err.message : String(err));
}
