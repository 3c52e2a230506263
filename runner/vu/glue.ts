// One QuickJS build as quickjs-emscripten ships it (a WebAssembly file, its Emscripten glue, the
// library's FFI), started the way both engines need: the module compiled once per process, the glue
// and FFI imported once per thread, each instance built from the glue's imports by the engine.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

// Node's types leave WebAssembly out of the ES lib this project targets.
const wasm = (globalThis as unknown as { WebAssembly: { compile(b: Uint8Array): Promise<object> } })
  .WebAssembly;

type Loader = (arg: Record<string, unknown>) => Promise<Record<string, unknown>>;
type FFIClass = new (m: unknown) => unknown;
interface Variant {
  importModuleLoader(): Promise<unknown>;
  importFFI(): Promise<unknown>;
}
export type Imports = Record<string, Record<string, unknown>>;
export type Instantiate = (imports: Imports, module: object) => { exports: unknown };

function unwrap<T>(m: T): T {
  const d = (m as { default?: { default?: unknown } })?.default;
  return (d && typeof d === 'object' && 'default' in d ? d.default : (d ?? m)) as T;
}

const require = createRequire(import.meta.url);

export class QuickJSBuild {
  readonly wasmPath: string;
  private compiled: Promise<object> | null = null;
  // The library imports its loader and FFI modules on every new instance; under a module loader hook
  // that costs milliseconds per VU, so they are imported once per thread.
  private parts: Promise<{ loader: Loader; FFI: FFIClass }> | null = null;

  /** `wasm`: a package's name (its `/wasm` export is the file) or the file's path. */
  constructor(
    private variant: Variant,
    wasm: string,
  ) {
    this.wasmPath = wasm.endsWith('.wasm') ? wasm : require.resolve(`${wasm}/wasm`);
  }

  private text: string | null = null;

  /** The glue's source: the engines read minified names from it. */
  glueText(): string {
    this.text ??= readFileSync(this.wasmPath.replace(/\.wasm$/, '.mjs'), 'utf8');
    return this.text;
  }

  /** The minified name of the import through which QuickJS calls host functions. */
  hostCallImport(): string | undefined {
    const text = this.glueText();
    return (
      /"([\w$]+)":qts_host_call_function[,}]/.exec(text)?.[1] ??
      /[{,]([\w$]+):function\(\w+,\w+,\w+,\w+,\w+\)\{return \w+\.callbacks\.callFunction\(/.exec(text)?.[1]
    );
  }

  /**
   * The instance's own export behind one of the glue's `_QTS_*` functions: an older Emscripten's glue
   * wraps each export in a JavaScript function, which a suspending call cannot pass through.
   */
  rawExport(em: Record<string, unknown>, exports: Record<string, unknown>, name: string): unknown {
    const minified = new RegExp(`Module\\["${name}"\\]=Module\\["asm"\\]\\["([\\w$]+)"\\]`).exec(
      this.glueText(),
    )?.[1];
    return minified ? exports[minified] : em[name];
  }

  /** The compiled WebAssembly module; worker threads get the main thread's, sharing its code. */
  module(): Promise<object> {
    this.compiled ??= wasm.compile(readFileSync(this.wasmPath));
    return this.compiled;
  }

  useModule(module: object): void {
    this.compiled = Promise.resolve(module);
  }

  /** One instance: `instantiate` builds it from the glue's imports; the glue's module object comes back. */
  async start(
    instantiate: Instantiate,
    onAbort?: (reason: unknown) => void,
  ): Promise<{ em: Record<string, unknown>; FFI: FFIClass; exports: Record<string, unknown> }> {
    this.parts ??= Promise.all([
      this.variant.importModuleLoader().then((m) => unwrap(m) as unknown as Loader),
      this.variant.importFFI() as Promise<FFIClass>,
    ]).then(([loader, FFI]) => ({ loader, FFI }));
    const [{ loader, FFI }, module] = await Promise.all([this.parts, this.module()]);
    let exports: Record<string, unknown> = {};
    // The Emscripten glue re-imports node:module on every instance when it sees Node; it needs nothing
    // from Node here (the WebAssembly module comes from instantiateWasm), so it is told it runs elsewhere
    // for the synchronous start of the call, where it makes that check.
    const proc = process as { type?: string };
    const type = proc.type;
    proc.type = 'renderer';
    let pending: Promise<Record<string, unknown>>;
    try {
      pending = loader({
        // QuickJS's own diagnostics (e.g. a failed assertion when a runtime that a script left cycles in
        // is freed, which dispose() tolerates) are not the user's business.
        printErr: () => {},
        onAbort,
        instantiateWasm: async (imports: Imports, onSuccess: (i: unknown) => void) => {
          const instance = instantiate(imports, module);
          exports = instance.exports as Record<string, unknown>;
          onSuccess(instance);
          return instance.exports;
        },
      });
    } finally {
      proc.type = type;
    }
    return { em: await pending, FFI, exports };
  }
}

/**
 * The library's module object over a started instance. Each VM can outlive the library's idea of its
 * runtime (QuickJS frees host function references during its final GC, after the library forgot the
 * runtime), so forgetting is made a no-op.
 */
export function libraryModule<M>(
  Ctor: unknown,
  em: Record<string, unknown>,
  FFI: FFIClass,
): { mod: M; callbacks: Record<string, unknown> | undefined } {
  const mod = new (Ctor as new (m: unknown, ffi: unknown) => M)(em, new FFI(em));
  const callbacks = (mod as { callbacks?: Record<string, unknown> }).callbacks;
  if (callbacks?.deleteRuntime) callbacks.deleteRuntime = () => {};
  return { mod, callbacks };
}
