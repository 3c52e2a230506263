// A stand-in for the VU pool in executor unit tests: each iteration takes `iterationMs` of real time and can be
// interrupted; every call is recorded.
import type { Sample } from '../metrics/types.ts';
import { normalizeScenario, type Scenario } from '../options.ts';
import type { ExecutionContext, IterationRequest, IterationResult, VU } from '../executors/types.ts';

export interface Call {
  vu: number;
  req: IterationRequest;
  /** ms since the context was made */
  at: number;
  result?: IterationResult;
}

export class FakeVU implements VU {
  private cancel?: () => void;
  constructor(
    readonly id: number,
    private readonly world: FakeWorld,
  ) {}

  run(req: IterationRequest): Promise<IterationResult> {
    const call: Call = { vu: this.id, req, at: this.world.elapsed() };
    this.world.calls.push(call);
    const ms = this.world.iterationMs(call);
    return new Promise((resolve) => {
      const t = setTimeout(() => finish({ ok: true }), ms);
      const finish = (r: IterationResult) => {
        clearTimeout(t);
        this.cancel = undefined;
        call.result = r;
        resolve(r);
      };
      this.cancel = () => finish({ ok: true, interrupted: true });
    });
  }

  interrupt(): void {
    this.cancel?.();
  }
}

export class FakeWorld {
  readonly calls: Call[] = [];
  readonly samples: Sample[] = [];
  readonly warnings: string[] = [];
  readonly idle: VU[] = [];
  readonly stopper = new AbortController();
  active = 0;
  maxActive = 0;
  initialized = 0;
  private readonly t0 = performance.now();

  constructor(
    vus: number,
    readonly iterationMs: (c: Call) => number = () => 5,
  ) {
    for (let i = 0; i < vus; i++) this.idle.push(new FakeVU(++this.initialized, this));
  }

  elapsed(): number {
    return performance.now() - this.t0;
  }

  ctx(overrides: Partial<ExecutionContext> = {}): ExecutionContext {
    return {
      getVU: () => {
        const vu = this.idle.shift();
        if (!vu) throw new Error('no idle VU');
        return vu;
      },
      returnVU: (vu) => this.idle.push(vu),
      initVU: async () => {
        await new Promise((r) => setTimeout(r, 5));
        return new FakeVU(++this.initialized, this);
      },
      addActive: (d) => {
        this.active += d;
        this.maxActive = Math.max(this.maxActive, this.active);
      },
      countIteration: () => {},
      emit: (s) => this.samples.push(...s),
      warn: (msg) => this.warnings.push(msg),
      now: () => performance.now(),
      signal: this.stopper.signal,
      runTags: { run: 'x' },
      env: { A: '1' },
      setupData: '{"token":"t"}',
      ...overrides,
    };
  }

  dropped(): number {
    return this.samples.filter((s) => s.metric === 'dropped_iterations').reduce((a, s) => a + s.value, 0);
  }

  completed(): Call[] {
    return this.calls.filter((c) => c.result && !c.result.interrupted);
  }

  interrupted(): Call[] {
    return this.calls.filter((c) => c.result?.interrupted);
  }
}

/** A scenario through the real validation, then with times (ms) below k6's 1 s minimums for fast tests. */
export function scenario(raw: Record<string, unknown>, fast: Partial<Scenario> = {}): Scenario {
  return { ...normalizeScenario('s', raw), ...fast };
}
