import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { VUPool, initOptionsPass, InitError } from '../vu/pool.ts';
import { byMetric, collector, runIterations, startPeer, writeScript, type Peer } from './vu-harness.ts';

let peer: Peer;
before(async () => {
  peer = await startPeer();
});
after(() => peer.close());

test('the options pass returns options and exported functions, with __VU 0', async () => {
  const script = writeScript(`export const options = { vus: __VU + 2, thresholds: { checks: ['rate>0.5'] } };
    export function setup() {} export function teardown() {} export function handleSummary() {} export function other() {}
    export default function () {}`);
  const init = await initOptionsPass({ script, env: {} });
  assert.deepEqual(init.options, { vus: 2, thresholds: { checks: ['rate>0.5'] } });
  assert.deepEqual(init.exports.sort(), ['default', 'handleSummary', 'other', 'setup', 'teardown']);
});

test('importing a module the runner does not have fails at init, naming it', async () => {
  const err = await initOptionsPass({
    script: writeScript(`import grpc from 'k6/net/grpc';\nexport default function () {}`),
    env: {},
  }).catch((e: unknown) => e);
  assert.ok(err instanceof InitError);
  assert.equal(err.exitCode, 107);
  assert.match(err.message, /unknown module: k6\/net\/grpc/);
});

test('an exception in init code rejects with its message and location', async () => {
  const err = await initOptionsPass({
    script: writeScript(`const x = 1;\nthrow new Error('bad init');\nexport default function () {}`),
    env: {},
  }).catch((e: unknown) => e);
  assert.ok(err instanceof InitError);
  assert.match(err.message, /^Error: bad init\n\tat file:\/\/\/.*script\.js:2:\d+\n$/);
});

test('a VU whose init throws makes VUPool.create reject (init depends on __VU)', async () => {
  const script = writeScript(`if (__VU === 2) throw new Error('vu two');\nexport default function () {}`);
  await assert.rejects(
    VUPool.create({ script, env: {}, options: {}, count: 2, workers: 0, onSamples: () => {} }),
    (e: Error) => e instanceof InitError && /vu two/.test(e.message),
  );
});

test('an exception ends only its iteration: logged with its stack, still counted', async () => {
  const script = writeScript(`export default function () {\n  if (__ITER === 0) throw new Error('boom');\n}`);
  const c = collector();
  const pool = await VUPool.create({ script, env: {}, options: {}, count: 1, workers: 0, ...c });
  const scenario = { name: 'main', executor: 'constant-vus', startTime: Date.now() };
  const r1 = await pool.vu(1).run({ fn: 'default', scenario, tags: { run: 'x' } });
  const r2 = await pool.vu(1).run({ fn: 'default', scenario, tags: { run: 'x' } });
  await pool.close();
  assert.equal(r1.ok, false);
  assert.deepEqual(r2, { ok: true });
  assert.deepEqual(c.logs, [
    {
      level: 'error',
      msg: r1.error,
      fields: { executor: 'constant-vus', scenario: 'main', source: 'stacktrace' },
    },
  ]);
  assert.match(r1.error ?? '', /^Error: boom\n\tat file:\/\/\/.*:2:\d+\n$/);
  const its = byMetric(c.samples, 'iterations');
  assert.equal(its.length, 2);
  assert.deepEqual(its[0].tags, { run: 'x', scenario: 'main', group: '' });
  assert.equal(byMetric(c.samples, 'iteration_duration').length, 2);
});

test('interrupt() cuts a sleep short; the interrupted iteration emits data_*, no iteration samples', async () => {
  const script = writeScript(
    `import { sleep } from 'k6';\nimport http from 'k6/http';\nexport default function () { http.get(__ENV.BASE + '/ok'); sleep(30); }`,
  );
  const c = collector();
  const pool = await VUPool.create({
    script,
    env: { BASE: peer.url },
    options: {},
    count: 1,
    workers: 0,
    ...c,
  });
  const started = Date.now();
  const run = pool.vu(1).run({ fn: 'default', tags: {} });
  setTimeout(() => pool.vu(1).interrupt(), 100);
  const r = await run;
  await pool.close();
  assert.deepEqual(r, { ok: false, interrupted: true });
  assert.ok(Date.now() - started < 5000);
  assert.equal(byMetric(c.samples, 'iterations').length, 0);
  assert.equal(byMetric(c.samples, 'iteration_duration').length, 0);
  // as k6 does: the bytes of an interrupted iteration count
  assert.ok(byMetric(c.samples, 'data_sent')[0].value > 50);
  assert.ok(byMetric(c.samples, 'data_received')[0].value > 50);
});

test('interrupt() stops an in-flight request and a busy loop (VU in a worker thread)', async () => {
  const script = writeScript(`import http from 'k6/http';
    export function req() { http.get(__ENV.BASE + '/slow/20000'); }
    export function spin() { for (;;) {} }
    export default function () {}`);
  const c = collector();
  const pool = await VUPool.create({
    script,
    env: { BASE: peer.url },
    options: {},
    count: 1,
    workers: 1,
    ...c,
  });
  for (const fn of ['req', 'spin']) {
    const started = Date.now();
    const run = pool.vu(1).run({ fn, tags: {} });
    setTimeout(() => pool.vu(1).interrupt(), 100);
    assert.deepEqual(await run, { ok: false, interrupted: true }, fn);
    assert.ok(Date.now() - started < 5000, fn);
  }
  const after = await pool.vu(1).run({ fn: 'default', tags: {} });
  await pool.close();
  assert.deepEqual(after, { ok: true }, 'the VU runs again after an interrupt');
});

test('VUs sharded over worker threads run with their own ids and send samples back', async () => {
  const script = writeScript(`import http from 'k6/http';
    export default function () { http.get(__ENV.BASE + '/ok'); console.log('vu=' + __VU + ' iter=' + __ITER); }`);
  const c = collector();
  const pool = await VUPool.create({
    script,
    env: { BASE: peer.url },
    options: {},
    count: 4,
    workers: 2,
    ...c,
  });
  await Promise.all([1, 2, 3, 4].map((id) => pool.vu(id).run({ fn: 'default', tags: {} })));
  await pool.vu(3).run({ fn: 'default', tags: {} });
  const added = await pool.add();
  await added.run({ fn: 'default', tags: {} });
  await pool.close();
  assert.equal(added.id, 5);
  assert.deepEqual(c.logs.map((l) => l.msg).sort(), [
    'vu=1 iter=0',
    'vu=2 iter=0',
    'vu=3 iter=0',
    'vu=3 iter=1',
    'vu=4 iter=0',
    'vu=5 iter=0',
  ]);
  assert.equal(byMetric(c.samples, 'http_reqs').length, 6);
  assert.equal(byMetric(c.samples, 'iterations').length, 6);
});

test('setup data reaches VUs as JSON (parsed once per VU); teardown gets a fresh copy', async () => {
  const script = writeScript(`import http from 'k6/http';
    export function setup() { const r = http.get(__ENV.BASE + '/ok'); return { token: 'abc', ok: r.json('ok'), n: 0 }; }
    export default function (data) { data.n++; console.log('vu ' + data.token + ' ' + data.ok + ' ' + data.n); }
    export function teardown(data) { console.log('teardown ' + data.n); }`);
  const c = collector();
  const pool = await VUPool.create({
    script,
    env: { BASE: peer.url },
    options: {},
    count: 1,
    workers: 0,
    ...c,
  });
  const setup = await pool.runSetup();
  assert.equal(setup.ok, true);
  assert.equal(setup.value, '{"token":"abc","ok":true,"n":0}');
  const data = setup.value as string;
  await pool.vu(1).run({ fn: 'default', data, tags: {} });
  await pool.vu(1).run({ fn: 'default', data, tags: {} });
  await pool.runTeardown(data);
  await pool.close();
  assert.deepEqual(
    c.logs.map((l) => l.msg),
    ['vu abc true 1', 'vu abc true 2', 'teardown 0'],
  );
  const setupReq = byMetric(c.samples, 'http_reqs')[0];
  assert.equal(setupReq.tags.group, '::setup');
  assert.equal(setupReq.tags.scenario, undefined);
  const durations = byMetric(c.samples, 'iteration_duration').map((s) => s.tags.group);
  assert.deepEqual(durations, ['::setup', '', '', '::teardown']);
  assert.equal(byMetric(c.samples, 'iterations').length, 2, 'setup and teardown are not iterations');
});

test('setup errors and timeouts come back as results', async () => {
  const script = writeScript(`import { sleep } from 'k6';
    export function setup() { sleep(5); }
    export function teardown() { throw new Error('td'); }
    export default function () {}`);
  const c = collector();
  const pool = await VUPool.create({ script, env: {}, options: {}, count: 1, workers: 0, ...c });
  const s = await pool.runSetup({ timeout: 100 });
  const t = await pool.runTeardown(undefined);
  await pool.close();
  assert.equal(s.ok, false);
  assert.equal(s.timedOut, true);
  assert.equal(s.error, 'setup() execution timed out after 0 seconds');
  assert.equal(t.ok, false);
  assert.match(t.error ?? '', /^Error: td/);
});

test('handleSummary gets the data and returns text and bytes outputs', async () => {
  const script = writeScript(`export default function () {}
    export function handleSummary(data) {
      return { stdout: 'count ' + data.metrics.iterations.values.count + '\\n', 'out.bin': new Uint8Array([1, 2, 3]).buffer };
    }`);
  const c = collector();
  const pool = await VUPool.create({ script, env: {}, options: {}, count: 1, workers: 0, ...c });
  const r = await pool.runHandleSummary({ metrics: { iterations: { values: { count: 7 } } } });
  await pool.close();
  assert.equal(r.ok, true);
  assert.equal(r.outputs?.stdout, 'count 7\n');
  assert.deepEqual([...(r.outputs?.['out.bin'] as Uint8Array)], [1, 2, 3]);
});

test('handleSummary returning nothing gives null outputs', async () => {
  const script = writeScript(`export default function () {}\nexport function handleSummary() {}`);
  const pool = await VUPool.create({
    script,
    env: {},
    options: {},
    count: 1,
    workers: 0,
    onSamples: () => {},
  });
  const r = await pool.runHandleSummary({});
  await pool.close();
  assert.deepEqual(r, { ok: true, outputs: null });
});

test('an async default function runs to its end, suspending on requests and sleeps inside promise jobs', async () => {
  const script = writeScript(`import http from 'k6/http';
    import { sleep } from 'k6';
    export default async function () {
      await null;
      const r = http.get(__ENV.BASE + '/ok');
      await Promise.resolve();
      sleep(0.01);
      const r2 = await http.asyncRequest('GET', __ENV.BASE + '/status/201');
      console.log('after ' + r.status + ' ' + r2.status);
      if (__ITER === 1) throw new Error('async boom');
    }`);
  const c = collector();
  const pool = await VUPool.create({
    script,
    env: { BASE: peer.url },
    options: {},
    count: 1,
    workers: 0,
    ...c,
  });
  const r1 = await pool.vu(1).run({ fn: 'default', tags: {} });
  const r2 = await pool.vu(1).run({ fn: 'default', tags: {} });
  await pool.close();
  assert.deepEqual(r1, { ok: true });
  assert.equal(r2.ok, false);
  assert.match(r2.error ?? '', /^Error: async boom/);
  assert.deepEqual(
    c.logs.filter((l) => l.level === 'info').map((l) => l.msg),
    ['after 200 201', 'after 200 201'],
  );
  assert.equal(byMetric(c.samples, 'http_reqs').length, 4);
  assert.equal(byMetric(c.samples, 'iterations').length, 2);
});

test('systemTags keeps only the listed system tags; user tags stay', async () => {
  const script = writeScript(`import http from 'k6/http';
    export default function () { http.get(__ENV.BASE + '/ok', { tags: { mine: 'x' } }); }`);
  const c = collector();
  const pool = await VUPool.create({
    script,
    env: { BASE: peer.url },
    options: { systemTags: ['status', 'method'] },
    count: 1,
    workers: 0,
    ...c,
  });
  await pool.vu(1).run({ fn: 'default', scenario: { name: 's', executor: 'x', startTime: 0 }, tags: {} });
  await pool.close();
  assert.deepEqual(byMetric(c.samples, 'http_reqs')[0].tags, { mine: 'x', method: 'GET', status: '200' });
  assert.deepEqual(byMetric(c.samples, 'iterations')[0].tags, {});
});

test('opt-in system tags: ip as a tag, vu and iter as metadata; exec.vu.metrics.metadata reaches samples', async () => {
  const c = await runIterations(
    `import http from 'k6/http';
    import { check } from 'k6';
    import exec from 'k6/execution';
    export const options = { systemTags: ['status', 'check', 'ip', 'vu', 'iter'] };
    export default function () {
      check(1, { before: () => true });
      if (__ITER === 1) exec.vu.metrics.metadata.trace_id = 't-' + __VU;
      http.get(__ENV.BASE + '/ok');
      check(1, { after: () => true });
      if (__ITER === 2) delete exec.vu.metrics.metadata.trace_id;
    }`,
    { env: { BASE: peer.url }, vus: 2, onVU: 2, iterations: 3, workers: 1 },
  );
  const reqs = byMetric(c.samples, 'http_reqs');
  assert.deepEqual(reqs[0].tags, { status: '200', ip: '127.0.0.1' });
  assert.deepEqual(
    reqs.map((s) => s.metadata),
    [
      { vu: '2', iter: '0' },
      { trace_id: 't-2', vu: '2', iter: '1' },
      { trace_id: 't-2', vu: '2', iter: '2' },
    ],
  );
  const checks = byMetric(c.samples, 'checks').map((s) => `${s.tags.check}:${s.metadata?.trace_id ?? '-'}`);
  assert.deepEqual(checks, ['before:-', 'after:-', 'before:-', 'after:t-2', 'before:t-2', 'after:t-2']);
  assert.deepEqual(
    byMetric(c.samples, 'iterations').map((s) => s.metadata),
    [
      { vu: '2', iter: '0' },
      { trace_id: 't-2', vu: '2', iter: '1' },
      { vu: '2', iter: '2' },
    ],
  );
});

test('without opt-in system tags or metadata, samples carry no metadata', async () => {
  const c = await runIterations(
    `import http from 'k6/http';
    export default function () { http.get(__ENV.BASE + '/ok'); }`,
    { env: { BASE: peer.url }, workers: 1 },
  );
  assert.ok(c.samples.length > 10);
  assert.deepEqual(
    c.samples.filter((s) => s.metadata !== undefined || s.tags.ip !== undefined),
    [],
  );
});

test('a VU reused across iterations and scenarios sees the env, tags and scenario of each request', async () => {
  const script = writeScript(`import exec from 'k6/execution';
    export default function (data) { console.log([__ENV.WHO, exec.scenario.name, exec.scenario.progress, data && data.n].join(' ')); }`);
  const c = collector();
  const pool = await VUPool.create({ script, env: {}, options: {}, count: 1, workers: 1, ...c });
  const a = { env: { WHO: 'a' }, tags: { phase: 'one' }, data: '{"n":1}' };
  const b = { env: { WHO: 'b' }, tags: { phase: 'two' }, data: '{"n":1}' };
  const sc = (name: string, progress: number) => ({
    name,
    executor: 'shared-iterations',
    startTime: 1,
    progress,
  });
  await pool.vu(1).run({ fn: 'default', scenario: sc('first', 0.1), ...a });
  await pool.vu(1).run({ fn: 'default', scenario: sc('first', 0.5), ...a });
  await pool.vu(1).run({ fn: 'default', scenario: sc('second', 0.2), ...b });
  await pool.vu(1).run({ fn: 'default', scenario: sc('second', 0.9), ...b });
  await pool.close();
  assert.deepEqual(
    c.logs.map((l) => l.msg),
    ['a first 0.1 1', 'a first 0.5 1', 'b second 0.2 1', 'b second 0.9 1'],
  );
  assert.deepEqual(
    byMetric(c.samples, 'iterations').map((s) => s.tags.phase + '/' + s.tags.scenario),
    ['one/first', 'one/first', 'two/second', 'two/second'],
  );
});

test('a VU thread that dies is reported once as a fault; its VUs fail at once, the others run on', async () => {
  const faults: string[] = [];
  const c = collector();
  const pool = await VUPool.create({
    script: writeScript(`export default function () {}`),
    env: {},
    options: {},
    count: 2,
    workers: 2,
    ...c,
    onFault: (m) => faults.push(m),
  });
  // VU 1 lives on the first worker thread; stop that thread as a crash would.
  const shards = (pool as unknown as { shards: { worker?: { terminate(): Promise<number> } }[] }).shards;
  await shards[0].worker!.terminate();
  await new Promise((r) => setTimeout(r, 50));
  const dead = await pool.vu(1).run({ fn: 'default', tags: {} });
  const loop = await pool.vu(1).loop!({
    req: { fn: 'default', tags: {} },
    counter: new SharedArrayBuffer(4),
    progress: { total: 1 },
  });
  const alive = await pool.vu(2).run({ fn: 'default', tags: {} });
  await pool.close();
  assert.deepEqual(faults, ['VU worker exited']);
  assert.deepEqual(dead, { ok: false, error: 'VU worker exited' });
  assert.deepEqual(loop, { completed: 0, interrupted: 0, error: 'VU worker exited' });
  assert.deepEqual(alive, { ok: true });
});

test("__ENV: the pool's env, an equal copy and a scenario's env, on this thread and in a worker", async () => {
  // The pool leaves an env equal to its own out of its messages and the VU keeps it out of the VM
  // (vu/env.ts); each scenario still starts from a fresh object with the request's entries, without
  // what init code wrote, and what an iteration writes stays for the scenario's next one.
  const script = writeScript(`__ENV.INIT = 'init';
    export default function () {
      console.log(Object.keys(__ENV).sort().join(','));
      __ENV.MINE = 'x';
    }`);
  for (const workers of [0, 1]) {
    const c = collector();
    const env = { A: '1', B: '2' };
    const pool = await VUPool.create({ script, env, options: {}, count: 1, workers, ...c });
    const scenario = (name: string) => ({ name, executor: 'per-vu-iterations', startTime: 0 });
    const run = (env: Record<string, string>, name: string) =>
      pool.vu(1).run({ fn: 'default', tags: {}, env, scenario: scenario(name) });
    await run(env, 'a');
    await run(env, 'a');
    await run({ ...env }, 'b');
    await run({ ...env, B: 'sc', C: '3' }, 'c');
    await run({ A: '1' }, 'd');
    await pool.close();
    assert.deepEqual(
      c.logs.map((l) => l.msg),
      ['A,B', 'A,B,MINE', 'A,B', 'A,B,C', 'A'],
      `workers: ${workers}`,
    );
  }
});
