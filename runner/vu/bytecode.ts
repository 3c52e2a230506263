// Compiled sources read back instead of parsed again: every VM of a thread evaluates the same runtime,
// k6 modules and script, and QuickJS spends most of a VM's start-up compiling them (~3 ms of ~4 ms,
// BENCHMARKS.md). The runner's QuickJS build (runner/quickjs/) compiles a source to bytecode once; each
// VM reads the bytes back (QTS_Eval with EVAL_FLAG_BYTECODE), which keeps file names and line numbers.
import type { QuickJSContext, QuickJSHandle, QuickJSRuntime } from 'quickjs-emscripten';
import { createHash } from 'node:crypto';
import { EVAL_FLAG_BYTECODE, EVAL_FLAG_COMPILE_ONLY } from '../quickjs/variant.ts';

export { EVAL_FLAG_BYTECODE, EVAL_FLAG_COMPILE_ONLY };

interface Low {
  ctx: { value: number };
  module: { _malloc(n: number): number; _free(p: number): void; HEAPU8: Uint8Array };
  ffi: {
    QTS_CompileBytecode?: (ctx: number, code: number, len: number, file: number, flags: number) => number;
    QTS_ResolveException(ctx: number, ptr: number): number;
    QTS_FreeValuePointer(ctx: number, ptr: number): void;
  };
  memory: { heapValueHandle(ptr: number): QuickJSHandle };
}

const utf8 = new TextEncoder();

/** `bytes` copied into the instance's memory, NUL-terminated as QuickJS wants source; free it after. */
export function heapCopy(ctx: QuickJSContext, bytes: Uint8Array): number {
  const m = (ctx as unknown as Low).module;
  const ptr = m._malloc(bytes.length + 1);
  if (!ptr) throw new Error('runner: out of WebAssembly memory for a script');
  m.HEAPU8.set(bytes, ptr);
  m.HEAPU8[ptr + bytes.length] = 0;
  return ptr;
}

/** Whether the context's build has QTS_CompileBytecode. */
export function hasBytecode(ctx: QuickJSContext): boolean {
  return typeof (ctx as unknown as Low).ffi.QTS_CompileBytecode === 'function';
}

/** The bytecode of `source` compiled in `ctx` (nothing runs), or the compile error as a string. */
export function compileBytecode(
  ctx: QuickJSContext,
  source: string,
  filename: string,
  module: boolean,
): Uint8Array | string {
  const c = ctx as unknown as Low;
  const code = heapCopy(ctx, utf8.encode(source));
  const file = heapCopy(ctx, utf8.encode(filename));
  let ptr: number;
  try {
    ptr = c.ffi.QTS_CompileBytecode!(c.ctx.value, code, utf8.encode(source).length, file, module ? 1 : 0);
  } finally {
    c.module._free(code);
    c.module._free(file);
  }
  const err = c.ffi.QTS_ResolveException(c.ctx.value, ptr);
  if (err) {
    c.ffi.QTS_FreeValuePointer(c.ctx.value, ptr);
    const e = c.memory.heapValueHandle(err);
    const msg = JSON.stringify(ctx.dump(e));
    e.dispose();
    return msg;
  }
  const handle = c.memory.heapValueHandle(ptr);
  const buf = ctx.getArrayBuffer(handle);
  const bytes = buf.value.slice();
  buf.dispose();
  handle.dispose();
  return bytes;
}

/**
 * Registers a module's bytecode in `ctx`: a later import of its name (the one it was compiled under)
 * links to it without asking the module loader.
 */
export function registerModule(ctx: QuickJSContext, bytes: Uint8Array): string | null {
  const c = ctx as unknown as Low & { ffi: { QTS_Eval: unknown } };
  const p = heapCopy(ctx, bytes);
  try {
    const evalRaw = (ctx as unknown as { module: Record<string, unknown> }).module._QTS_Eval as (
      ...a: number[]
    ) => number;
    const ptr = evalRaw(c.ctx.value, p, bytes.length, 0, 0, EVAL_FLAG_BYTECODE | EVAL_FLAG_COMPILE_ONLY | 1);
    const err = c.ffi.QTS_ResolveException(c.ctx.value, ptr);
    c.ffi.QTS_FreeValuePointer(c.ctx.value, ptr);
    if (!err) return null;
    const e = c.memory.heapValueHandle(err);
    const msg = JSON.stringify(ctx.dump(e));
    e.dispose();
    return msg;
  } finally {
    c.module._free(p);
  }
}

/** Runs a script's bytecode in `ctx` as evalCode runs its source. */
export function evalScriptBytecode(
  ctx: QuickJSContext,
  bytes: Uint8Array,
): { error?: QuickJSHandle; value?: QuickJSHandle } {
  const c = ctx as unknown as Low;
  const p = heapCopy(ctx, bytes);
  try {
    const evalRaw = (ctx as unknown as { module: Record<string, unknown> }).module._QTS_Eval as (
      ...a: number[]
    ) => number;
    const ptr = evalRaw(c.ctx.value, p, bytes.length, 0, 0, EVAL_FLAG_BYTECODE);
    const err = c.ffi.QTS_ResolveException(c.ctx.value, ptr);
    if (err) {
      c.ffi.QTS_FreeValuePointer(c.ctx.value, ptr);
      return { error: c.memory.heapValueHandle(err) };
    }
    return { value: c.memory.heapValueHandle(ptr) };
  } finally {
    c.module._free(p);
  }
}

/** A key for a compiled source: its kind, the name it was compiled under and a hash of the text. */
export function sourceKey(kind: 'script' | 'module', filename: string, source: string): string {
  return `${kind}\u0000${filename}\u0000${createHash('sha1').update(source).digest('base64')}`;
}

/**
 * Compiles sources to bytecode in a runtime of its own, whose module loader answers every import with
 * an empty module: compiling a module resolves its imports, but nothing is linked or run there.
 */
export class Compiler {
  private readonly cache = new Map<string, Uint8Array | string>();
  private ctx: QuickJSContext | null = null;

  constructor(
    private readonly newRuntime: () => QuickJSRuntime,
    /** runs QuickJS calls on a C stack of the compiler's own */
    private readonly enter: <T>(fn: () => T) => T,
  ) {}

  /** The bytecode of `source`, compiled once per key; a string is the compile error. */
  bytes(kind: 'script' | 'module', filename: string, source: string): Uint8Array | string {
    const key = sourceKey(kind, filename, source);
    let b = this.cache.get(key);
    if (b === undefined) {
      b = this.enter(() => {
        if (!this.ctx) {
          const rt = this.newRuntime();
          rt.setModuleLoader(() => '');
          this.ctx = rt.newContext();
        }
        return compileBytecode(this.ctx, source, filename, kind === 'module');
      });
      this.cache.set(key, b);
    }
    return b;
  }
}
