// VMs on QuickJS's asyncify build: wherever stack switching is not available (the main thread: options
// pass, setup, teardown, handleSummary, warm-up; a V8 without the early stack-switching API). In a VU
// thread many VMs share an instance, each on its own C stack (fibers.ts); elsewhere each VM owns one.
import { QuickJSAsyncWASMModule, RELEASE_ASYNC, type QuickJSRuntime } from 'quickjs-emscripten';
import { isMainThread } from 'node:worker_threads';
import { FiberSwitch, installedLayout, type Fiber } from './fibers.ts';
import { QuickJSBuild, libraryModule } from './glue.ts';
import { InitStopped, type Engine, type EngineMemory } from './engine.ts';

// Node's types leave WebAssembly out of the ES lib this project targets.
const wasm = (
  globalThis as unknown as { WebAssembly: { Instance: new (m: object, i: unknown) => { exports: unknown } } }
).WebAssembly;

export const ASYNCIFY_BUILD = new QuickJSBuild(RELEASE_ASYNC, '@jitl/quickjs-wasmfile-release-asyncify');

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
  const aborted: Instance['aborted'] = { hook: null };
  const { em, FFI, exports } = await ASYNCIFY_BUILD.start(
    (imports, module) => new wasm.Instance(module, imports),
    (reason) => aborted.hook?.(reason),
  );
  em.type = 'async';
  const { mod } = libraryModule<QuickJSAsyncWASMModule>(QuickJSAsyncWASMModule, em, FFI);
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
export async function asyncifyEngine(stackBytes: number, stopped?: () => boolean): Promise<Engine> {
  let inst: Instance;
  let fiber: Fiber | null = null;
  if (isMainThread || !installedLayout()) inst = await newInstance();
  else {
    // Counted before waiting: VUs are created concurrently.
    if (!shared || shared.vms >= VMS_PER_INSTANCE) shared = { inst: newSharedInstance(), vms: 0 };
    shared.vms++;
    inst = await shared.inst;
    if (stopped?.()) throw new InitStopped();
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
    overdue: () => false,
    bindContext: () => {},
    release: () => {},
  };
}
