// One QuickJS VM (asyncify) in its own WebAssembly instance: only one suspension per instance, so
// every VU gets its own. The WebAssembly module is compiled once per thread and instantiated per VU.
import {
  newQuickJSAsyncWASMModule,
  newVariant,
  RELEASE_ASYNC,
  type QuickJSAsyncContext,
  type QuickJSAsyncRuntime,
  type QuickJSHandle,
} from 'quickjs-emscripten';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { coreSource, loadModule } from '../modules/index.ts';

// Node's types leave WebAssembly out of the ES lib this project targets.
const wasm = (globalThis as unknown as { WebAssembly: { compile(b: Uint8Array): Promise<WasmModule> } })
  .WebAssembly;
type WasmModule = WebAssembly.Module;
let compiled: Promise<WasmModule> | null = null;

function wasmModule(): Promise<WasmModule> {
  if (!compiled) {
    const require = createRequire(import.meta.url);
    const file = require.resolve('@jitl/quickjs-wasmfile-release-asyncify/wasm');
    compiled = wasm.compile(readFileSync(file));
  }
  return compiled;
}

export type Bytes = string | Uint8Array;
export type HostValue = string | number | boolean | undefined | null | Uint8Array;

/** Leaves the VM may call. Sync ones run inline; `async` ones suspend the VM until they resolve. */
export interface HostFunctions {
  sync: Record<string, (...args: (Bytes | number | boolean | undefined)[]) => HostValue>;
  async: Record<string, (...args: (Bytes | number | boolean | undefined)[]) => Promise<HostValue>>;
}

export class ScriptError extends Error {}

export class VM {
  private constructor(
    readonly runtime: QuickJSAsyncRuntime,
    readonly ctx: QuickJSAsyncContext,
    private k6: QuickJSHandle,
  ) {}

  interrupted = false;

  static async create(host: HostFunctions): Promise<VM> {
    const mod = await newQuickJSAsyncWASMModule(
      newVariant(RELEASE_ASYNC, { wasmModule: await wasmModule() }),
    );
    // Each VM owns its WebAssembly instance, so the runtime's callback entry can outlive it: QuickJS
    // frees host function references during its final GC, after the library forgot the runtime.
    const callbacks = (mod as unknown as { callbacks?: { deleteRuntime?: (rt: number) => void } }).callbacks;
    if (callbacks?.deleteRuntime) callbacks.deleteRuntime = () => {};
    const runtime = mod.newRuntime();
    runtime.setModuleLoader((name) => loadModule(name));
    const ctx = runtime.newContext();
    const hostObj = ctx.newObject();
    for (const [name, fn] of Object.entries(host.sync)) {
      const f = ctx.newFunction(name, (...args) => toHandle(ctx, fn(...args.map((a) => fromHandle(ctx, a)))));
      ctx.setProp(hostObj, name, f);
      f.dispose();
    }
    for (const [name, fn] of Object.entries(host.async)) {
      const f = ctx.newAsyncifiedFunction(name, async (...args) =>
        toHandle(ctx, await fn(...args.map((a) => fromHandle(ctx, a)))),
      );
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
    const vm = new VM(runtime, ctx, k6);
    runtime.setInterruptHandler(() => vm.interrupted);
    return vm;
  }

  /** Sets __VU, __ENV and the consolidated options before the init code runs. */
  prepare(vu: number, env: Record<string, string>, options: unknown): void {
    this.callK6('setup', [vu, JSON.stringify(env), JSON.stringify(options ?? {})]);
  }

  /** Evaluates the script as an ES module (its init code) and keeps its exports. */
  async load(filename: string, source: string): Promise<void> {
    const res = await this.ctx.evalCodeAsync(source, filename, { type: 'module' });
    if (res.error) throw new ScriptError(this.describe(res.error));
    this.ctx.setProp(this.k6, 'exports', res.value);
    res.value.dispose();
  }

  /** Names of the exported functions and the exported options (JSON). */
  exports(): { functions: string[]; options: unknown } {
    const out = this.ctx.evalCode(
      `(function (e) { const f = []; for (const k of Object.keys(e)) if (typeof e[k] === 'function') f.push(k);
        return JSON.stringify({ functions: f, options: e.options === undefined ? null : e.options }); })(__k6.exports)`,
    );
    const text = this.ctx.getString(this.ctx.unwrapResult(out).consume((h) => h.dup()));
    const parsed = JSON.parse(text) as { functions: string[]; options: unknown };
    return parsed;
  }

  /** Runs an exported function through the VM-side runner; resolves with its JSON verdict. */
  async run(name: string, req: string): Promise<string> {
    const res = await this.ctx.evalCodeAsync(
      `__k6.run(${JSON.stringify(name)}, ${JSON.stringify(req)})`,
      'run.js',
    );
    if (res.error) {
      const interrupted = this.interrupted;
      const text = this.describe(res.error);
      return JSON.stringify(interrupted ? { ok: false, interrupted: true } : { ok: false, error: text });
    }
    const out = this.ctx.getString(res.value);
    res.value.dispose();
    // Promise jobs (async functions, resolved asyncRequest) finish before the iteration ends.
    this.drainJobs();
    return out;
  }

  private drainJobs(): void {
    for (let i = 0; i < 1000 && this.runtime.hasPendingJob(); i++) {
      const r = this.runtime.executePendingJobs();
      if (r.error) r.error.dispose();
    }
  }

  private callK6(fn: string, args: (string | number)[]): void {
    const f = this.ctx.getProp(this.k6, fn);
    const handles = args.map((a) => (typeof a === 'number' ? this.ctx.newNumber(a) : this.ctx.newString(a)));
    const r = this.ctx.callFunction(f, this.k6, ...handles);
    handles.forEach((h) => h.dispose());
    f.dispose();
    if (r.error) throw new ScriptError(this.describe(r.error));
    r.value.dispose();
  }

  /** k6-style text of a VM exception (disposes the handle). */
  describe(err: QuickJSHandle): string {
    const f = this.ctx.getProp(this.k6, 'describe');
    const r = this.ctx.callFunction(f, this.k6, err);
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
    this.k6.dispose();
    this.ctx.dispose();
    this.runtime.dispose();
  }
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

function toHandle(ctx: QuickJSAsyncContext, v: HostValue): QuickJSHandle {
  if (v === undefined) return ctx.undefined;
  if (v === null) return ctx.null;
  if (typeof v === 'string') return ctx.newString(v);
  if (typeof v === 'number') return ctx.newNumber(v);
  if (typeof v === 'boolean') return v ? ctx.true : ctx.false;
  return ctx.newArrayBuffer(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength) as ArrayBuffer);
}
