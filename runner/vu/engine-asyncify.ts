// VMs on QuickJS's asyncify build: wherever stack switching is not available (the main thread: options
// pass, setup, teardown, handleSummary, warm-up; a V8 without the early stack-switching API). In a VU
// thread many VMs share an instance, each on its own C stack (fibers.ts); elsewhere each VM owns one.
import { QuickJSAsyncWASMModule, RELEASE_ASYNC, type QuickJSRuntime } from 'quickjs-emscripten';
import { readFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { FiberSwitch, installedLayout, type Fiber } from './fibers.ts';
import type { Engine, EngineMemory } from './engine.ts';

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
  em: EngineMemory & { Asyncify: Record<string, unknown>; cwrap: Cwrap };
  exports: Record<string, unknown>;
  fibers: FiberSwitch | null;
  /** called when the glue aborts the instance (a trap while suspending or resuming) */
  aborted: { hook: ((reason: unknown) => void) | null };
}
type Cwrap = (
  name: string,
  ret: string,
  args: string[],
  opts: { async: boolean },
) => (...a: number[]) => Promise<number>;

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

// Asyncify saves a suspended call's stack (a request made at that depth) in a buffer allocated per
// suspension; QuickJS sizes it like the stack limit, but it needs ~220 bytes per call level against
// ~190 on the stack. Only the part written is touched.
const SUSPEND_FACTOR = 4;
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

/** An engine for one more VM: the thread's shared instance in VU threads, else a new one of its own. */
export async function asyncifyEngine(stackBytes: number): Promise<Engine> {
  let inst: Instance;
  let fiber: Fiber | null = null;
  if (isMainThread || !installedLayout()) inst = await newInstance();
  else {
    // Counted before waiting: VUs are created concurrently.
    if (!shared || shared.vms >= VMS_PER_INSTANCE) shared = { inst: newSharedInstance(), vms: 0 };
    shared.vms++;
    inst = await shared.inst;
    const base = inst.em._malloc(stackBytes);
    if (!base) throw new Error('runner: out of WebAssembly memory for another VU');
    fiber = inst.fibers!.newFiber(base, stackBytes);
  }
  const enter = <T>(fn: () => T): T => (fiber ? inst.fibers!.enter(fiber, fn) : fn());
  const cw = (name: string, n: number) =>
    inst.em.cwrap(
      name,
      'number',
      Array.from({ length: n }, () => 'number'),
      { async: true },
    );
  const qtsCall = cw('QTS_Call', 5);
  const qtsJob = cw('QTS_ExecutePendingJob', 3);
  const qtsEval = cw('QTS_Eval', 6);
  return {
    mod: inst.mod,
    em: inst.em,
    shared: fiber !== null,
    enter,
    configure: (rt: QuickJSRuntime, limit: number) => {
      if (!fiber) return;
      rt.setMaxStackSize(limit);
      inst.fibers!.setSuspendBytes(SUSPEND_FACTOR * limit);
    },
    call: (...a) => enter(() => qtsCall(...a)),
    pendingJob: (...a) => enter(() => qtsJob(...a)),
    eval: (...a) => enter(() => qtsEval(...a)),
    canSuspend: () => true,
    bindContext: () => {},
    release: () => {},
  };
}
