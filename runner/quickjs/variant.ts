// The runner's own QuickJS build (see README.md beside this file): quickjs-emscripten 0.32.0's
// release-sync variant with two entry points more, loaded through the library's custom-variant API.
import { QuickJSFFI } from '@jitl/quickjs-wasmfile-release-sync/ffi';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

// Run from source this file sits beside dist/; bundled (build/runner/*.js) it is two levels below the
// checkout.
const DIST = [new URL('./dist/', import.meta.url), new URL('../../runner/quickjs/dist/', import.meta.url)]
  .map((u) => fileURLToPath(u))
  .find((d) => existsSync(`${d}emscripten-module.wasm`));

/** The build's WebAssembly file; its Emscripten glue is the `.mjs` beside it. */
export const BYTECODE_WASM = `${DIST ?? fileURLToPath(new URL('./dist/', import.meta.url))}emscripten-module.wasm`;

/** QTS_Eval reads its code as QTS_CompileBytecode's bytes (interface.patch). */
export const EVAL_FLAG_BYTECODE = 1 << 16;
/** QTS_CompileBytecode keeps no source text in the functions (toString() says "[native code]"). */
export const COMPILE_FLAG_STRIP_SOURCE = 1 << 17;
/** QuickJS's JS_EVAL_FLAG_COMPILE_ONLY: with EVAL_FLAG_BYTECODE, a module is only registered. */
export const EVAL_FLAG_COMPILE_ONLY = 1 << 5;

interface Module {
  cwrap(name: string, ret: string | null, args: string[]): (...a: number[]) => number;
}

export class BytecodeFFI extends QuickJSFFI {
  /** (ctx, code, length, filename, flags) → a JSValue pointer: the bytecode's ArrayBuffer, or an exception */
  readonly QTS_CompileBytecode: (
    ctx: number,
    code: number,
    len: number,
    file: number,
    flags: number,
  ) => number;

  constructor(module: unknown) {
    super(module as ConstructorParameters<typeof QuickJSFFI>[0]);
    this.QTS_CompileBytecode = (module as Module).cwrap('QTS_CompileBytecode', 'number', [
      'number',
      'number',
      'number',
      'number',
      'number',
    ]);
  }
}

export const BYTECODE_VARIANT = {
  type: 'sync' as const,
  importFFI: () => Promise.resolve(BytecodeFFI),
  importModuleLoader: () =>
    import(pathToFileURL(BYTECODE_WASM.replace(/\.wasm$/, '.mjs')).href).then(
      (m: { default: (arg: Record<string, unknown>) => Promise<unknown> }) =>
        // The glue is built for the web (build.sh): outside the runner, which instantiates the module
        // itself, it is handed the file rather than left to fetch it.
        (arg: Record<string, unknown> = {}) =>
          m.default(
            arg.instantiateWasm || arg.wasmBinary ? arg : { ...arg, wasmBinary: readFileSync(BYTECODE_WASM) },
          ),
    ),
};
