// What asyncify costs QuickJS: the same small operations timed inside the release-sync and the
// release-asyncify builds of quickjs-emscripten (the runner uses the latter so that a VU can suspend
// inside a request), with the V8 flags the runner sets. Each figure is µs per operation, timed by the VM.
// Usage: node --import tsx bench/quickjs-asyncify-tax.ts
import v8 from 'node:v8';
import {
  newQuickJSAsyncWASMModule,
  newQuickJSWASMModule,
  RELEASE_ASYNC,
  RELEASE_SYNC,
} from 'quickjs-emscripten';

import { OPS } from './quickjs-ops.ts';

v8.setFlagsFromString('--no-liftoff --no-wasm-generic-wrapper');

const CODE = OPS;

const builds = [
  ['release-sync', await newQuickJSWASMModule(RELEASE_SYNC)],
  ['release-asyncify', await newQuickJSAsyncWASMModule(RELEASE_ASYNC)],
] as const;
const results: Record<string, Record<string, number>> = {};
for (const [name, mod] of builds) {
  const ctx = mod.newContext();
  // The second round is the one reported: the first compiles the interpreter's paths.
  for (let round = 0; round < 2; round++) {
    const r = ctx.unwrapResult(ctx.evalCode(CODE));
    results[name] = JSON.parse(ctx.getString(r)) as Record<string, number>;
    r.dispose();
  }
  ctx.dispose();
}
for (const op of Object.keys(results['release-sync'])) {
  const s = results['release-sync'][op];
  const a = results['release-asyncify'][op];
  console.log(
    `${op.padEnd(32)} sync ${s.toFixed(3)} µs, asyncify ${a.toFixed(3)} µs (${(a / s).toFixed(1)}x)`,
  );
}
