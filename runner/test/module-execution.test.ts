import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VUPool, initOptionsPass } from '../vu/pool.ts';
import { collector, runIterations, writeScript } from './vu-harness.ts';

test('exec.vu, exec.scenario and exec.instance reflect the run request', async () => {
  const script = writeScript(`import exec from 'k6/execution';
    export default function () {
      console.log(JSON.stringify([__VU, __ITER, exec.vu.idInTest, exec.vu.iterationInInstance, exec.vu.iterationInScenario,
        exec.scenario.name, exec.scenario.executor, exec.scenario.iterationInTest, exec.scenario.startTime,
        exec.instance.vusActive, exec.instance.currentTestRunDuration >= 0, __ENV.WHO]));
    }`);
  const c = collector();
  const pool = await VUPool.create({ script, env: {}, options: {}, count: 2, workers: 0, ...c });
  const scenario = { name: 'first', executor: 'per-vu-iterations', startTime: 1234 };
  for (let i = 0; i < 2; i++) {
    await pool.vu(2).run({
      fn: 'default',
      scenario,
      iterationInScenario: i,
      iterationInTest: 10 + i,
      tags: {},
      env: { WHO: 'one' },
      instance: { vusActive: 2, testStart: Date.now() },
    });
  }
  await pool.close();
  assert.deepEqual(
    c.logs.map((l) => JSON.parse(l.msg)),
    [
      [2, 0, 2, 0, 0, 'first', 'per-vu-iterations', 10, 1234, 2, true, 'one'],
      [2, 1, 2, 1, 1, 'first', 'per-vu-iterations', 11, 1234, 2, true, 'one'],
    ],
  );
});

test('exec.vu.tags apply to samples and reject non-scalar values', async () => {
  const out = await runIterations(`import exec from 'k6/execution'; import { Counter } from 'k6/metrics';
    const c = new Counter('tagged');
    export default function () {
      exec.vu.tags.tier = 'gold'; exec.vu.metrics.tags.level = 3;
      c.add(1);
      try { exec.vu.tags.bad = {}; } catch (e) { console.log('rejected'); }
    }`);
  const s = out.samples.find((x) => x.metric === 'tagged');
  assert.equal(s?.tags.tier, 'gold');
  assert.equal(s?.tags.level, '3');
  assert.equal(out.logs[0].msg, 'rejected');
});

test('test.abort() reports "test aborted: msg", its location after \\u0002, and ends the iteration, which still counts', async () => {
  const out = await runIterations(`import exec from 'k6/execution';
    export default function () {
      exec.test.abort('enough');
      console.log('not reached');
    }`);
  assert.equal(out.aborts.length, 1);
  // The scheduler joins the two as "… at <location>" outside setup() and teardown(), as k6 does.
  assert.match(out.aborts[0], /^test aborted: enough\u0002file:\/\/\/.*script\.js:3:\d+$/);
  assert.deepEqual(out.results, [{ ok: false, aborted: true }]);
  assert.equal(out.logs.length, 0);
  assert.equal(out.samples.filter((s) => s.metric === 'iterations').length, 1);
});

test('exec.test.options is frozen and leaves out the shortcuts', async () => {
  const script = writeScript(`import exec from 'k6/execution';
    export const options = { vus: 3, duration: '1s', tags: { a: 'b' } };
    export default function () { const o = exec.test.options; try { o.tags.a = 'z'; } catch (e) {} console.log(JSON.stringify([o.vus, o.duration, o.tags.a, Object.isFrozen(o)])); }`);
  const init = await initOptionsPass({ script, env: {} });
  const c = collector();
  const pool = await VUPool.create({ script, env: {}, options: init.options, count: 1, workers: 0, ...c });
  await pool.vu(1).run({ fn: 'default', tags: {} });
  await pool.close();
  assert.equal(c.logs[0].msg, '[null,null,"b",true]');
});

test('reading exec.vu in the init context throws', async () => {
  await assert.rejects(
    initOptionsPass({
      script: writeScript(
        `import exec from 'k6/execution';\nconst id = exec.vu.idInTest;\nexport default function () {}`,
      ),
      env: {},
    }),
    /init context/,
  );
});

test('exec.scenario throws in setup, where there is no scenario', async () => {
  const script = writeScript(`import exec from 'k6/execution';
    export function setup() { return exec.scenario.name; }
    export default function () {}`);
  const c = collector();
  const pool = await VUPool.create({ script, env: {}, options: {}, count: 1, workers: 0, ...c });
  const r = await pool.runSetup();
  await pool.close();
  assert.equal(r.ok, false);
  assert.match(r.error ?? '', /outside of a scenario/);
});
