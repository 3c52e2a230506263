// VUs that run their iterations back to back in their own thread (VUHandle.loop), as the looping
// executors drive them: numbering from the shared counter, limits, stops, interrupts and test.abort.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { VUPool } from '../vu/pool.ts';
import { INSTANCE, type LoopRequest } from '../vu/types.ts';
import { byMetric, collector, startPeer, writeScript, type Peer } from './vu-harness.ts';

let peer: Peer;
before(async () => {
  peer = await startPeer();
});
after(() => peer.close());

// Each iteration logs what exec says about it.
const REPORTING = `import exec from 'k6/execution';
  import http from 'k6/http';
  export default function () {
    if (__ENV.BASE) http.get(__ENV.BASE + '/ok');
    console.log(JSON.stringify({ vu: __VU, iter: __ITER, inScenario: exec.vu.iterationInScenario,
      inTest: exec.scenario.iterationInTest, progress: exec.scenario.progress,
      completed: exec.instance.iterationsCompleted, scenario: exec.scenario.name }));
  }`;

type Seen = {
  vu: number;
  iter: number;
  inScenario: number;
  inTest: number;
  progress: number;
  completed: number;
  scenario: string;
};

function request(over: Partial<LoopRequest> = {}): LoopRequest {
  return {
    req: {
      fn: 'default',
      scenario: { name: 'loopy', executor: 'shared-iterations', startTime: Date.now() },
      iterationInScenario: 0,
      tags: { run: 'r1' },
      emitIteration: true,
      instance: { testStart: Date.now() },
    },
    counter: new SharedArrayBuffer(4),
    progress: { total: 10 },
    ...over,
  };
}

/** One VU in one worker thread, its logs and samples going to `c`. */
function onePool(source: string, c: ReturnType<typeof collector>): Promise<VUPool> {
  return VUPool.create({ script: writeScript(source), env: {}, options: {}, count: 1, workers: 1, ...c });
}

for (const workers of [0, 2]) {
  test(`two VUs share a limit of 10 iterations, numbered once each from the counter (workers: ${workers})`, async () => {
    const c = collector();
    const pool = await VUPool.create({
      script: writeScript(REPORTING),
      env: { BASE: peer.url },
      options: {},
      count: 2,
      workers,
      ...c,
    });
    const instance = new SharedArrayBuffer(16);
    const l = request({ limit: 10, instance });
    const [a, b] = await Promise.all([pool.vu(1).loop!(l), pool.vu(2).loop!(l)]);
    await pool.close();
    assert.equal(a.completed + b.completed, 10);
    assert.equal(a.interrupted + b.interrupted, 0);
    assert.equal(new Int32Array(l.counter)[0], 10);
    assert.equal(new Int32Array(instance)[INSTANCE.completed], 10);
    const seen = c.logs.map((x) => JSON.parse(x.msg) as Seen);
    assert.deepEqual(
      seen.map((s) => s.inTest).sort((x, y) => x - y),
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    );
    for (const vu of [1, 2]) {
      const mine = seen.filter((s) => s.vu === vu);
      assert.deepEqual(
        mine.map((s) => s.inScenario),
        mine.map((_, i) => i),
      );
      assert.deepEqual(
        mine.map((s) => s.iter),
        mine.map((_, i) => i),
      );
    }
    for (const s of seen) {
      assert.equal(s.scenario, 'loopy');
      assert.equal(s.progress, s.inTest / 10);
      // exec.instance counts what had completed when the iteration started, in either VU
      assert.ok(s.completed <= s.inTest, `completed ${s.completed} at iteration ${s.inTest}`);
    }
    const its = byMetric(c.samples, 'iterations');
    assert.equal(its.length, 10);
    for (const s of its) assert.deepEqual(s.tags, { run: 'r1', scenario: 'loopy', group: '' });
    assert.equal(byMetric(c.samples, 'http_reqs').length, 10);
  });
}

test('exec read in some iterations only gives those iterations their own numbers', async () => {
  const c = collector();
  const pool = await onePool(
    `import exec from 'k6/execution';
      export default function () {
        if (__ITER % 3 === 2) console.log(JSON.stringify([__ITER, exec.vu.iterationInScenario, exec.scenario.iterationInTest]));
      }`,
    c,
  );
  const r = await pool.vu(1).loop!(request({ limit: 9 }));
  await pool.close();
  assert.equal(r.completed, 9);
  assert.deepEqual(
    c.logs.map((x) => JSON.parse(x.msg) as number[]),
    [
      [2, 2, 2],
      [5, 5, 5],
      [8, 8, 8],
    ],
  );
});

test('max caps one VU at its own count; a later loop goes on numbering exec.vu.iterationInScenario', async () => {
  const c = collector();
  const pool = await VUPool.create({
    script: writeScript(REPORTING),
    env: {},
    options: {},
    count: 1,
    workers: 1,
    ...c,
  });
  const l = request({ max: 3 });
  const r = await pool.vu(1).loop!(l);
  const again = await pool.vu(1).loop!({ ...l, max: 2, req: { ...l.req, iterationInScenario: 3 } });
  await pool.close();
  assert.deepEqual(r, { completed: 3, interrupted: 0 });
  assert.deepEqual(again, { completed: 2, interrupted: 0 });
  const seen = c.logs.map((x) => JSON.parse(x.msg) as Seen);
  assert.deepEqual(
    seen.map((s) => [s.iter, s.inScenario, s.inTest]),
    [
      [0, 0, 0],
      [1, 1, 1],
      [2, 2, 2],
      [3, 3, 3],
      [4, 4, 4],
    ],
  );
});

test('stopLooping lets the iteration in flight finish and starts no other; progress follows the clock', async () => {
  const c = collector();
  const pool = await onePool(
    `import { sleep } from 'k6';
      import exec from 'k6/execution';
      export default function () { sleep(0.05); console.log(String(exec.scenario.progress)); }`,
    c,
  );
  const vu = pool.vu(1);
  const from = Date.now();
  const running = vu.loop!(request({ progress: { from, ms: 10_000 } }));
  await new Promise((r) => setTimeout(r, 275));
  vu.stopLooping!();
  const r = await running;
  const took = Date.now() - from;
  await pool.close();
  assert.equal(r.interrupted, 0);
  assert.ok(r.completed >= 3 && r.completed <= 7, `${r.completed} iterations of 50 ms in ~300 ms`);
  assert.ok(took < 600, `stopped after ${took} ms`);
  const progress = c.logs.map((x) => Number(x.msg));
  assert.equal(progress.length, r.completed);
  for (let i = 1; i < progress.length; i++) assert.ok(progress[i] > progress[i - 1]);
  assert.ok(progress[progress.length - 1] < 0.06, `progress ${progress[progress.length - 1]}`);
});

test('an interrupt ends the loop with the iteration in flight, counted as interrupted', async () => {
  const c = collector();
  const pool = await VUPool.create({
    script: writeScript(
      `import { sleep } from 'k6';\nexport default function () { sleep(__ITER === 2 ? 30 : 0.01); }`,
    ),
    env: {},
    options: {},
    count: 1,
    workers: 1,
    ...c,
  });
  const instance = new SharedArrayBuffer(16);
  const running = pool.vu(1).loop!(request({ instance }));
  await new Promise((r) => setTimeout(r, 300));
  pool.vu(1).interrupt();
  const r = await running;
  await pool.close();
  assert.deepEqual(r, { completed: 2, interrupted: 1 });
  assert.equal(new Int32Array(instance)[INSTANCE.interrupted], 1);
  assert.equal(new Int32Array(instance)[INSTANCE.completed], 2);
  // the interrupted iteration emits no iteration samples
  assert.equal(byMetric(c.samples, 'iterations').length, 2);
});

test('exec.test.abort() ends the loop there and is reported', async () => {
  const c = collector();
  const pool = await onePool(
    `import exec from 'k6/execution';
      export default function () { if (__ITER === 1) exec.test.abort('enough'); }`,
    c,
  );
  const r = await pool.vu(1).loop!(request({ max: 5 }));
  await pool.close();
  assert.equal(r.aborted, true);
  assert.equal(r.completed + r.interrupted, 2);
  assert.equal(c.aborts.length, 1);
  assert.match(c.aborts[0], /^test aborted: enough/);
});

test(
  'an iteration that never waits does not hold up its thread: another VU there keeps running',
  { timeout: 20_000 },
  async () => {
    const c = collector();
    const pool = await VUPool.create({
      script: writeScript(`import { sleep } from 'k6';
      export default function () { if (__VU === 2) sleep(0.02); }`),
      env: {},
      options: {},
      count: 2,
      workers: 0,
      ...c,
    });
    const busy = pool.vu(1).loop!(request());
    const sleeper = pool.vu(2).loop!(request());
    await new Promise((r) => setTimeout(r, 300));
    pool.vu(1).stopLooping!();
    pool.vu(2).stopLooping!();
    const [a, b] = await Promise.all([busy, sleeper]);
    await pool.close();
    assert.ok(a.completed > 100, `${a.completed} busy iterations`);
    assert.ok(b.completed >= 5, `${b.completed} sleeping iterations in 300 ms`);
  },
);

test('promise jobs an iteration leaves run before the next iteration starts, every iteration counted', async () => {
  const c = collector();
  const pool = await onePool(
    `export default function () {
      const i = __ITER;
      Promise.resolve().then(() => console.log('job ' + i));
      console.log('fn ' + i);
    }`,
    c,
  );
  const r = await pool.vu(1).loop!(request({ max: 3 }));
  await pool.close();
  assert.deepEqual(r, { completed: 3, interrupted: 0 });
  assert.deepEqual(
    c.logs.map((x) => x.msg),
    ['fn 0', 'job 0', 'fn 1', 'job 1', 'fn 2', 'job 2'],
  );
  assert.equal(byMetric(c.samples, 'iterations').length, 3);
});

test('an async default function loops too, each iteration awaited to its end', async () => {
  const c = collector();
  const pool = await VUPool.create({
    script: writeScript(`import http from 'k6/http';
      export default async function () {
        await Promise.resolve();
        http.get(__ENV.BASE + '/ok');
        console.log('done ' + __ITER);
      }`),
    env: { BASE: peer.url },
    options: {},
    count: 1,
    workers: 1,
    ...c,
  });
  const r = await pool.vu(1).loop!(request({ max: 4 }));
  await pool.close();
  assert.deepEqual(r, { completed: 4, interrupted: 0 });
  assert.deepEqual(
    c.logs.map((x) => x.msg),
    ['done 0', 'done 1', 'done 2', 'done 3'],
  );
  assert.equal(byMetric(c.samples, 'http_reqs').length, 4);
  assert.equal(byMetric(c.samples, 'iterations').length, 4);
});

test('a loop whose engine call is renewed every few suspensions keeps its numbering and counts', async () => {
  const c = collector();
  // Read by the engine when the VU thread starts: the thread's VM calls are replaced every 3 suspensions.
  process.env.RUNNER_JSPI_RESTART = '3';
  let pool: VUPool;
  try {
    pool = await VUPool.create({
      script: writeScript(`import http from 'k6/http';
        import { sleep } from 'k6';
        export default function () { http.get(__ENV.BASE + '/ok'); sleep(0.001); console.log(String(__ITER)); }`),
      env: { BASE: peer.url },
      options: {},
      count: 1,
      workers: 1,
      ...c,
    });
  } finally {
    delete process.env.RUNNER_JSPI_RESTART;
  }
  const r = await pool.vu(1).loop!(request({ max: 20 }));
  await pool.close();
  assert.deepEqual(r, { completed: 20, interrupted: 0 });
  assert.deepEqual(
    c.logs.map((x) => Number(x.msg)),
    Array.from({ length: 20 }, (_, i) => i),
  );
  assert.equal(byMetric(c.samples, 'http_reqs').length, 20);
});
