// The stack-switching engine (vu/engine-jspi.ts), where this process has it (make test starts Node with
// bin/runner-flags.mjs's flags): many VMs suspended at once, memory that does not grow with the number
// of suspensions, and trampoline calls replaced while a thread's other VMs are suspended.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { stackSwitching, VM } from '../vu/vm.ts';
import { VUPool } from '../vu/pool.ts';
import { restartAfter } from '../vu/engine-jspi.ts';
import { collector, writeScript } from './vu-harness.ts';

const skip = stackSwitching
  ? false
  : 'this Node has no stack switching for the runner (see bin/runner-flags.mjs)';

v8.setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

async function newVM(source: string, sleep: () => Promise<boolean>, id = 1): Promise<VM> {
  const vm = await VM.create({ sync: { log: () => undefined, define: () => '' }, async: { sleep } });
  vm.prepare(id, {}, {});
  await vm.load('file:///jspi.js', source);
  return vm;
}

const fixed = JSON.stringify({ tags: {}, group: '', scenario: null, countIteration: true });

test('VMs suspended at once resume in any order, each on its own stack', { skip }, async () => {
  const wake: (() => void)[] = [];
  const source = `import { sleep } from 'k6';
    function down(n, acc) { if (n === 0) { sleep(1); return acc; } return down(n - 1, acc + n); }
    export default function () { if (down(__VU * 10, 0) !== (__VU * 10 * (__VU * 10 + 1)) / 2) throw new Error('lost frames'); }`;
  const vms = await Promise.all(
    Array.from({ length: 8 }, (_, i) =>
      newVM(source, () => new Promise<boolean>((r) => wake.push(() => r(false))), i + 1),
    ),
  );
  const runs = vms.map((vm) => vm.run('default', fixed, '[0,0,null,0]'));
  while (wake.length < vms.length) await new Promise((r) => setImmediate(r));
  // last suspended first: each resumption must find its own C stack and suspender
  for (const w of wake.reverse()) w();
  for (const out of await Promise.all(runs)) assert.match(out, /^\{"ok":true\}/);
  for (const vm of vms) vm.dispose();
});

test('a VM that suspends 90,000 times holds no more memory than after 10,000', { skip }, async () => {
  const vm = await newVM(
    `import { sleep } from 'k6';
     export default function () { for (let i = 0; i < 10000; i++) sleep(0); }`,
    async () => false,
  );
  const heapAfter = async (iterations: number) => {
    for (let i = 0; i < iterations; i++)
      assert.match(await vm.run('default', fixed, `[${i},${i},null,0]`), /ok":true/);
    gc();
    gc();
    return process.memoryUsage().heapUsed;
  };
  // The first runs grow the heap by ~1.5-1.8 MB once (V8's optimised code and feedback for the host
  // side, both builds), and it stays flat from there, within ~2 MB on a busy machine (V8 compiles
  // and flushes code when it gets to it): warmed up, then measured over many suspensions.
  await heapAfter(2);
  const first = await heapAfter(1);
  const later = await heapAfter(8);
  vm.dispose();
  // V8 keeps one promise per suspension until a promising call returns (~100 bytes each): 80,000 more
  // would be ~8 MB.
  assert.ok(later - first < 3_500_000, `heap grew by ${later - first} bytes`);
});

test('100 VUs of one thread keep suspending while their trampolines are replaced', { skip }, async () => {
  // Each iteration suspends 300 times (more than a trampoline call takes), at random moments, so calls
  // return and new ones start while the thread's other VMs are suspended.
  const c = collector();
  // A trampoline call replaced every 16 suspensions (the VU threads read it when they start).
  process.env.RUNNER_JSPI_RESTART = '16';
  const pool = await VUPool.create({
    script: writeScript(`import { sleep } from 'k6';
      export default function () { let n = 0; for (let i = 0; i < 300; i++) { sleep(Math.random() / 500); n++; }
        if (n !== 300) throw new Error('lost count'); }`),
    env: {},
    options: {},
    count: 100,
    workers: 1,
    ...c,
  });
  try {
    const loops = Array.from({ length: 100 }, (_, i) =>
      pool.vu(i + 1).loop!({
        req: {
          fn: 'default',
          scenario: { name: 's', executor: 'per-vu-iterations', startTime: Date.now() },
          tags: {},
        },
        counter: new SharedArrayBuffer(4),
        max: 6,
        progress: { total: 600 },
      }),
    );
    const results = await Promise.all(loops);
    assert.deepEqual(
      results.map((r) => [r.completed, r.interrupted, r.error ?? '']),
      results.map(() => [6, 0, '']),
    );
    assert.deepEqual(c.logs, []);
  } finally {
    delete process.env.RUNNER_JSPI_RESTART;
    await pool.close();
  }
});

test('trampoline calls are replaced sooner the more VMs share an instance', () => {
  if (process.env.RUNNER_JSPI_RESTART) return;
  // ~0.6 KB per suspension, half the count per VM on average: ~4 MB per instance at most.
  assert.equal(restartAfter(1), 512);
  assert.equal(restartAfter(25), 512);
  assert.equal(restartAfter(50), 256);
  assert.equal(restartAfter(100), 128);
  assert.equal(restartAfter(200), 64);
  assert.equal(restartAfter(256), 64);
});
