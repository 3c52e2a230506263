// Many QuickJS VMs in one WebAssembly instance. An instance per VU costs ~0.5 MB (its own copy of
// QuickJS's static data, the Emscripten glue and the library's wrappers); here VUs share one and each
// gets its own runtime and its own C stack, so one VU can stay suspended on a request while others run.
//
// Asyncify keeps one suspension in flight per instance: its unwound stack (a data buffer), the promise
// of the call that started it, and the C stack pointer. A VU suspended on a request leaves its frames
// in its own stack region; switching VUs swaps those three pieces of state, which the Emscripten glue
// keeps in its `Asyncify` object and in the stack-pointer global, under names minified per build.
// They are read from the glue's own text at start-up; if the layout is not recognised the runner falls
// back to an instance per VU.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export interface Fiber {
  readonly base: number;
  readonly top: number;
  /** stack pointer of the suspended call */
  sp: number;
  /** Asyncify's data buffer while suspended, else null */
  data: number | null;
  /** the glue's promise handlers of the suspended call */
  handlers: unknown;
}

export interface GlueLayout {
  handleSleep: string;
  /** the size of Asyncify's buffer for one suspended stack */
  asyncifySize: string;
  currData: string;
  handlers: string;
  stackSave: string;
  stackRestore: string;
}

/** The minified export names of the glue's stack save and restore functions; null if unrecognised. */
export function stackFunctions(text: string): { stackSave: string; stackRestore: string } | null {
  // The runner's own build (runner/quickjs/, an older Emscripten without Closure) names them plainly.
  const plain = (n: string) =>
    new RegExp(`Module\\["${n}"\\]=Module\\["asm"\\]\\["([\\w$]+)"\\]`).exec(text)?.[1];
  const [plainSave, plainRestore] = [plain('stackSave'), plain('stackRestore')];
  if (plainSave && plainRestore) return { stackSave: plainSave, stackRestore: plainRestore };
  const save = /0===(\w+)&&\(\1=([\w$]+)\(\)\)/.exec(text)?.[2];
  const restore = /0!==(\w+)&&([\w$]+)\(\1\)/.exec(text)?.[2];
  const exported = (v: string | undefined) =>
    v === undefined
      ? undefined
      : new RegExp(`[;,]${v.replace(/\$/g, '\\$')}=\\w+\\.([\\w$]+)[;,]`).exec(text)?.[1];
  const stackSave = exported(save);
  const stackRestore = exported(restore);
  return stackSave && stackRestore ? { stackSave, stackRestore } : null;
}

/** Reads the minified names of the glue's Asyncify state and stack functions; null if unrecognised. */
export function glueLayout(text: string): GlueLayout | null {
  const stack = stackFunctions(text);
  const layout = {
    handleSleep: /\{handleSleep:\w+\.([\w$]+)\}/.exec(text)?.[1],
    asyncifySize: /function\(\w+,\s*\w+\)\{\w+\.([\w$]+)=\w+\|\|\w+\}/.exec(text)?.[1],
    currData: /\.state=\w+\.\w+\.\w+,\w+\.([\w$]+)=\w+\(\)/.exec(text)?.[1],
    handlers: /\w+\.([\w$]+)=\{resolve:\w+,reject:\w+\}/.exec(text)?.[1],
    stackSave: stack?.stackSave,
    stackRestore: stack?.stackRestore,
  };
  return Object.values(layout).every((v) => typeof v === 'string') ? (layout as GlueLayout) : null;
}

let layout: GlueLayout | null | undefined;

/** The layout of the installed glue (read once per thread). */
export function installedLayout(): GlueLayout | null {
  if (layout === undefined) {
    try {
      const require = createRequire(import.meta.url);
      const wasm = require.resolve('@jitl/quickjs-wasmfile-release-asyncify/wasm');
      layout = glueLayout(readFileSync(wasm.replace(/\.wasm$/, '.mjs'), 'utf8'));
    } catch {
      layout = null;
    }
  }
  return layout;
}

type AsyncifyState = Record<string, unknown>;
// Node's types leave WebAssembly out of the ES lib this project targets.
const { RuntimeError } = (globalThis as unknown as { WebAssembly: { RuntimeError: new () => Error } })
  .WebAssembly;
type Sleep = (start: (wake: (v?: unknown) => void) => void) => unknown;

/** Switches one instance's Asyncify state and C stack between fibers. */
export class FiberSwitch {
  private current: Fiber | null = null;
  private readonly fibers = new Set<Fiber>();
  /** set once the instance has trapped: the glue refuses every later call, so each VM must fail */
  private dead: Error | null = null;
  private readonly save: () => number;
  private readonly restore: (sp: number) => void;

  constructor(
    private readonly asyncify: AsyncifyState,
    exports: Record<string, unknown>,
    private readonly names: GlueLayout,
  ) {
    this.save = exports[names.stackSave] as () => number;
    this.restore = exports[names.stackRestore] as (sp: number) => void;
    const original = asyncify[names.handleSleep] as Sleep;
    // A suspended call resumes from a promise callback, after other fibers may have run: its state is
    // swapped back in before the glue rewinds it.
    asyncify[names.handleSleep] = (start: (wake: (v?: unknown) => void) => void) =>
      original((wake) => {
        const fiber = this.current;
        let inline = true;
        start((v) => (inline || !fiber ? wake(v) : this.enter(fiber, () => wake(v))));
        inline = false;
      });
  }

  newFiber(base: number, size: number): Fiber {
    const fiber = { base, top: (base + size) & ~15, sp: 0, data: null, handlers: null };
    this.fibers.add(fiber);
    return fiber;
  }

  /** Sets the room Asyncify has to save one suspended stack (QuickJS resets it with each stack limit). */
  setSuspendBytes(n: number): void {
    this.asyncify[this.names.asyncifySize] = n;
  }

  /** Runs `fn` (calls into the instance) as `fiber`: its stack, its suspended call if any. */
  enter<T>(fiber: Fiber, fn: () => T): T {
    if (this.current === fiber) return fn();
    if (this.dead) throw this.dead;
    if (this.current) throw new Error('runner: a VM was entered while another one was running');
    const a = this.asyncify;
    const n = this.names;
    const outer = this.save();
    a[n.currData] = fiber.data;
    a[n.handlers] = fiber.handlers;
    this.restore(fiber.data ? fiber.sp : fiber.top);
    this.current = fiber;
    try {
      return fn();
    } catch (e) {
      // A trap (e.g. memory exhausted) aborts the whole instance: every VM in it fails now, including
      // those suspended on a request, rather than waiting for a resumption that cannot come.
      if (e instanceof RuntimeError) this.kill(e);
      throw e;
    } finally {
      fiber.data = (a[n.currData] as number | null) ?? null;
      fiber.handlers = a[n.handlers] ?? null;
      if (fiber.data) fiber.sp = this.save();
      a[n.currData] = null;
      a[n.handlers] = null;
      this.restore(outer);
      this.current = null;
    }
  }

  /** Fails every VM of the instance (a trap, or the glue's abort): suspended ones are rejected now. */
  kill(e: Error): void {
    if (this.dead) return;
    this.dead = e;
    for (const f of this.fibers) {
      const handlers = f.handlers as { reject?: (e: Error) => void } | null;
      f.handlers = null;
      f.data = null;
      if (f !== this.current) handlers?.reject?.(e);
    }
  }
}
