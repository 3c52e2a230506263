// What a VM needs from the QuickJS build under it: a runtime factory, the instance's memory, a way to
// run synchronous calls on the VM's own C stack, and the three entry points that may suspend on a
// host call (a request, a sleep). engine-jspi.ts and engine-asyncify.ts provide it.
import type { QuickJSRuntime } from 'quickjs-emscripten';

/**
 * A VU's initialisation given up part way, at the next of its steps once `stopped` (the engine's and the
 * VM's creation take one) says so: the start-up was stopped, e.g. by a signal while thousands start.
 */
export class InitStopped extends Error {}

export interface EngineMemory {
  _malloc(n: number): number;
  _free(p: number): void;
  HEAPU8: Uint8Array;
}

export interface Engine {
  mod: { newRuntime(): QuickJSRuntime };
  em: EngineMemory;
  /** other VMs share the instance: a runtime is left to go with it rather than freed */
  shared: boolean;
  /** runs calls that execute JavaScript synchronously, on this VM's stack */
  enter<T>(fn: () => T): T;
  /** applied to the VM's runtime, on its own stack, right after it is created */
  configure(rt: QuickJSRuntime, stackLimit: number): void;
  /** QTS_Call, QTS_ExecutePendingJob and QTS_Eval, allowed to suspend */
  call(ctx: number, fn: number, self: number, argc: number, argv: number): Promise<number>;
  pendingJob(rt: number, max: number, ctxOut: number): Promise<number>;
  eval(ctx: number, code: number, len: number, file: number, detect: number, flags: number): Promise<number>;
  /** the VM's context: host calls that suspend come from it */
  bindContext(ctx: number): void;
  /** whether a host function may suspend now (false while a synchronous call runs) */
  canSuspend(): boolean;
  /** the call in flight has suspended so often that it should return soon (see engine-jspi.ts) */
  overdue(): boolean;
  /** the VM is gone */
  release(): void;
}
