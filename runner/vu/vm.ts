// One QuickJS VM: a runtime and context of its own, on an engine (engine.ts) that lets it suspend on
// a request or a sleep: QuickJS's synchronous build with stack switching where V8 offers it
// (engine-jspi.ts), else the asyncify build (engine-asyncify.ts).
import type { QuickJSContext, QuickJSHandle, QuickJSRuntime } from 'quickjs-emscripten';
import v8 from 'node:v8';
import { isMainThread } from 'node:worker_threads';
import { coreSource, loadModule, moduleSources } from '../modules/index.ts';
import { InitStopped, type Engine } from './engine.ts';
import { ASYNCIFY_BUILD, asyncifyEngine } from './engine-asyncify.ts';
import { BYTECODE, SYNC_BUILD, jspiAvailable, jspiEngine } from './engine-jspi.ts';
import {
  Compiler,
  EVAL_FLAG_BYTECODE,
  evalScriptBytecode,
  residentBytecode,
  registerModule,
} from './bytecode.ts';

const isModule = (name: string): boolean => Object.hasOwn(moduleSources, name);

export { InitStopped } from './engine.ts';

// V8 first runs WebAssembly through its baseline compiler and tiers hot functions up lazily; QuickJS's
// interpreter loop stays in baseline code for seconds, ~20x slower (see BENCHMARKS.md). Optimising
// compilation from the start costs a few milliseconds per thread. Calls into WebAssembly (every FFI
// call) otherwise start in V8's generic wrapper, which VU threads rarely tier up: per-signature
// wrappers from the start gave 2-5% more throughput (BENCHMARKS.md). Under sustained load V8 let each
// isolate's young generation grow to its maximum and its old generation to several times what survived
// a collection, though little stays alive (a few MB per thread): keeping the young generation at its
// initial size and the old one within 50 % of the survivors took 200 busy VUs from ~240 to ~176 MB at
// the same CPU per request (BENCHMARKS.md). These flags are read at each resize, so they apply here too.
// At V8's initial 1 MB semi-spaces a VU thread scavenged every ~1.3 MB allocated (~20 KB a request),
// so the objects of requests still in flight were promoted and filled the old generation: 3 MB
// semi-spaces (read when a worker's heap is set up) took 7-12 % off the CPU per request and 4-6 MB
// off the peak at 200 busy VUs, for ~4 MB more when idle (BENCHMARKS.md).
// TurboFan inlined whole request paths into small host functions (one compile of VM.callAsync took
// ~100 ms), and each isolate compiles its own: ~3.3 s of compile CPU in the first 4 s of a 50-VU run
// on two cores, the first second at a quarter of the steady rate. A third of the cumulative inlining
// budget (300 bytes of bytecode, V8 default 920) compiles in ~1.9 s, with no difference in the steady
// rate beyond the noise (BENCHMARKS.md).
// The runner's QuickJS build (runner/quickjs/, -O2, the default) takes more machine stack per
// JavaScript call level than the library's: a runaway recursion overflowed V8's 984 KB stack-switching
// stacks before QuickJS's own limit (STACK_LIMIT) stopped it with a catchable error. 1,400 KB sufficed
// (1,200 did not); 2,048 leaves a wide margin. The stacks are reserved, not resident, beyond what a VM's
// calls touch: 1,000 VUs took the same RSS with 1,536 and 2,048 KB (BENCHMARKS.md).
v8.setFlagsFromString(
  process.env.RUNNER_V8 ??
    '--no-liftoff --no-wasm-generic-wrapper --semi-space-growth-factor=1 --min-semi-space-size=3 --heap-growing-percent=50 --max-inlined-bytecode-size-cumulative=300' +
      (BYTECODE ? ' --wasm-stack-switching-stack-size=2048' : ''),
);

let loadFlags = process.env.RUNNER_V8 !== undefined;
/**
 * Once iterations start: the host code still ran unoptimised for most of a test's first second (a
 * 50-VU run reached ~30 % of its steady rate then). A quarter of V8's interrupt budget before a function
 * is optimised took the first 2 s window from 0.20-0.21x to 0.26-0.27x autocannon and the 8 s rate
 * 1-3 % higher; set from the start, it also optimised init code, 4-8 MB more for 200 idle VUs
 * (BENCHMARKS.md). The flag is the process's: the first VU to iterate sets it for all threads.
 */
export function optimiseSooner(): void {
  if (loadFlags) return;
  loadFlags = true;
  v8.setFlagsFromString('--interrupt-budget=16384');
}

/**
 * Whether VMs run the synchronous build with stack switching: when the process was started with
 * --experimental-wasm-stack-switching on a V8 with the early API this runner's trampoline is written
 * for (Node 20; bin/runner.mjs passes the flag). V8 sets up an isolate for it only when the flag is
 * there from the start, so it cannot be turned on here. The synchronous build is the runner's own
 * (runner/quickjs/, which reads compiled bytecode back); RUNNER_QUICKJS=published runs the library's, and
 * RUNNER_QUICKJS=asyncify keeps the asyncify build everywhere.
 */
export const stackSwitching = process.env.RUNNER_QUICKJS !== 'asyncify' && jspiAvailable();

/** The QuickJS build the VMs run on; its compiled module is shared with the worker threads. */
export const quickjsBuild = stackSwitching ? SYNC_BUILD : ASYNCIFY_BUILD;

// A VM's C stack: QuickJS raises "stack overflow" (a catchable InternalError) past its limit, well
// before the machine stack under it runs out: the trampoline's (engine-jspi.ts), or under asyncify the
// VU thread's (V8's optimised code for the asyncified interpreter takes ~31 KB of it per JavaScript call
// level; VU threads get 64 MB, see pool.ts). The runner's -O2 build (runner/quickjs/) spends ~240 bytes
// of C stack per JavaScript call level where the library's build spends ~190: 160 KB gives it the ~680
// levels the library's has in 128 KB.
const STACK_BYTES = 256 * 1024;
const STACK_LIMIT = (stackSwitching && BYTECODE ? 160 : 128) * 1024;

function newEngine(stopped?: () => boolean): Promise<Engine> {
  return stackSwitching ? jspiEngine(STACK_BYTES, stopped) : asyncifyEngine(STACK_BYTES, stopped);
}

// A VU thread compiles each source once and its VMs read the bytecode back (bytecode.ts). The main
// thread's few VMs (options, setup, teardown, summary) each have an instance of their own: nothing to share.
let compiler: Promise<Compiler> | null = null;
function threadCompiler(): Promise<Compiler> | null {
  if (!stackSwitching || !BYTECODE || isMainThread) return null;
  compiler ??= newEngine().then(
    (e) =>
      new Compiler(() => {
        const rt = e.mod.newRuntime();
        e.configure(rt, STACK_LIMIT);
        return rt;
      }, e.enter),
  );
  return compiler;
}

const ARGV_SLOTS = 8;

// A thread's VUs start from the same env and options objects, never changed once the VUs are made.
const asJSON = new WeakMap<object, string>();
function jsonOnce(o: object): string {
  let text = asJSON.get(o);
  if (text === undefined) asJSON.set(o, (text = JSON.stringify(o)));
  return text;
}
// QuickJS's JS_EVAL_TYPE_MODULE
const EVAL_MODULE = 1;

export type Bytes = string | Uint8Array;
export type HostValue = string | number | boolean | undefined | null | Uint8Array;

/**
 * Leaves the VM may call. Sync ones run inline; `async` ones suspend the VM until they resolve;
 * `direct` ones run inline too, take their arguments as strings and skip the library's handles (for
 * calls made every iteration).
 */
export interface HostFunctions {
  sync: Record<string, (...args: (Bytes | number | boolean | undefined)[]) => HostValue>;
  async: Record<string, (...args: (Bytes | number | boolean | undefined)[]) => Promise<HostValue>>;
  direct?: Record<string, (...args: string[]) => HostValue>;
}

export class ScriptError extends Error {}

/** What the VM-side runner returns when the function gave back a promise (see modules/core.ts). */
const ASYNC = '{"async":true}';

export class VM {
  private constructor(
    readonly runtime: QuickJSRuntime,
    readonly ctx: QuickJSContext,
    private k6: QuickJSHandle,
    private engine: Engine,
    private readonly compiler: Compiler | null,
  ) {
    this.enter = engine.enter;
  }

  /** runs calls that execute JavaScript on this VM's stack */
  private enter: <T>(fn: () => T) => T;

  private localStop = false;
  /** set once the VM failed in a way that leaves it unusable */
  private broken: string | null = null;
  /** Set by another thread (the pool) to stop a VU that is busy in JavaScript. */
  stopFlag: Int32Array | null = null;

  get interrupted(): boolean {
    return this.localStop || (this.stopFlag !== null && Atomics.load(this.stopFlag, 0) !== 0);
  }

  set interrupted(v: boolean) {
    this.localStop = v;
  }

  /** Throws InitStopped when `stopped` says so once the engine is there, before the runtime is built. */
  static async create(host: HostFunctions, stopped?: () => boolean): Promise<VM> {
    const compiler = await threadCompiler();
    const engine = await newEngine(stopped);
    if (stopped?.()) {
      engine.release();
      throw new InitStopped();
    }
    // Compiled outside the VM's own calls: the compiler runs on a C stack of its own.
    const coreBytes = compiler?.bytes('script', 'k6-runtime.js', coreSource, true);
    // The runtime is created on the VM's own stack: QuickJS measures its stack limit from there.
    return engine.enter(() => {
      const runtime = engine.mod.newRuntime();
      engine.configure(runtime, STACK_LIMIT);
      runtime.setModuleLoader((name) => loadModule(name));
      const ctx = runtime.newContext();
      engine.bindContext((ctx as unknown as LowLevel).ctx.value);
      const hostObj = ctx.newObject();
      for (const [name, fn] of Object.entries(host.sync)) {
        const f = ctx.newFunction(name, (...args) =>
          toHandle(ctx, fn(...args.map((a) => fromHandle(ctx, a)))),
        );
        ctx.setProp(hostObj, name, f);
        f.dispose();
      }
      const direct = directCalls(ctx, engine.canSuspend);
      const fns = [
        ...Object.entries(host.async).map(([name, fn]) => [name, fn, true] as const),
        ...Object.entries(host.direct ?? {}).map(([name, fn]) => [name, fn, false] as const),
      ];
      for (const [name, fn, suspends] of fns) {
        // Only a key: directCalls answers the C side's call of this host reference before the library.
        const ref = (): undefined => undefined;
        direct.add(ref, fn, suspends);
        const f = ctx.newFunction(name, ref);
        ctx.setProp(hostObj, name, f);
        f.dispose();
      }
      ctx.setProp(ctx.global, '__host', hostObj);
      hostObj.dispose();
      const core =
        coreBytes instanceof Uint8Array
          ? evalScriptBytecode(ctx, coreBytes)
          : ctx.evalCode(coreSource, 'k6-runtime.js');
      if (core.error) {
        const msg = JSON.stringify(ctx.dump(core.error));
        core.error.dispose();
        throw new Error(`runner runtime failed to start: ${msg}`);
      }
      core.value?.dispose();
      const k6 = ctx.getProp(ctx.global, '__k6');
      const vm = new VM(runtime, ctx, k6, engine, compiler ?? null);
      runtime.setInterruptHandler(() => vm.interrupted);
      return vm;
    });
  }

  /** Sets __VU, __ENV and the consolidated options before the init code runs. */
  prepare(vu: number, env: Record<string, string>, options: unknown): void {
    this.callK6('setup', [vu, jsonOnce(env), jsonOnce(options ?? {})]);
  }

  /** Evaluates the script as an ES module (its init code) and keeps its exports. */
  async load(filename: string, source: string): Promise<void> {
    let res: { error?: QuickJSHandle; value?: QuickJSHandle };
    try {
      res = (await this.evalCompiled(source, filename)) ?? (await this.evalModule(source, filename));
    } catch (e) {
      // The thread's stack ran out inside QuickJS (see run()).
      this.broken = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      throw new ScriptError(this.broken);
    }
    if (res.error) throw new ScriptError(this.describe(res.error));
    this.ctx.setProp(this.k6, 'exports', res.value!);
    res.value!.dispose();
  }

  /** Names of the exported functions and the exported options (JSON). */
  exports(): { functions: string[]; options: unknown } {
    const out = this.enter(() =>
      this.ctx.evalCode(
        `(function (e) { const f = []; for (const k of Object.keys(e)) if (typeof e[k] === 'function') f.push(k);
        return JSON.stringify({ functions: f, options: e.options === undefined ? null : e.options }); })(__k6.exports)`,
      ),
    );
    const text = this.ctx.getString(this.ctx.unwrapResult(out).consume((h) => h.dup()));
    const parsed = JSON.parse(text) as { functions: string[]; options: unknown };
    return parsed;
  }

  /** Runs an exported function through the VM-side runner; resolves with its verdict (modules/core.ts). */
  run(name: string, fixed: string, changing: string): Promise<string> {
    return this.runner('run', name, fixed, changing);
  }

  /**
   * Runs iterations of an exported function back to back inside the VM (modules/core.ts: k6.loop),
   * the host's `next` deciding after each. Resolves with '' when `next` ended the loop, else with the
   * verdict of an iteration `next` did not take (an async function's, or one that left promise jobs).
   */
  loop(name: string, fixed: string, changing: string): Promise<string> {
    return this.runner('loop', name, fixed, changing);
  }

  /** Whether a loop() in flight should return so that the engine can renew it (Engine.overdue). */
  overdue(): boolean {
    return this.engine.overdue();
  }

  /** Whether promise jobs wait to run (an iteration that leaves some is finished by run()/loop()). */
  pendingJobs(): boolean {
    return this.runtime.hasPendingJob();
  }

  private async runner(
    entry: 'run' | 'loop',
    name: string,
    fixed: string,
    changing: string,
  ): Promise<string> {
    if (this.broken) return JSON.stringify({ ok: false, error: this.broken });
    let res: { error?: QuickJSHandle; value?: QuickJSHandle };
    try {
      // A direct call of the VM-side runner: evaluating a line of code would compile it every iteration.
      res = await this.callAsync(entry, [name, fixed, changing]);
    } catch (e) {
      // The thread's own stack ran out inside QuickJS (QuickJS's limit did not come first, e.g. on the
      // main thread): the VM was left mid-call and cannot run again.
      this.broken = `${e instanceof Error ? `${e.name}: ${e.message}` : String(e)} (this VU cannot run further iterations)`;
      return JSON.stringify({ ok: false, error: this.broken });
    }
    if (res.error) {
      const interrupted = this.interrupted;
      const text = this.describe(res.error);
      if (!interrupted) return JSON.stringify({ ok: false, error: text });
      // What a busy call emitted before it was stopped still counts (k6's samples leave as they are made):
      // a timed-out setup()'s checks and data among them.
      return withSamples(
        '{"ok":false,"interrupted":true}\u0001',
        this.unstopped(() => this.callText('takeSamples')) ?? '',
      );
    }
    let out = this.ctx.getString(res.value!);
    res.value!.dispose();
    if (out === '') return out;
    // Promise jobs the function left (an async function's continuations among them) run until none is
    // left, allowed to suspend on requests and sleeps as the iteration itself was.
    const jobs = await this.drainJobsAsync();
    if (out === ASYNC) {
      const v = this.ctx.getProp(this.k6, 'asyncVerdict');
      out = this.ctx.typeof(v) === 'string' ? this.ctx.getString(v) : JSON.stringify({ ok: true });
      v.dispose();
    }
    // Samples of what the jobs did after the verdict was written go with it (modules/core.ts).
    if (jobs) out = withSamples(out, this.callText('takeSamples') ?? '');
    return out;
  }

  // The library runs promise jobs only synchronously; a job that calls a suspending host function
  // needs the engine's suspending entry point, one job at a time.
  private async drainJobsAsync(): Promise<number> {
    const rt = this.runtime as unknown as {
      rt: { value: number };
      ffi: { QTS_FreeValuePointerRuntime(rt: number, ptr: number): void };
    };
    let i = 0;
    for (; i < 1_000_000 && this.runtime.hasPendingJob() && !this.interrupted; i++) {
      const ctxOut = this.scratch();
      const valuePtr = await this.engine.pendingJob(rt.rt.value, 1, ctxOut);
      rt.ffi.QTS_FreeValuePointerRuntime(rt.rt.value, valuePtr);
    }
    return i;
  }

  /** __k6.run and __k6.loop, looked up once */
  private entries: Partial<Record<'run' | 'loop', QuickJSHandle>> = {};
  /** pointer to ARGV_SLOTS words in the VM's memory, for call arguments and out-parameters (0: none yet) */
  private argv = 0;

  // The argument pointers go into a buffer of the VM's own, written in place: the library's
  // toPointerArray allocates typed arrays and a WebAssembly block on every call. (A VM runs one call
  // at a time; the few bytes go with the VM's instance.)
  private scratch(): number {
    this.argv ||= this.engine.em._malloc(ARGV_SLOTS * 4);
    if (!this.argv) throw new Error('runner: out of WebAssembly memory for a VM call');
    return this.argv;
  }

  private get low(): LowLevel & { memory: { heapValueHandle(ptr: number): QuickJSHandle } } {
    return this.ctx as unknown as LowLevel & { memory: { heapValueHandle(ptr: number): QuickJSHandle } };
  }

  /** The outcome of an entry point that returned the value at `ptr`, as the library reports it. */
  private settle(ptr: number): { error?: QuickJSHandle; value?: QuickJSHandle } {
    const c = this.low;
    const ctx = c.ctx.value;
    const err = c.ffi.QTS_ResolveException(ctx, ptr);
    if (err) {
      c.ffi.QTS_FreeValuePointer(ctx, ptr);
      return { error: c.memory.heapValueHandle(err) };
    }
    return { value: c.memory.heapValueHandle(ptr) };
  }

  /**
   * evalModule from the thread's bytecode: the k6 modules the script imports (the compiler saw it ask for
   * them) are registered first, so its imports link to them (any other goes to the loader as from source).
   * Null when the script does not compile: evalModule reports the error as it always has.
   */
  private async evalCompiled(source: string, filename: string) {
    const comp = this.compiler;
    const script = comp?.bytes('module', filename, source);
    if (!comp || !(script instanceof Uint8Array)) return null;
    // The k6 modules it imports, registered first; any other name goes to the loader as from source.
    for (const name of comp.importsOf(filename, source)) {
      if (!isModule(name)) continue;
      const b = comp.bytes('module', name, loadModule(name), true);
      if (b instanceof Uint8Array) this.enter(() => registerModule(this.ctx, b));
    }
    const c = this.low;
    const code = residentBytecode(this.ctx, script);
    const flags = EVAL_MODULE | EVAL_FLAG_BYTECODE;
    return this.settle(await this.engine.eval(c.ctx.value, code, script.length, 0, 0, flags));
  }

  /** Evaluates `source` as an ES module, allowed to suspend (what the library's evalCodeAsync does). */
  private async evalModule(source: string, filename: string) {
    const c = this.low;
    const code = cString(c, source);
    const file = cString(c, filename);
    try {
      const ptr = await this.engine.eval(c.ctx.value, code.ptr, code.bytes, file.ptr, 0, EVAL_MODULE);
      return this.settle(ptr);
    } finally {
      c.module._free(code.ptr);
      c.module._free(file.ptr);
    }
  }

  /** Calls `__k6[fn](...args)` with the VM allowed to suspend on async host functions. */
  private async callAsync(fn: 'run' | 'loop', args: string[]) {
    const obj = this.k6;
    const f = (this.entries[fn] ??= this.ctx.getProp(obj, fn));
    const handles = args.map((a) => newString(this.ctx, a));
    if (handles.length > ARGV_SLOTS) throw new Error('runner: too many arguments for a VM call');
    const argv = this.scratch();
    const slots = new Int32Array(this.engine.em.HEAPU8.buffer, argv, handles.length);
    for (let i = 0; i < handles.length; i++) slots[i] = handles[i].value as number;
    let ptr: number;
    try {
      ptr = await this.engine.call(
        this.low.ctx.value,
        f.value as number,
        obj.value as number,
        handles.length,
        argv,
      );
    } finally {
      for (const h of handles) h.dispose();
    }
    return this.settle(ptr);
  }

  private callK6(fn: string, args: (string | number)[]): void {
    const f = this.ctx.getProp(this.k6, fn);
    const handles = args.map((a) => (typeof a === 'number' ? this.ctx.newNumber(a) : this.ctx.newString(a)));
    const r = this.enter(() => this.ctx.callFunction(f, this.k6, ...handles));
    handles.forEach((h) => h.dispose());
    f.dispose();
    if (r.error) throw new ScriptError(this.describe(r.error));
    r.value.dispose();
  }

  /** k6-style text of a VM exception (disposes the handle). */
  describe(err: QuickJSHandle): string {
    const text = this.callText('describe', err) ?? String(JSON.stringify(this.ctx.dump(err)));
    err.dispose();
    return text;
  }

  /** Runs `fn` in the VM with the stop flags lowered, then raises them again. */
  private unstopped<T>(fn: () => T): T {
    const { localStop, stopFlag } = this;
    this.localStop = false;
    this.stopFlag = null;
    try {
      return fn();
    } finally {
      this.localStop = localStop;
      this.stopFlag = stopFlag;
    }
  }

  /** The string `__k6[fn](...args)` returns, or null if it throws. */
  private callText(fn: string, ...args: QuickJSHandle[]): string | null {
    const f = this.ctx.getProp(this.k6, fn);
    const r = this.enter(() => this.ctx.callFunction(f, this.k6, ...args));
    f.dispose();
    if (r.error) {
      r.error.dispose();
      return null;
    }
    const text = this.ctx.getString(r.value);
    r.value.dispose();
    return text;
  }

  dispose(): void {
    try {
      for (const f of Object.values(this.entries)) f.dispose();
      this.k6.dispose();
      this.engine.release();
      if (this.broken) return;
      // Freeing a runtime can fail an assertion in QuickJS, which aborts the whole instance; one shared
      // with other VMs is left to go with its thread.
      if (this.engine.shared) return;
      this.ctx.dispose();
      this.runtime.dispose();
    } catch {
      // QuickJS asserts that no object outlives its runtime (a script can leave cycles behind, e.g.
      // pending promises). The VM owns its whole WebAssembly instance, which is dropped either way.
    }
  }
}

type DirectHostFn = (...args: string[]) => HostValue | Promise<HostValue>;

interface LowLevel {
  ctx: { value: number };
  runtime: { hostRefs: { get(id: number): object } };
  cToHostCallbacks: {
    callFunction: (ctx: number, self: number, argc: number, argv: number, id: number) => unknown;
  };
  ffi: {
    QTS_ResolveException(ctx: number, ptr: number): number;
    QTS_FreeValuePointer(ctx: number, ptr: number): void;
    QTS_ArgvGetJSValueConstPointer(argv: number, i: number): number;
    QTS_GetString(ctx: number, ptr: number): number;
    QTS_FreeCString(ctx: number, ptr: number): void;
    QTS_NewString(ctx: number, ptr: number): number;
    QTS_NewFloat64(ctx: number, n: number): number;
    QTS_DupValuePointer(ctx: number, ptr: number): number;
    QTS_GetTrue(): number;
    QTS_GetFalse(): number;
    QTS_GetNull(): number;
    QTS_Throw(ctx: number, error: number): number;
  };
  module: {
    UTF8ToString(ptr: number): string;
    _malloc(n: number): number;
    _free(p: number): void;
    HEAPU8: Uint8Array;
  };
}

/**
 * The suspending host functions (a request, a sleep: one or more per iteration) are called straight
 * from the context's C-to-host callback: arguments are read as strings and the result is handed to C
 * as a fresh value, without the library's handles, scopes and generators (a few microseconds and
 * ~1 KB of garbage a call in VU threads). Anything else takes the library's path.
 */
function directCalls(
  context: QuickJSContext,
  canSuspend: () => boolean,
): { add(viaLibrary: object, fn: DirectHostFn, suspends: boolean): void } {
  const c = context as unknown as LowLevel;
  const byFunction = new Map<object, { fn: DirectHostFn; suspends: boolean }>();
  const library = c.cToHostCallbacks.callFunction;
  const { ffi } = c;
  const ctx = c.ctx.value;
  const argString = (argv: number, i: number): string => {
    const p = ffi.QTS_GetString(ctx, ffi.QTS_ArgvGetJSValueConstPointer(argv, i));
    const text = c.module.UTF8ToString(p);
    ffi.QTS_FreeCString(ctx, p);
    return text;
  };
  const result = (v: HostValue): number => {
    if (v === undefined) return 0;
    if (typeof v === 'string') return newStringPointer(c, v);
    if (typeof v === 'number') return ffi.QTS_NewFloat64(ctx, v);
    if (typeof v === 'boolean')
      return ffi.QTS_DupValuePointer(ctx, v ? ffi.QTS_GetTrue() : ffi.QTS_GetFalse());
    if (v === null) return ffi.QTS_DupValuePointer(ctx, ffi.QTS_GetNull());
    const h = toHandle(context, v);
    const p = ffi.QTS_DupValuePointer(ctx, h.value as number);
    h.dispose();
    return p;
  };
  // As the library does: the host's exception is thrown inside the VM.
  const thrown = (e: unknown): number => {
    const err = e instanceof Error ? e : new Error(String(e));
    const h = context.newError({ name: err.name, message: err.message });
    const p = ffi.QTS_Throw(ctx, h.value as number);
    h.dispose();
    return p;
  };
  c.cToHostCallbacks.callFunction = (ctxPtr, self, argc, argv, id) => {
    const entry = byFunction.get(c.runtime.hostRefs.get(id));
    if (!entry || ctxPtr !== ctx) return library(ctxPtr, self, argc, argv, id);
    if (entry.suspends && !canSuspend())
      return thrown(new Error('a request or a sleep cannot run inside this call'));
    const args: string[] = new Array(argc);
    for (let i = 0; i < argc; i++) args[i] = argString(argv, i);
    if (entry.suspends) return (entry.fn(...args) as Promise<HostValue>).then(result, thrown);
    try {
      return result(entry.fn(...args) as HostValue);
    } catch (e) {
      return thrown(e);
    }
  };
  // The library keeps the function it was given as the host reference the C side calls back with.
  return { add: (viaLibrary, fn, suspends) => byFunction.set(viaLibrary, { fn, suspends }) };
}

function fromHandle(ctx: QuickJSContext, h: QuickJSHandle): Bytes | number | boolean | undefined {
  switch (ctx.typeof(h)) {
    case 'string':
      return ctx.getString(h);
    case 'number':
      return ctx.getNumber(h);
    case 'boolean':
      return ctx.dump(h) as boolean;
    case 'undefined':
      return undefined;
    case 'object': {
      const lt = ctx.getArrayBuffer(h);
      const copy = new Uint8Array(lt.value);
      lt.dispose();
      return copy;
    }
    default:
      return ctx.getString(h);
  }
}

const utf8 = new TextEncoder();

/**
 * ctx.newString, with the text encoded natively: the library encodes UTF-8 in JavaScript, a character
 * at a time, and every response crosses into the VM as one string of several hundred bytes or more.
 */
function newString(ctx: QuickJSContext, s: string): QuickJSHandle {
  if (s.length < 64) return ctx.newString(s);
  const c = ctx as unknown as LowLevel & { memory: { heapValueHandle(ptr: number): QuickJSHandle } };
  return c.memory.heapValueHandle(newStringPointer(c, s));
}

/** A verdict (JSON, then after \u0001 a JSON array of samples or nothing) with `more` samples added. */
export function withSamples(verdict: string, more: string): string {
  if (!more) return verdict;
  const cut = verdict.indexOf('\u0001');
  if (cut < 0) return verdict + '\u0001' + more;
  const have = verdict.slice(cut + 1);
  return have ? verdict.slice(0, cut + 1) + have.slice(0, -1) + ',' + more.slice(1) : verdict + more;
}

/** `s` as a NUL-terminated UTF-8 string in the VM's memory (the caller frees `ptr`). */
function cString(c: LowLevel, s: string): { ptr: number; bytes: number } {
  const size = s.length * 3 + 1;
  const ptr = c.module._malloc(size);
  if (!ptr) throw new Error('runner: out of WebAssembly memory for a string');
  // HEAPU8 is read after malloc: a growing memory replaces it.
  const heap = c.module.HEAPU8;
  const { written } = utf8.encodeInto(s, heap.subarray(ptr, ptr + size - 1));
  heap[ptr + written] = 0;
  return { ptr, bytes: written };
}

// Per instance memory, a buffer the strings handed to QuickJS are encoded into: QTS_NewString copies
// them out, so one buffer serves every call and most need no malloc and free of their own.
const SCRATCH_BYTES = 64 * 1024;
const scratch = new WeakMap<object, { ptr: number; heap: Uint8Array | null; view: Uint8Array | null }>();

/** A new QuickJS string value (owned by the caller), its text encoded natively into the VM's memory. */
function newStringPointer(c: LowLevel, s: string): number {
  if (s.length * 3 < SCRATCH_BYTES) {
    let b = scratch.get(c.module);
    if (b === undefined) {
      const p = c.module._malloc(SCRATCH_BYTES);
      if (!p) throw new Error('runner: out of WebAssembly memory for a string');
      scratch.set(c.module, (b = { ptr: p, heap: null, view: null }));
    }
    // HEAPU8 is replaced when the memory grows
    const heap = c.module.HEAPU8;
    if (b.heap !== heap) {
      b.heap = heap;
      b.view = heap.subarray(b.ptr, b.ptr + SCRATCH_BYTES - 1);
    }
    const { written } = utf8.encodeInto(s, b.view!);
    heap[b.ptr + written] = 0;
    return c.ffi.QTS_NewString(c.ctx.value, b.ptr);
  }
  const { ptr } = cString(c, s);
  try {
    return c.ffi.QTS_NewString(c.ctx.value, ptr);
  } finally {
    c.module._free(ptr);
  }
}

function toHandle(ctx: QuickJSContext, v: HostValue): QuickJSHandle {
  if (v === undefined) return ctx.undefined;
  if (v === null) return ctx.null;
  if (typeof v === 'string') return newString(ctx, v);
  if (typeof v === 'number') return ctx.newNumber(v);
  if (typeof v === 'boolean') return v ? ctx.true : ctx.false;
  return ctx.newArrayBuffer(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength) as ArrayBuffer);
}
