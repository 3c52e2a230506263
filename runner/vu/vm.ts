// One QuickJS VM (asyncify). In a VU thread many VMs share a WebAssembly instance, each on its own C
// stack (fibers.ts); elsewhere (the main thread: options pass, setup, teardown, handleSummary, small
// runs, warm-up) each VM owns an instance. The WebAssembly module is compiled once per process.
import {
  QuickJSAsyncWASMModule,
  RELEASE_ASYNC,
  type QuickJSAsyncContext,
  type QuickJSAsyncRuntime,
  type QuickJSHandle,
} from 'quickjs-emscripten';
import { readFileSync } from 'node:fs';
import v8 from 'node:v8';
import { isMainThread } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { coreSource, loadModule } from '../modules/index.ts';
import { FiberSwitch, installedLayout, type Fiber } from './fibers.ts';

// V8 first runs WebAssembly through its baseline compiler and tiers hot functions up lazily; QuickJS's
// interpreter loop stays in baseline code for seconds, ~20x slower (see BENCHMARKS.md). Optimising
// compilation from the start costs a few milliseconds per thread. Calls into WebAssembly (every FFI
// call) otherwise start in V8's generic wrapper, which VU threads rarely tier up: per-signature
// wrappers from the start gave 2-5% more throughput (BENCHMARKS.md). Under sustained load V8 let each
// isolate's young generation grow to its maximum and its old generation to several times what survived
// a collection, though little stays alive (a few MB per thread): keeping the young generation at its
// initial size and the old one within 50 % of the survivors took 200 busy VUs from ~240 to ~176 MB at
// the same CPU per request (BENCHMARKS.md). These flags are read at each resize, so they apply here too.
v8.setFlagsFromString(
  process.env.RUNNER_V8 ??
    '--no-liftoff --no-wasm-generic-wrapper --semi-space-growth-factor=1 --heap-growing-percent=50',
);

// Node's types leave WebAssembly out of the ES lib this project targets.
interface Wasm {
  compile(b: Uint8Array): Promise<object>;
  Instance: new (m: object, imports: unknown) => { exports: unknown };
}
const wasm = (globalThis as unknown as { WebAssembly: Wasm }).WebAssembly;

type Loader = (arg: Record<string, unknown>) => Promise<Record<string, unknown>>;
type FFIClass = new (m: unknown) => unknown;

// The library imports its loader and FFI modules on every new instance; under a module loader hook
// that costs milliseconds per VU, so the pieces are imported and compiled once per thread.
let parts: Promise<{ loader: Loader; FFI: FFIClass; module: object }> | null = null;

function unwrap<T>(m: T): T {
  const d = (m as { default?: { default?: unknown } })?.default;
  return (d && typeof d === 'object' && 'default' in d ? d.default : (d ?? m)) as T;
}

let compiled: Promise<object> | null = null;

/** The compiled QuickJS WebAssembly module; worker threads get the main thread's, sharing its code. */
export function compiledModule(): Promise<object> {
  compiled ??= (() => {
    const require = createRequire(import.meta.url);
    return wasm.compile(readFileSync(require.resolve('@jitl/quickjs-wasmfile-release-asyncify/wasm')));
  })();
  return compiled;
}

export function useCompiledModule(module: object): void {
  compiled = Promise.resolve(module);
}

function loadParts(): Promise<{ loader: Loader; FFI: FFIClass; module: object }> {
  parts ??= (async () => {
    const [loader, FFI, module] = await Promise.all([
      RELEASE_ASYNC.importModuleLoader().then((m) => unwrap(m) as unknown as Loader),
      RELEASE_ASYNC.importFFI() as unknown as Promise<FFIClass>,
      compiledModule(),
    ]);
    return { loader, FFI, module };
  })();
  return parts;
}

interface Instance {
  mod: QuickJSAsyncWASMModule;
  em: { _malloc(n: number): number; Asyncify: Record<string, unknown> };
  exports: Record<string, unknown>;
  fibers: FiberSwitch | null;
  /** called when the glue aborts the instance (a trap while suspending or resuming) */
  aborted: { hook: ((reason: unknown) => void) | null };
}

async function newInstance(): Promise<Instance> {
  const { loader, FFI, module } = await loadParts();
  let exports: Record<string, unknown> = {};
  const aborted: Instance['aborted'] = { hook: null };
  // The Emscripten glue re-imports node:module on every instance when it sees Node; it needs nothing
  // from Node here (the WebAssembly module comes from instantiateWasm), so it is told it runs elsewhere
  // for the synchronous start of the call, where it makes that check.
  const proc = process as { type?: string };
  const type = proc.type;
  proc.type = 'renderer';
  let pending: Promise<Record<string, unknown>>;
  try {
    pending = loader({
      // QuickJS's own diagnostics (e.g. a failed assertion when a runtime that a script left cycles in is
      // freed, which dispose() tolerates) are not the user's business.
      printErr: () => {},
      onAbort: (reason: unknown) => aborted.hook?.(reason),
      instantiateWasm: async (imports: unknown, onSuccess: (i: unknown) => void) => {
        const instance = new wasm.Instance(module, imports);
        exports = instance.exports as Record<string, unknown>;
        onSuccess(instance);
        return instance.exports;
      },
    });
  } finally {
    proc.type = type;
  }
  const em = await pending;
  em.type = 'async';
  const Ctor = QuickJSAsyncWASMModule as unknown as new (m: unknown, ffi: unknown) => QuickJSAsyncWASMModule;
  const mod = new Ctor(em, new FFI(em));
  // Each VM can outlive the library's idea of the runtime: QuickJS frees host function references
  // during its final GC, after the library forgot the runtime.
  const callbacks = (mod as unknown as { callbacks?: { deleteRuntime?: (rt: number) => void } }).callbacks;
  if (callbacks?.deleteRuntime) callbacks.deleteRuntime = () => {};
  return { mod, em: em as unknown as Instance['em'], exports, fibers: null, aborted };
}

// A VM's C stack: QuickJS raises "stack overflow" (a catchable InternalError) past its limit, well
// before the VU thread's own stack runs out (V8's optimised code for the asyncified interpreter takes
// ~31 KB of thread stack per JavaScript call level; VU threads get 64 MB, see pool.ts).
const STACK_BYTES = 256 * 1024;
const STACK_LIMIT = 128 * 1024;
// Asyncify saves a suspended call's stack (a request made at that depth) in a buffer allocated per
// suspension; QuickJS sizes it like the stack limit, but it needs ~220 bytes per call level against
// ~190 on the stack. Only the part written is touched.
const SUSPEND_BYTES = 4 * STACK_LIMIT;
// Address space: an instance's memory tops out at 2 GB.
const VMS_PER_INSTANCE = 256;

let shared: { inst: Promise<Instance>; vms: number } | null = null;

async function newSharedInstance(): Promise<Instance> {
  const inst = await newInstance();
  const fibers = new FiberSwitch(inst.em.Asyncify, inst.exports, installedLayout()!);
  inst.fibers = fibers;
  inst.aborted.hook = (reason) => fibers.kill(reason instanceof Error ? reason : new Error(String(reason)));
  // The library allows one suspension per module; fibers make it one per VM.
  Object.defineProperty((inst.mod as unknown as { callbacks: object }).callbacks, 'suspended', {
    get: () => undefined,
    set: () => {},
  });
  return inst;
}

/** An instance for one more VM: the thread's shared one in VU threads, else a new one of its own. */
async function placeVM(): Promise<{ inst: Instance; fiber: Fiber | null }> {
  if (isMainThread || !installedLayout()) return { inst: await newInstance(), fiber: null };
  // Counted before waiting: VUs are created concurrently.
  if (!shared || shared.vms >= VMS_PER_INSTANCE) shared = { inst: newSharedInstance(), vms: 0 };
  shared.vms++;
  const inst = await shared.inst;
  const base = inst.em._malloc(STACK_BYTES);
  if (!base) throw new Error('runner: out of WebAssembly memory for another VU');
  return { inst, fiber: inst.fibers!.newFiber(base, STACK_BYTES) };
}

type Call = (ctx: number, fn: number, self: number, argc: number, argv: number) => Promise<number>;
const ARGV_SLOTS = 8;

export type Bytes = string | Uint8Array;
export type HostValue = string | number | boolean | undefined | null | Uint8Array;

/** Leaves the VM may call. Sync ones run inline; `async` ones suspend the VM until they resolve. */
export interface HostFunctions {
  sync: Record<string, (...args: (Bytes | number | boolean | undefined)[]) => HostValue>;
  async: Record<string, (...args: (Bytes | number | boolean | undefined)[]) => Promise<HostValue>>;
}

export class ScriptError extends Error {}

/** What the VM-side runner returns when the function gave back a promise (see modules/core.ts). */
const ASYNC = '{"async":true}';

export class VM {
  private constructor(
    readonly runtime: QuickJSAsyncRuntime,
    readonly ctx: QuickJSAsyncContext,
    private k6: QuickJSHandle,
    /** runs calls that execute JavaScript on this VM's stack */
    private enter: <T>(fn: () => T) => T,
    private sharesInstance: boolean,
  ) {}

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

  static async create(host: HostFunctions): Promise<VM> {
    const { inst, fiber } = await placeVM();
    const enter = <T>(fn: () => T): T => (fiber ? inst.fibers!.enter(fiber, fn) : fn());
    // The runtime is created on the VM's own stack: QuickJS measures its stack limit from there.
    return enter(() => {
      const runtime = inst.mod.newRuntime();
      if (fiber) {
        runtime.setMaxStackSize(STACK_LIMIT);
        inst.fibers!.setSuspendBytes(SUSPEND_BYTES);
      }
      runtime.setModuleLoader((name) => loadModule(name));
      const ctx = runtime.newContext();
      const hostObj = ctx.newObject();
      for (const [name, fn] of Object.entries(host.sync)) {
        const f = ctx.newFunction(name, (...args) =>
          toHandle(ctx, fn(...args.map((a) => fromHandle(ctx, a)))),
        );
        ctx.setProp(hostObj, name, f);
        f.dispose();
      }
      const direct = directCalls(ctx);
      for (const [name, fn] of Object.entries(host.async)) {
        const viaLibrary = async (...args: QuickJSHandle[]) =>
          toHandle(ctx, await fn(...args.map((a) => fromHandle(ctx, a))));
        direct.add(viaLibrary, fn);
        const f = ctx.newAsyncifiedFunction(name, viaLibrary);
        ctx.setProp(hostObj, name, f);
        f.dispose();
      }
      ctx.setProp(ctx.global, '__host', hostObj);
      hostObj.dispose();
      const core = ctx.evalCode(coreSource, 'k6-runtime.js');
      if (core.error) {
        const msg = JSON.stringify(ctx.dump(core.error));
        core.error.dispose();
        throw new Error(`runner runtime failed to start: ${msg}`);
      }
      core.value.dispose();
      const k6 = ctx.getProp(ctx.global, '__k6');
      const vm = new VM(runtime, ctx, k6, enter, fiber !== null);
      runtime.setInterruptHandler(() => vm.interrupted);
      return vm;
    });
  }

  /** Sets __VU, __ENV and the consolidated options before the init code runs. */
  prepare(vu: number, env: Record<string, string>, options: unknown): void {
    this.callK6('setup', [vu, JSON.stringify(env), JSON.stringify(options ?? {})]);
  }

  /** Evaluates the script as an ES module (its init code) and keeps its exports. */
  async load(filename: string, source: string): Promise<void> {
    let res: Awaited<ReturnType<QuickJSAsyncContext['evalCodeAsync']>>;
    try {
      res = await this.enter(() => this.ctx.evalCodeAsync(source, filename, { type: 'module' }));
    } catch (e) {
      // The thread's stack ran out inside QuickJS (see run()).
      this.broken = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      throw new ScriptError(this.broken);
    }
    if (res.error) throw new ScriptError(this.describe(res.error));
    this.ctx.setProp(this.k6, 'exports', res.value);
    res.value.dispose();
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
  async run(name: string, fixed: string, changing: string): Promise<string> {
    if (this.broken) return JSON.stringify({ ok: false, error: this.broken });
    let res: Awaited<ReturnType<VM['callAsync']>>;
    try {
      // A direct call of the VM-side runner: evaluating a line of code would compile it every iteration.
      res = await this.callAsync(this.k6, 'run', [name, fixed, changing]);
    } catch (e) {
      // The thread's own stack ran out inside QuickJS (QuickJS's limit did not come first, e.g. on the
      // main thread): the VM was left mid-call and cannot run again.
      this.broken = `${e instanceof Error ? `${e.name}: ${e.message}` : String(e)} (this VU cannot run further iterations)`;
      return JSON.stringify({ ok: false, error: this.broken });
    }
    if (res.error) {
      const interrupted = this.interrupted;
      const text = this.describe(res.error);
      return JSON.stringify(interrupted ? { ok: false, interrupted: true } : { ok: false, error: text });
    }
    let out = this.ctx.getString(res.value);
    res.value.dispose();
    if (out === ASYNC) {
      // An async function: its promise jobs run (and may suspend on requests or sleeps) until none
      // is left, then the VM reports how the promise settled.
      await this.drainJobsAsync();
      const v = this.ctx.getProp(this.k6, 'asyncVerdict');
      out = this.ctx.typeof(v) === 'string' ? this.ctx.getString(v) : JSON.stringify({ ok: true });
      v.dispose();
    }
    this.drainJobs();
    return out;
  }

  // The library runs promise jobs only synchronously; a job that calls a suspending host function
  // needs the asyncify-aware entry point, one job at a time.
  private async drainJobsAsync(): Promise<void> {
    const rt = this.runtime as unknown as {
      rt: { value: number };
      memory: {
        newMutablePointerArray(n: number): {
          value: { ptr: number; typedArray: Int32Array };
          dispose(): void;
        };
      };
      module: {
        cwrap(
          name: string,
          ret: string,
          args: string[],
          opts: { async: boolean },
        ): (...a: number[]) => Promise<number>;
      };
      ffi: { QTS_FreeValuePointerRuntime(rt: number, ptr: number): void };
    };
    this.executeJob ??= rt.module.cwrap('QTS_ExecutePendingJob', 'number', ['number', 'number', 'number'], {
      async: true,
    });
    for (let i = 0; i < 1_000_000 && this.runtime.hasPendingJob() && !this.interrupted; i++) {
      const ctxOut = rt.memory.newMutablePointerArray(1);
      const valuePtr = await this.enter(() => this.executeJob!(rt.rt.value, 1, ctxOut.value.ptr));
      ctxOut.dispose();
      rt.ffi.QTS_FreeValuePointerRuntime(rt.rt.value, valuePtr);
    }
  }

  private executeJob: ((...a: number[]) => Promise<number>) | null = null;

  private runFn: QuickJSHandle | null = null;
  private call: Call | null = null;
  /** pointer to ARGV_SLOTS argument slots in the VM's memory (0: not allocated yet) */
  private argv = 0;

  /** Calls `obj[fn](...args)` with the VM allowed to suspend on async host functions. */
  private async callAsync(obj: QuickJSHandle, fn: string, args: string[]) {
    const ctx = this.ctx as unknown as {
      ctx: { value: number };
      memory: { heapValueHandle(ptr: number): QuickJSHandle };
      module: {
        cwrap(name: string, ret: string, args: string[], opts: { async: boolean }): Call;
        _malloc(n: number): number;
        HEAPU8: Uint8Array;
      };
      ffi: {
        QTS_ResolveException(ctx: number, ptr: number): number;
        QTS_FreeValuePointer(ctx: number, ptr: number): void;
      };
    };
    this.runFn ??= this.ctx.getProp(obj, fn);
    const handles = args.map((a) => newString(this.ctx, a));
    // The argument pointers go into a buffer of the VM's own, written in place: the library's
    // toPointerArray allocates typed arrays and a WebAssembly block on every call. (A VM runs one call
    // at a time; the few bytes go with the VM's instance.)
    if (handles.length > ARGV_SLOTS) throw new Error('runner: too many arguments for a VM call');
    this.argv ||= ctx.module._malloc(ARGV_SLOTS * 4);
    const argv = this.argv;
    if (!argv) throw new Error('runner: out of WebAssembly memory for a VM call');
    const slots = new Int32Array(ctx.module.HEAPU8.buffer, argv, handles.length);
    for (let i = 0; i < handles.length; i++) slots[i] = handles[i].value as number;
    let ptr: number;
    try {
      this.call ??= ctx.module.cwrap(
        'QTS_Call',
        'number',
        ['number', 'number', 'number', 'number', 'number'],
        {
          async: true,
        },
      );
      const call = this.call;
      const runFn = this.runFn;
      ptr = await this.enter(() =>
        call(ctx.ctx.value, runFn.value as number, obj.value as number, handles.length, argv),
      );
    } finally {
      for (const h of handles) h.dispose();
    }
    const err = ctx.ffi.QTS_ResolveException(ctx.ctx.value, ptr);
    if (err) {
      ctx.ffi.QTS_FreeValuePointer(ctx.ctx.value, ptr);
      return { error: ctx.memory.heapValueHandle(err), value: undefined };
    }
    return { error: undefined, value: ctx.memory.heapValueHandle(ptr) };
  }

  private drainJobs(): void {
    for (let i = 0; i < 1000 && this.runtime.hasPendingJob(); i++) {
      const r = this.enter(() => this.runtime.executePendingJobs());
      if (r.error) r.error.dispose();
    }
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
    const f = this.ctx.getProp(this.k6, 'describe');
    const r = this.enter(() => this.ctx.callFunction(f, this.k6, err));
    f.dispose();
    let text: string;
    if (r.error) {
      text = String(JSON.stringify(this.ctx.dump(err)));
      r.error.dispose();
    } else {
      text = this.ctx.getString(r.value);
      r.value.dispose();
    }
    err.dispose();
    return text;
  }

  dispose(): void {
    try {
      this.runFn?.dispose();
      this.k6.dispose();
      if (this.broken) return;
      // Freeing a runtime can fail an assertion in QuickJS, which aborts the whole instance; one shared
      // with other VMs is left to go with its thread.
      if (this.sharesInstance) return;
      this.ctx.dispose();
      this.runtime.dispose();
    } catch {
      // QuickJS asserts that no object outlives its runtime (a script can leave cycles behind, e.g.
      // pending promises). The VM owns its whole WebAssembly instance, which is dropped either way.
    }
  }
}

type AsyncHostFn = HostFunctions['async'][string];

interface LowLevel {
  ctx: { value: number };
  runtime: { hostRefs: { get(id: number): object } };
  cToHostCallbacks: {
    callFunction: (ctx: number, self: number, argc: number, argv: number, id: number) => unknown;
  };
  ffi: {
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
function directCalls(context: QuickJSAsyncContext): { add(viaLibrary: object, fn: AsyncHostFn): void } {
  const c = context as unknown as LowLevel;
  const byFunction = new Map<object, AsyncHostFn>();
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
  c.cToHostCallbacks.callFunction = (ctxPtr, self, argc, argv, id) => {
    const fn = byFunction.get(c.runtime.hostRefs.get(id));
    if (!fn || ctxPtr !== ctx) return library(ctxPtr, self, argc, argv, id);
    const args: string[] = new Array(argc);
    for (let i = 0; i < argc; i++) args[i] = argString(argv, i);
    return fn(...args).then(result, (e: unknown) => {
      // As the library does: the host's exception is thrown inside the VM.
      const err = e instanceof Error ? e : new Error(String(e));
      const h = context.newError({ name: err.name, message: err.message });
      const thrown = ffi.QTS_Throw(ctx, h.value as number);
      h.dispose();
      return thrown;
    });
  };
  // The library keeps the function it was given as the host reference the C side calls back with.
  return { add: (viaLibrary, fn) => byFunction.set(viaLibrary, fn) };
}

function fromHandle(ctx: QuickJSAsyncContext, h: QuickJSHandle): Bytes | number | boolean | undefined {
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
function newString(ctx: QuickJSAsyncContext, s: string): QuickJSHandle {
  if (s.length < 64) return ctx.newString(s);
  const c = ctx as unknown as LowLevel & { memory: { heapValueHandle(ptr: number): QuickJSHandle } };
  return c.memory.heapValueHandle(newStringPointer(c, s));
}

/** A new QuickJS string value (owned by the caller), its text encoded natively into the VM's memory. */
function newStringPointer(c: LowLevel, s: string): number {
  const mod = c.module;
  const size = s.length * 3 + 1;
  const ptr = mod._malloc(size);
  if (!ptr) throw new Error('runner: out of WebAssembly memory for a string');
  try {
    // HEAPU8 is read after malloc: a growing memory replaces it.
    const heap = mod.HEAPU8;
    const { written } = utf8.encodeInto(s, heap.subarray(ptr, ptr + size - 1));
    heap[ptr + written] = 0;
    return c.ffi.QTS_NewString(c.ctx.value, ptr);
  } finally {
    mod._free(ptr);
  }
}

function toHandle(ctx: QuickJSAsyncContext, v: HostValue): QuickJSHandle {
  if (v === undefined) return ctx.undefined;
  if (v === null) return ctx.null;
  if (typeof v === 'string') return newString(ctx, v);
  if (typeof v === 'number') return ctx.newNumber(v);
  if (typeof v === 'boolean') return v ? ctx.true : ctx.false;
  return ctx.newArrayBuffer(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength) as ArrayBuffer);
}
