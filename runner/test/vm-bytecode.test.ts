import './bytecode-env.ts';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { newQuickJSWASMModuleFromVariant, type QuickJSContext } from 'quickjs-emscripten';
import { BYTECODE_VARIANT } from '../quickjs/variant.ts';
import { Compiler, evalScriptBytecode, registerModule } from '../vu/bytecode.ts';
import { VUPool } from '../vu/pool.ts';
import { byMetric, collector, startPeer, writeScript, type Peer } from './vu-harness.ts';

let peer: Peer;
before(async () => {
  peer = await startPeer();
});
after(() => peer.close());

const mod = await newQuickJSWASMModuleFromVariant(BYTECODE_VARIANT as never);

function value(ctx: QuickJSContext, r: ReturnType<typeof evalScriptBytecode>): unknown {
  if (r.error) {
    const e = ctx.dump(r.error);
    r.error.dispose();
    return { error: e };
  }
  const v = ctx.dump(r.value!);
  r.value!.dispose();
  return v;
}

test('bytecode read back runs as its source: globals, module links without the loader, file names and lines', () => {
  const compiler = new Compiler(
    () => mod.newRuntime(),
    (fn) => fn(),
  );
  const lib = compiler.bytes(
    'module',
    'k6/lib',
    `export const k = 42;\nexport function f() {\n  throw new Error('in lib');\n}\n`,
  );
  const script = compiler.bytes(
    'module',
    'file:///s/script.js',
    `import { k, f } from 'k6/lib';\nglobalThis.seen = k;\nexport function g() {\n  f();\n}\n`,
  );
  const core = compiler.bytes(
    'script',
    'k6-runtime.js',
    `var top = 5;\nfunction bad() {\n  throw new Error('in core');\n}\n`,
  );
  assert.ok(lib instanceof Uint8Array && script instanceof Uint8Array && core instanceof Uint8Array);
  // One compile per source: the same bytes come back.
  assert.equal(
    compiler.bytes(
      'module',
      'k6/lib',
      `export const k = 42;\nexport function f() {\n  throw new Error('in lib');\n}\n`,
    ),
    lib,
  );

  const rt = mod.newRuntime();
  const asked: string[] = [];
  rt.setModuleLoader((name) => {
    asked.push(name);
    return 'export {}';
  });
  const ctx = rt.newContext();
  assert.equal(value(ctx, evalScriptBytecode(ctx, core)), undefined);
  assert.equal(ctx.dump(ctx.getProp(ctx.global, 'top')), 5);
  const coreStack = ctx.dump(ctx.unwrapResult(ctx.evalCode('try { bad() } catch (e) { e.stack }')));
  assert.match(coreStack as string, /^ {4}at bad \(k6-runtime\.js:3:\d+\)\n/);

  assert.equal(registerModule(ctx, lib), null);
  const ns = evalScriptBytecode(ctx, script);
  assert.ok(ns.value, JSON.stringify(ns.error && ctx.dump(ns.error)));
  assert.deepEqual(asked, []);
  assert.equal(ctx.dump(ctx.getProp(ctx.global, 'seen')), 42);
  const g = ctx.getProp(ns.value, 'g');
  const r = ctx.callFunction(g, ctx.undefined);
  const err = ctx.dump(r.error!) as { message: string; stack: string };
  assert.equal(err.message, 'in lib');
  assert.match(err.stack, /^ {4}at f \(k6\/lib:3:\d+\)\n {4}at g \(file:\/\/\/s\/script\.js:4:\d+\)\n/);
  for (const h of [g, r.error!, ns.value]) h.dispose();
  ctx.dispose();
  rt.dispose();
});

test('a source that does not compile gives its error, with the line, instead of bytes', () => {
  const compiler = new Compiler(
    () => mod.newRuntime(),
    (fn) => fn(),
  );
  const r = compiler.bytes('module', 'file:///s/bad.js', `export default function () {}\nconst = 3;\n`);
  assert.equal(typeof r, 'string');
  assert.match(r as string, /SyntaxError/);
  assert.match(r as string, /bad\.js:2/);
});

test('VUs of one thread run from bytecode: k6 modules work, errors keep their lines', async () => {
  const script = writeScript(
    `import http from 'k6/http';\nimport { check } from 'k6';\nexport default function () {\n` +
      `  check(http.get(__ENV.BASE + '/ok'), { ok: (r) => r.status === 200 });\n` +
      `  if (__VU === 3) throw new Error('vu three');\n}\n`,
  );
  const c = collector();
  const pool = await VUPool.create({
    script,
    env: { BASE: peer.url },
    options: {},
    count: 3,
    workers: 1,
    ...c,
  });
  const scenario = { name: 'main', executor: 'constant-vus', startTime: Date.now() };
  const results = [];
  for (const vu of [1, 2, 3]) results.push(await pool.vu(vu).run({ fn: 'default', scenario, tags: {} }));
  await pool.close();
  assert.deepEqual(results.slice(0, 2), [{ ok: true }, { ok: true }]);
  assert.equal(results[2].ok, false);
  assert.match(results[2].error ?? '', /^Error: vu three\n\tat file:\/\/\/.*script\.js:5:\d+\n$/);
  const checks = byMetric(c.samples, 'checks');
  assert.deepEqual(
    checks.map((s) => s.value),
    [1, 1, 1],
  );
});

test("the runner's own functions keep no source text, the script's do, in every VU of a thread", async () => {
  // As in k6, whose k6 functions are native ones: their toString() says "[native code]".
  const script = writeScript(
    `import http from 'k6/http';\nimport { sleep } from 'k6';\nfunction mine(a) { return a + 1; }\n` +
      `export default function () { console.log([mine, http.get, sleep].map(String).join(' | ')); }\n`,
  );
  const c = collector();
  const pool = await VUPool.create({ script, env: {}, options: {}, count: 2, workers: 1, ...c });
  for (const vu of [1, 2]) await pool.vu(vu).run({ fn: 'default', tags: {} });
  await pool.close();
  assert.equal(c.logs.length, 2);
  for (const l of c.logs) {
    const [mine, get, sleep] = l.msg.split(' | ');
    assert.equal(mine, 'function mine(a) { return a + 1; }');
    assert.match(get, /^function \w*\(\) \{\s+\[native code\]\s+\}$/);
    assert.match(sleep, /^function sleep\(\) \{\s+\[native code\]\s+\}$/);
  }
});
