// VMs on QuickJS's synchronous build, suspended by stack switching (jspi.ts), wherever the V8 in use
// offers the early stack-switching API (Node 20 started with the flag); else engine-asyncify.ts serves.
// In a VU thread many VMs share one instance, each with its own C stack region and its own trampoline;
// on the main thread (options pass, setup, teardown, handleSummary, warm-up) each VM owns one, which
// goes with it.
import { QuickJSWASMModule, RELEASE_SYNC, type QuickJSRuntime } from 'quickjs-emscripten';
import { isMainThread } from 'node:worker_threads';
import { stackFunctions } from './fibers.ts';
import { QuickJSBuild, libraryModule, type Imports } from './glue.ts';
import { JOB, JOB_BYTES, shimBytes, trampolineBytes } from './jspi.ts';
import { BYTECODE_VARIANT, BYTECODE_WASM } from '../quickjs/variant.ts';
import { InitStopped, type Engine, type EngineMemory } from './engine.ts';

type AnyFn = (...a: never[]) => unknown;
interface FunctionType {
  parameters: string[];
  results: string[];
}
interface Wasm {
  Module: new (b: Uint8Array) => object;
  Instance: new (m: object, imports: unknown) => { exports: Record<string, unknown> };
  Global: new (d: { value: string; mutable: boolean }, v: unknown) => { value: unknown };
  Memory: new (d: { initial: number }) => object;
  Table: new (d: { element: string; initial: number }) => { set(i: number, f: unknown): void };
  Function?: new (t: FunctionType, f: AnyFn, o: { suspending?: 'first'; promising?: 'first' }) => AnyFn;
  Suspender?: unknown;
}
const wasm = (globalThis as unknown as { WebAssembly: Wasm }).WebAssembly;

/** Whether this thread's V8 offers the stack-switching API the trampoline is written for. */
export function jspiAvailable(): boolean {
  return typeof wasm.Suspender === 'function' && typeof wasm.Function === 'function';
}

/**
 * The runner's own synchronous build (runner/quickjs/) compiles a source once per thread and reads its
 * bytecode back in each VM: 500 VUs start on one thread in half the time, and its -O2 interpreter is faster
 * than the library's -Oz one (BENCHMARKS.md, "QuickJS bytecode" and "Bytecode by default").
 * RUNNER_QUICKJS=published runs the library's release-sync build instead, compiling in every VM.
 */
export const BYTECODE =
  process.env.RUNNER_QUICKJS !== 'published' && process.env.RUNNER_QUICKJS !== 'asyncify';
export const SYNC_BUILD = BYTECODE
  ? new QuickJSBuild(BYTECODE_VARIANT, BYTECODE_WASM)
  : new QuickJSBuild(RELEASE_SYNC, '@jitl/quickjs-wasmfile-release-sync');

interface Fiber {
  top: number;
  job: number;
  /** resolves the trampoline's wait for a job (1: run it, 0: end) */
  parked: ((go: number) => void) | null;
  pending: { resolve(r: number): void; reject(e: unknown): void } | null;
  /** suspensions of the current trampoline call */
  suspensions: number;
  /** while the trampoline call is being replaced: settles once the new one waits for a job */
  ready: Promise<void> | null;
  readyNow: (() => void) | null;
  released: boolean;
}

// V8 settles a promising call's promise through one more promise for each time it suspended, all kept
// until the call returns (a never-ending trampoline would hold ~0.6 KB per suspension for good), so
// the trampoline returns after some suspensions and a new one takes over (~80 µs, and a machine stack
// left for V8's next full collection to free: replacing calls often costs CPU in collections). The
// count keeps an instance's chains within ~4 MB (average half the count per VM): 512 suspensions up to
// 25 VMs, fewer beyond (128 at 100 VMs took 4-6 MB off 200 busy VUs for ~2 % more CPU; at 25 VMs, 512
// instead of 256 halved the full collections the promoted chains bring, BENCHMARKS.md).
// RUNNER_JSPI_RESTART sets a fixed count (the tests make it small to replace calls often).
const FIXED_RESTART = Number(process.env.RUNNER_JSPI_RESTART) || 0;
const CHAIN_BUDGET = 12_800;
export const restartAfter = (vms: number): number =>
  FIXED_RESTART || Math.max(64, Math.min(512, Math.floor(CHAIN_BUDGET / Math.max(1, vms))));

/** One instance of the synchronous build, with the two helper modules around it. */
class JspiInstance {
  mod!: QuickJSWASMModule;
  em!: EngineMemory;
  private save!: () => number;
  private restore!: (sp: number) => void;
  /** the C stack pointer whenever no VM is running */
  private base = 0;
  private run!: (job: number) => Promise<unknown>;
  private readonly suspender = new wasm.Global({ value: 'externref', mutable: true }, null);
  private readonly fibers = new Map<number, Fiber>();
  /** which VM a host call comes from: its JSContext pointer is the call's first argument */
  private readonly byContext = new Map<number, Fiber>();
  private dead: Error | null = null;

  static async create(): Promise<JspiInstance> {
    const inst = new JspiInstance();
    await inst.start();
    return inst;
  }

  private async start(): Promise<void> {
    const layout = stackFunctions(SYNC_BUILD.glueText());
    const hostCall = SYNC_BUILD.hostCallImport();
    if (!layout || !hostCall)
      throw new Error('runner: the installed QuickJS build is not the one this runner knows');
    const Fn = wasm.Function!;
    const table = new wasm.Table({ element: 'anyfunc', initial: 2 });
    let memory: unknown;
    const instantiate = (imports: Imports, module: object) => {
      // The import module of the host call: `a` when Emscripten minified the names, `env` otherwise.
      const [ns, env] = Object.entries(imports).find(([, m]) => hostCall in m)!;
      const plain = env[hostCall] as AnyFn;
      memory = Object.values(env).find((v) => v instanceof wasm.Memory);
      const susp = (...args: never[]) => {
        const r = plain(...args);
        // A promise suspends this VM: until it resumes (the shim restores both), nothing runs on
        // its stack or under its suspender.
        if (r instanceof Promise) {
          const f = this.byContext.get(args[0] as number);
          if (f) f.suspensions++;
          this.suspender.value = null;
          this.restore(this.base);
        }
        return r;
      };
      const shim = new wasm.Instance(new wasm.Module(shimBytes()), {
        j: {
          g: this.suspender,
          t: table,
          susp: new Fn(
            { parameters: ['externref', 'i32', 'i32', 'i32', 'i32', 'i32'], results: ['i32'] },
            susp,
            { suspending: 'first' },
          ),
          plain,
        },
      });
      return new wasm.Instance(module, { ...imports, [ns]: { ...env, [hostCall]: shim.exports.s } });
    };
    const { em, FFI, exports } = await SYNC_BUILD.start(instantiate);
    this.save = exports[layout.stackSave] as () => number;
    this.restore = exports[layout.stackRestore] as (sp: number) => void;
    table.set(0, this.save);
    table.set(1, this.restore);
    this.base = this.save();
    const tramp = new wasm.Instance(new wasm.Module(trampolineBytes()), {
      j: {
        g: this.suspender,
        next: new Fn(
          { parameters: ['externref', 'i32'], results: ['i32'] },
          (job: number) => this.next(job),
          {
            suspending: 'first',
          },
        ),
        done: (job: number, r: number) => this.done(job, r),
      },
      a: {
        call: SYNC_BUILD.rawExport(em, exports, '_QTS_Call'),
        pending: SYNC_BUILD.rawExport(em, exports, '_QTS_ExecutePendingJob'),
        eval: SYNC_BUILD.rawExport(em, exports, '_QTS_Eval'),
        save: this.save,
        restore: this.restore,
        mem: memory,
      },
    });
    // A promising wrapper per trampoline call: V8 11.3 mixes up the suspenders of concurrent calls of one
    // wrapper once one of them has returned ("invalid suspender object for suspend" with a few dozen VMs
    // suspended); a wrapper costs ~2.5 µs.
    const run = tramp.exports.run as AnyFn;
    this.run = (job) => {
      const promising = new Fn({ parameters: ['i32'], results: ['externref'] }, run, { promising: 'first' });
      return (promising as unknown as (j: number) => Promise<unknown>)(job);
    };
    const { mod, callbacks } = libraryModule<QuickJSWASMModule>(QuickJSWASMModule, em, FFI);
    this.mod = mod;
    // The library refuses a host function's promise in a synchronous build; here it is what suspends.
    if (callbacks) callbacks.handleAsyncify = (_a: unknown, fn: () => unknown) => fn();
    this.em = em as unknown as EngineMemory;
  }

  private next(job: number): Promise<number> | number {
    const fiber = this.fibers.get(job)!;
    if (fiber.suspensions >= restartAfter(this.fibers.size) && !fiber.released) {
      fiber.ready = new Promise((resolve) => (fiber.readyNow = resolve));
      return 0;
    }
    fiber.suspensions++;
    return new Promise((resolve) => (fiber.parked = resolve));
  }

  /** Starts the fiber's trampoline call; it waits for a job before this returns. */
  private launch(fiber: Fiber): void {
    fiber.suspensions = 0;
    this.run(fiber.job).then(
      () => {
        if (fiber.released) this.fibers.delete(fiber.job);
        else this.launch(fiber);
        this.ready(fiber);
      },
      (e: unknown) => this.kill(e instanceof Error ? e : new Error(String(e))),
    );
  }

  private done(job: number, r: number): void {
    const fiber = this.fibers.get(job)!;
    const p = fiber.pending;
    fiber.pending = null;
    p?.resolve(r);
  }

  /** A call waiting for the fiber's new trampoline goes on (and fails if the VM is gone meanwhile). */
  private ready(fiber: Fiber): void {
    const now = fiber.readyNow;
    fiber.ready = fiber.readyNow = null;
    now?.();
  }

  private kill(e: Error): void {
    if (this.dead) return;
    this.dead = e;
    this.suspender.value = null;
    this.restore(this.base);
    for (const f of this.fibers.values()) {
      const p = f.pending;
      f.pending = null;
      p?.reject(e);
      this.ready(f);
    }
  }

  newEngine(stackBytes: number, shared: boolean): Engine {
    const base = this.em._malloc(stackBytes + JOB_BYTES);
    if (!base) throw new Error('runner: out of WebAssembly memory for another VU');
    const job = base + stackBytes;
    const fiber: Fiber = {
      top: (base + stackBytes) & ~15,
      job,
      parked: null,
      pending: null,
      suspensions: 0,
      ready: null,
      readyNow: null,
      released: false,
    };
    this.fibers.set(job, fiber);
    this.launch(fiber);
    let active = false;
    // The job block, viewed again only when a growing memory replaced the buffer.
    let words = new Int32Array(this.em.HEAPU8.buffer, job, JOB_BYTES / 4);
    const exec = (kind: number, args: number[]): Promise<number> => {
      if (this.dead) return Promise.reject(this.dead);
      if (fiber.released) return Promise.reject(new Error('runner: the VM was disposed'));
      if (fiber.ready && !fiber.pending) return fiber.ready.then(() => exec(kind, args));
      if (!fiber.parked || fiber.pending) return Promise.reject(new Error('runner: a VM was entered twice'));
      const buffer = this.em.HEAPU8.buffer;
      if (words.buffer !== buffer) words = new Int32Array(buffer, job, JOB_BYTES / 4);
      words[0] = kind;
      for (let i = 0; i < args.length; i++) words[1 + i] = args[i];
      words[7] = fiber.top;
      const go = fiber.parked;
      fiber.parked = null;
      return new Promise<number>((resolve, reject) => {
        fiber.pending = { resolve, reject };
        go(1);
      });
    };
    return {
      mod: this.mod,
      em: this.em,
      shared,
      enter: <T>(fn: () => T): T => {
        if (active || fiber.pending) return fn();
        if (this.dead) throw this.dead;
        this.restore(fiber.top);
        active = true;
        try {
          return fn();
        } finally {
          active = false;
          this.restore(this.base);
        }
      },
      configure: (rt: QuickJSRuntime, limit: number) => rt.setMaxStackSize(limit),
      canSuspend: () => this.suspender.value !== null,
      // A long call (the VM-side iteration loop) holds its promise chain until it returns.
      overdue: () => fiber.suspensions >= restartAfter(this.fibers.size),
      bindContext: (ctx: number) => void this.byContext.set(ctx, fiber),
      call: (ctx, fn, self, argc, argv) => exec(JOB.call, [ctx, fn, self, argc, argv]),
      pendingJob: (rt, max, out) => exec(JOB.pendingJob, [rt, max, out]),
      eval: (ctx, code, len, file, detect, flags) => exec(JOB.eval, [ctx, code, len, file, detect, flags]),
      release: () => {
        fiber.released = true;
        const go = fiber.parked;
        fiber.parked = null;
        go?.(0);
      },
    };
  }
}

// Address space: an instance's memory tops out at 2 GB.
const VMS_PER_INSTANCE = 256;
let shared: Promise<JspiInstance> | null = null;
let placed = 0;

/** An engine for one more VM: in this thread's shared instance in VU threads, else in one of its own. */
export async function jspiEngine(stackBytes: number, stopped?: () => boolean): Promise<Engine> {
  if (isMainThread) return (await JspiInstance.create()).newEngine(stackBytes, false);
  if (!shared || placed >= VMS_PER_INSTANCE) {
    shared = JspiInstance.create();
    placed = 0;
  }
  placed++;
  const inst = await shared;
  // Every VM waiting for this instance goes on from here in turn, each building its trampoline.
  if (stopped?.()) throw new InitStopped();
  return inst.newEngine(stackBytes, true);
}
