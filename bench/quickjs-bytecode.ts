// What a VM's start-up costs when it compiles the runner's runtime, k6 and k6/http and a typical script
// from source, against reading their bytecode back (runner/quickjs/, runner/vu/bytecode.ts): VMS fresh
// runtimes on one thread, each with its context, the runtime script and the script module with its
// imports, timed per VM (median and mean of the hot second half). Also the same small operations as
// bench/quickjs-asyncify-tax.ts in both synchronous builds, since the runner's is built with another
// Emscripten and LLVM than the library's.
// Usage: node --import tsx bench/quickjs-bytecode.ts [--vms 200]
import v8 from 'node:v8';
import { parseArgs } from 'node:util';
import {
  newQuickJSWASMModule,
  newQuickJSWASMModuleFromVariant,
  RELEASE_SYNC,
  type QuickJSContext,
} from 'quickjs-emscripten';
import { BYTECODE_VARIANT } from '../runner/quickjs/variant.ts';
import { Compiler, evalScriptBytecode, registerModule } from '../runner/vu/bytecode.ts';
import { coreSource, loadModule } from '../runner/modules/index.ts';
import { OPS } from './quickjs-ops.ts';

v8.setFlagsFromString('--no-liftoff --no-wasm-generic-wrapper');
const { values } = parseArgs({ options: { vms: { type: 'string', default: '200' } } });
const VMS = Number(values.vms);

const SCRIPT =
  `import http from 'k6/http';\nimport { sleep, check } from 'k6';\n` +
  `export const options = { vus: 10, duration: '10s' };\n` +
  `const pause = Number(__ENV.SLEEP);\n` +
  `export default function () {\n  const res = http.get(__ENV.URL);\n  check(res, { 'status 200': (r) => r.status === 200 });\n  if (pause > 0) sleep(pause);\n}\n`;

const published = await newQuickJSWASMModule(RELEASE_SYNC);
const own = await newQuickJSWASMModuleFromVariant(BYTECODE_VARIANT as never);

// The runtime script reads the host object at its top level: an empty one of plain functions will do.
function host(ctx: QuickJSContext): void {
  const r = ctx.unwrapResult(
    ctx.evalCode(`globalThis.__host = new Proxy({}, { get: () => () => undefined })`),
  );
  r.dispose();
}

function fromSource(mod: typeof own): () => void {
  return () => {
    const rt = mod.newRuntime();
    rt.setModuleLoader((name) => loadModule(name));
    const ctx = rt.newContext();
    host(ctx);
    ctx.unwrapResult(ctx.evalCode(coreSource, 'k6-runtime.js')).dispose();
    ctx.unwrapResult(ctx.evalCode(SCRIPT, 'script.js', { type: 'module' })).dispose();
    ctx.dispose();
    rt.dispose();
  };
}

const compiler = new Compiler(
  () => own.newRuntime(),
  (fn) => fn(),
);
const need = (b: Uint8Array | string): Uint8Array => {
  if (typeof b === 'string') throw new Error(b);
  return b;
};
const t0 = performance.now();
const core = need(compiler.bytes('script', 'k6-runtime.js', coreSource, true));
const mods = ['k6', 'k6/http'].map((n) => need(compiler.bytes('module', n, loadModule(n), true)));
const script = need(compiler.bytes('module', 'script.js', SCRIPT));
const compileOnce = performance.now() - t0;

function settle(ctx: QuickJSContext, r: ReturnType<typeof evalScriptBytecode>): void {
  if (r.error) throw new Error(JSON.stringify(ctx.dump(r.error)));
  r.value!.dispose();
}

function fromBytecode(): void {
  const rt = own.newRuntime();
  rt.setModuleLoader((name) => {
    throw new Error(`not preloaded: ${name}`);
  });
  const ctx = rt.newContext();
  host(ctx);
  settle(ctx, evalScriptBytecode(ctx, core));
  for (const m of mods) {
    const err = registerModule(ctx, m);
    if (err) throw new Error(err);
  }
  settle(ctx, evalScriptBytecode(ctx, script));
  ctx.dispose();
  rt.dispose();
}

function contextOnly(mod: typeof own): () => void {
  return () => {
    const rt = mod.newRuntime();
    const ctx = rt.newContext();
    host(ctx);
    ctx.dispose();
    rt.dispose();
  };
}

function time(fn: () => void): { median: number; mean: number } {
  const t: number[] = [];
  for (let i = 0; i < VMS; i++) {
    const s = performance.now();
    fn();
    t.push(performance.now() - s);
  }
  const hot = t.slice(VMS / 2).sort((a, b) => a - b);
  return { median: hot[hot.length >> 1], mean: hot.reduce((a, b) => a + b, 0) / hot.length };
}

const cases: [string, () => void][] = [
  ['library build: context only', contextOnly(published)],
  ['library build: from source', fromSource(published)],
  ["runner's build: context only", contextOnly(own)],
  ["runner's build: from source", fromSource(own)],
  ["runner's build: bytecode read back", fromBytecode],
];
const rows: Record<string, { median: number; mean: number }> = {};
// Two rounds, the second reported: the first compiles QuickJS's paths in V8.
for (let round = 0; round < 2; round++) for (const [name, fn] of cases) rows[name] = time(fn);
console.log(`${VMS} VMs on one thread, ms per VM (hot half):`);
for (const [name, r] of Object.entries(rows))
  console.log(`  ${name.padEnd(36)} median ${r.median.toFixed(3)}  mean ${r.mean.toFixed(3)}`);
console.log(
  `bytecode: runtime ${core.length} B, k6 ${mods[0].length} B, k6/http ${mods[1].length} B, script ${script.length} B; compiled once in ${compileOnce.toFixed(1)} ms`,
);

console.log('µs per operation (second of two rounds):');
for (const [name, mod] of [
  ['library build', published],
  ["runner's build", own],
] as const) {
  const ctx = mod.newContext();
  let out = '';
  for (let round = 0; round < 2; round++) {
    const r = ctx.unwrapResult(ctx.evalCode(OPS));
    out = ctx.getString(r);
    r.dispose();
  }
  const ops = JSON.parse(out) as Record<string, number>;
  console.log(
    `  ${name.padEnd(16)} ${Object.entries(ops)
      .map(([k, v]) => `${k} ${v.toFixed(3)}`)
      .join(', ')}`,
  );
  ctx.dispose();
}
