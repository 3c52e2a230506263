import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VUPool } from '../vu/pool.ts';
import { FiberSwitch, glueLayout, installedLayout, type GlueLayout } from '../vu/fibers.ts';
import { collector, writeScript } from './vu-harness.ts';

test('the installed Emscripten glue is recognised, so VU threads share WebAssembly instances', () => {
  const layout = installedLayout();
  assert.ok(layout, 'glue layout not recognised: VU threads would fall back to an instance per VU');
  assert.equal(new Set(Object.values(layout)).size, 6);
  assert.equal(glueLayout('function x(){}'), null);
});

// VUs in one worker thread share an instance: each must keep its own stack, globals and suspended call.
test('VUs sharing an instance interleave suspended iterations without mixing their state', async () => {
  const script = writeScript(`import { sleep } from 'k6';
    function depth(n) { return n === 0 ? 0 : 1 + depth(n - 1); }
    let count = 0;
    export default function () {
      count++;
      const mine = __VU * 1000 + __ITER;
      const before = depth(20 + __VU);
      sleep(0.001 * ((__VU * 7 + __ITER) % 5));
      const after = depth(20 + __VU);
      if (before !== after || mine !== __VU * 1000 + __ITER || count !== __ITER + 1)
        throw new Error('state mixed: ' + [before, after, mine, count, __ITER].join(','));
    }`);
  const c = collector();
  const pool = await VUPool.create({ script, env: {}, options: {}, count: 24, workers: 1, ...c });
  const scenario = { name: 'main', executor: 'constant-vus', startTime: Date.now() };
  try {
    for (let round = 0; round < 3; round++) {
      const results = await Promise.all(
        Array.from({ length: 24 }, (_, i) => pool.vu(i + 1).run({ fn: 'default', scenario, tags: {} })),
      );
      assert.deepEqual(
        results.filter((r) => !r.ok),
        [],
      );
    }
  } finally {
    await pool.close();
  }
  assert.deepEqual(c.logs, []);
});

test('runaway recursion in a VU thread is a catchable error, and the VU goes on', async () => {
  const script = writeScript(`function f(n) { return n === 0 ? 0 : 1 + f(n - 1); }
    export default function () {
      let caught = '';
      try { f(1e6); } catch (e) { caught = String(e); }
      if (!/stack overflow/.test(caught)) throw new Error('expected a stack overflow, got: ' + caught);
      if (f(400) !== 400) throw new Error('a 400-deep call failed');
    }`);
  const c = collector();
  const pool = await VUPool.create({ script, env: {}, options: {}, count: 2, workers: 1, ...c });
  const scenario = { name: 'main', executor: 'constant-vus', startTime: Date.now() };
  try {
    for (let i = 0; i < 2; i++) {
      const r = await Promise.all([1, 2].map((id) => pool.vu(id).run({ fn: 'default', scenario, tags: {} })));
      assert.deepEqual(r, [{ ok: true }, { ok: true }]);
    }
  } finally {
    await pool.close();
  }
});

test('a VM suspended deep in a call chain resumes intact while the others run', async () => {
  const script = writeScript(`import { sleep } from 'k6';
    function f(n) { if (n === 0) { sleep(0.01); return 0; } return 1 + f(n - 1); }
    export default function () {
      const d = __VU === 1 ? 600 : 10;
      if (f(d) !== d) throw new Error('wrong depth');
    }`);
  const c = collector();
  const pool = await VUPool.create({ script, env: {}, options: {}, count: 4, workers: 1, ...c });
  const scenario = { name: 'main', executor: 'constant-vus', startTime: Date.now() };
  try {
    for (let i = 0; i < 2; i++) {
      const r = await Promise.all(
        [1, 2, 3, 4].map((id) => pool.vu(id).run({ fn: 'default', scenario, tags: {} })),
      );
      assert.deepEqual(r, [{ ok: true }, { ok: true }, { ok: true }, { ok: true }]);
    }
  } finally {
    await pool.close();
  }
});

test('a trap in a shared instance fails every VM in it, suspended ones included', () => {
  const names: GlueLayout = {
    handleSleep: 'sleep',
    asyncifySize: 'size',
    currData: 'data',
    handlers: 'handlers',
    stackSave: 'save',
    stackRestore: 'restore',
  };
  let sp = 1000;
  const asyncify: Record<string, unknown> = { sleep: () => 0, data: null, handlers: null, size: 0 };
  const sw = new FiberSwitch(asyncify, { save: () => sp, restore: (v: number) => (sp = v) }, names);
  const a = sw.newFiber(0, 4096);
  const b = sw.newFiber(4096, 4096);
  // b suspends: the glue leaves its buffer and promise handlers behind.
  const rejected: Error[] = [];
  sw.enter(b, () => {
    asyncify.data = 77;
    asyncify.handlers = { resolve: () => {}, reject: (e: Error) => rejected.push(e) };
  });
  assert.equal(b.data, 77);
  assert.equal(sp, 1000, 'the outer stack pointer is restored');
  const Trap = (globalThis as unknown as { WebAssembly: { RuntimeError: new (m: string) => Error } })
    .WebAssembly.RuntimeError;
  assert.throws(() =>
    sw.enter(a, () => {
      throw new Trap('unreachable');
    }),
  );
  assert.equal(rejected.length, 1, 'the suspended VM learns of it');
  assert.throws(() => sw.enter(b, () => 1), /unreachable/);
  // An ordinary exception (a host function's bug) leaves the instance usable.
  const c = new FiberSwitch(
    { ...asyncify, data: null, handlers: null },
    { save: () => sp, restore: () => {} },
    names,
  );
  const f = c.newFiber(0, 4096);
  assert.throws(() =>
    c.enter(f, () => {
      throw new Error('host bug');
    }),
  );
  assert.equal(
    c.enter(f, () => 2),
    2,
  );
});
