// Compiled sources read back instead of parsed again: every VM of a thread evaluates the same runtime,
// k6 modules and script, and QuickJS spends most of a VM's start-up compiling them (~3 ms of ~4 ms,
// BENCHMARKS.md). The runner's QuickJS build (runner/quickjs/) compiles a source to bytecode once; each
// VM reads the bytes back (QTS_Eval with EVAL_FLAG_BYTECODE), which keeps file names and line numbers.
import type { QuickJSContext, QuickJSHandle, QuickJSRuntime } from 'quickjs-emscripten';
import { COMPILE_FLAG_STRIP_SOURCE, EVAL_FLAG_BYTECODE, EVAL_FLAG_COMPILE_ONLY } from '../quickjs/variant.ts';

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

// Bytecode kept in each instance's memory for the reads of all its VMs (JS_ReadObject copies what it
// keeps): a copy per read cost a malloc, fresh pages and a free each time.
const residentBytes = new WeakMap<object, Map<Uint8Array, number>>();

function resident(ctx: QuickJSContext, bytes: Uint8Array): number {
  const m = (ctx as unknown as Low).module;
  let placed = residentBytes.get(m);
  if (!placed) residentBytes.set(m, (placed = new Map()));
  let ptr = placed.get(bytes);
  if (ptr === undefined) placed.set(bytes, (ptr = heapCopy(ctx, bytes)));
  return ptr;
}

/** Whether the context's build has QTS_CompileBytecode. */
export function hasBytecode(ctx: QuickJSContext): boolean {
  return typeof (ctx as unknown as Low).ffi.QTS_CompileBytecode === 'function';
}

/**
 * The bytecode of `source` compiled in `ctx` (nothing runs), or the compile error as a string. `strip`: its
 * functions keep no source text, only their line numbers.
 */
export function compileBytecode(
  ctx: QuickJSContext,
  source: string,
  filename: string,
  module: boolean,
  strip = false,
): Uint8Array | string {
  const c = ctx as unknown as Low;
  const text = utf8.encode(source);
  const code = heapCopy(ctx, text);
  const file = heapCopy(ctx, utf8.encode(filename));
  let ptr: number;
  try {
    const flags = (module ? 1 : 0) | (strip ? COMPILE_FLAG_STRIP_SOURCE : 0);
    ptr = c.ffi.QTS_CompileBytecode!(c.ctx.value, code, text.length, file, flags);
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

// JS_EVAL_TYPE_MODULE: what the bytes hold decides, the flag only says a module is expected.
const REGISTER = EVAL_FLAG_BYTECODE | EVAL_FLAG_COMPILE_ONLY | 1;

/** QTS_Eval called with numbers only (the FFI's wrapper converts a filename string on every call). */
const evalRaw = (ctx: QuickJSContext) =>
  (ctx as unknown as { module: { _QTS_Eval: (...a: number[]) => number } }).module._QTS_Eval;

/**
 * Registers a module's bytecode in `ctx`: a later import of its name (the one it was compiled under)
 * links to it without asking the module loader.
 */
export function registerModule(ctx: QuickJSContext, bytes: Uint8Array): string | null {
  const c = ctx as unknown as Low;
  const ptr = evalRaw(ctx)(c.ctx.value, resident(ctx, bytes), bytes.length, 0, 0, REGISTER);
  const err = c.ffi.QTS_ResolveException(c.ctx.value, ptr);
  c.ffi.QTS_FreeValuePointer(c.ctx.value, ptr);
  if (!err) return null;
  const e = c.memory.heapValueHandle(err);
  const msg = JSON.stringify(ctx.dump(e));
  e.dispose();
  return msg;
}

/** Runs a script's bytecode in `ctx` as evalCode runs its source. */
export function evalScriptBytecode(
  ctx: QuickJSContext,
  bytes: Uint8Array,
): { error?: QuickJSHandle; value?: QuickJSHandle } {
  const c = ctx as unknown as Low;
  const ptr = evalRaw(ctx)(c.ctx.value, resident(ctx, bytes), bytes.length, 0, 0, EVAL_FLAG_BYTECODE);
  const err = c.ffi.QTS_ResolveException(c.ctx.value, ptr);
  if (err) {
    c.ffi.QTS_FreeValuePointer(c.ctx.value, ptr);
    return { error: c.memory.heapValueHandle(err) };
  }
  return { value: c.memory.heapValueHandle(ptr) };
}

/** The pointer to `bytes` in the instance of `ctx`, placed there once for all its VMs. */
export function residentBytecode(ctx: QuickJSContext, bytes: Uint8Array): number {
  return resident(ctx, bytes);
}

/**
 * Values by a source's kind, the name it was compiled under and its text. Each VM passes the same
 * string objects (or equal ones), which V8 hashes once each: a digest of the text cost ~30 µs a source.
 */
export class BySource<T> {
  private readonly map = new Map<string, Map<string, T>>();

  get(kind: 'script' | 'module', filename: string, source: string): T | undefined {
    return this.map.get(`${kind}\u0000${filename}`)?.get(source);
  }

  set(kind: 'script' | 'module', filename: string, source: string, value: T): void {
    const k = `${kind}\u0000${filename}`;
    let m = this.map.get(k);
    if (!m) this.map.set(k, (m = new Map()));
    m.set(source, value);
  }
}

/**
 * Compiles sources to bytecode in a runtime of its own, whose module loader answers every import with
 * an empty module: compiling a module resolves its imports, but nothing is linked or run there.
 */
export class Compiler {
  private readonly cache = new BySource<Uint8Array | string>();
  private readonly imports = new BySource<string[]>();
  private ctx: QuickJSContext | null = null;
  /** the names the module being compiled imports (the loader is asked for each) */
  private requested: string[] = [];

  constructor(
    private readonly newRuntime: () => QuickJSRuntime,
    /** runs QuickJS calls on a C stack of the compiler's own */
    private readonly enter: <T>(fn: () => T) => T,
  ) {}

  /**
   * The bytecode of `source`, compiled once per key; a string is the compile error. `own`: the runner's
   * runtime or one of its k6 modules, whose functions keep no source text (every VM holds its own copy of
   * the bytecode; k6's own functions are native ones, whose toString() says "[native code]" too).
   */
  bytes(kind: 'script' | 'module', filename: string, source: string, own = false): Uint8Array | string {
    let b = this.cache.get(kind, filename, source);
    if (b === undefined) {
      this.requested = [];
      b = this.enter(() => {
        if (!this.ctx) {
          const rt = this.newRuntime();
          rt.setModuleLoader((name) => {
            this.requested.push(name);
            return '';
          });
          this.ctx = rt.newContext();
        }
        return compileBytecode(this.ctx, source, filename, kind === 'module', own);
      });
      this.cache.set(kind, filename, source, b);
      this.imports.set(kind, filename, source, this.requested);
    }
    return b;
  }

  /** The names a module's static imports asked for when it was compiled (bytes() first). */
  importsOf(filename: string, source: string): string[] {
    return this.imports.get('module', filename, source) ?? [];
  }
}
