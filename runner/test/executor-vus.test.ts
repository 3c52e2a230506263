import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConstantVUs } from '../executors/constant-vus.ts';
import { RampingVUs, vuSteps } from '../executors/ramping-vus.ts';
import { FakeWorld, scenario } from './fake-vus.ts';

test('constant-vus: all VUs loop until the duration ends, then finish their iteration', async () => {
  const w = new FakeWorld(3, () => 20);
  const sc = scenario({ executor: 'constant-vus', vus: 3, duration: '1s' }, { duration: 200 });
  const t0 = performance.now();
  await new ConstantVUs(sc).run(w.ctx(), t0);
  const took = performance.now() - t0;
  assert.ok(took >= 200 && took < 800, `took ${took} ms`);
  assert.equal(w.maxActive, 3);
  assert.ok(
    w.calls.every((c) => c.at < 200 + 50),
    'no iteration starts after the duration',
  );
  assert.equal(w.interrupted().length, 0, 'gracefulStop (30 s) lets them finish');
  for (const vu of [1, 2, 3]) assert.ok(w.calls.filter((c) => c.vu === vu).length >= 5);
});

test('constant-vus: iterations still running after gracefulStop are interrupted', async () => {
  const w = new FakeWorld(2, () => 10_000);
  const sc = scenario(
    { executor: 'constant-vus', vus: 2, duration: '1s' },
    { duration: 100, gracefulStop: 50 },
  );
  const t0 = performance.now();
  await new ConstantVUs(sc).run(w.ctx(), t0);
  const took = performance.now() - t0;
  assert.ok(took >= 150 && took < 800, `took ${took} ms`);
  assert.equal(w.interrupted().length, 2);
  assert.equal(w.active, 0);
});

test('ramping-vus steps: one step per whole VU, a zero-length stage jumps', () => {
  assert.deepEqual(
    vuSteps(0, [
      { duration: 100, target: 4 },
      { duration: 0, target: 1 },
      { duration: 60, target: 4 },
      { duration: 100, target: 2 },
    ]),
    [
      { at: 0, vus: 0 },
      { at: 25, vus: 1 },
      { at: 50, vus: 2 },
      { at: 75, vus: 3 },
      { at: 100, vus: 4 },
      { at: 100, vus: 1 },
      { at: 120, vus: 2 },
      { at: 140, vus: 3 },
      { at: 160, vus: 4 },
      { at: 210, vus: 3 },
      { at: 260, vus: 2 },
    ],
  );
});

test('ramping-vus: follows the stages; ramped-down VUs finish within gracefulRampDown', async () => {
  const w = new FakeWorld(4, () => 15);
  const sc = scenario(
    { executor: 'ramping-vus', startVUs: 1, stages: [{ duration: '1s', target: 4 }] },
    {
      stages: [
        { duration: 150, target: 4 },
        { duration: 150, target: 1 },
        { duration: 100, target: 1 },
      ],
      gracefulRampDown: 1000,
    },
  );
  const samples: number[] = [];
  const t0 = performance.now();
  const probe = setInterval(() => samples.push(w.active), 10);
  await new RampingVUs(sc).run(w.ctx(), t0);
  clearInterval(probe);
  assert.equal(w.maxActive, 4);
  const early = w.calls.filter((c) => c.at < 40).map((c) => c.vu);
  assert.deepEqual([...new Set(early)], [1], 'only the start VU runs at first');
  const late = w.calls.filter((c) => c.at > 360).map((c) => c.vu);
  assert.deepEqual([...new Set(late)], [1], 'the highest-indexed VUs stop first');
  assert.equal(w.interrupted().length, 0);
  assert.equal(w.active, 0);
  assert.equal(w.idle.length, 4);
});

test('ramping-vus: a ramped-down VU still busy after gracefulRampDown is interrupted', async () => {
  const w = new FakeWorld(2, (c) => (c.vu === 2 ? 10_000 : 10));
  const sc = scenario(
    { executor: 'ramping-vus', startVUs: 2, stages: [{ duration: '1s', target: 1 }] },
    {
      stages: [
        { duration: 0, target: 1 },
        { duration: 200, target: 1 },
      ],
      gracefulRampDown: 50,
    },
  );
  const t0 = performance.now();
  await new RampingVUs(sc).run(w.ctx(), t0);
  const cut = w.interrupted();
  assert.equal(cut.length, 1);
  assert.equal(cut[0].vu, 2);
  assert.ok(performance.now() - t0 < 1500);
});

test('constant-vus: iterations that settle at once do not starve the end of the scenario', async () => {
  const w = new FakeWorld(0);
  let calls = 0;
  const vu = { id: 1, run: () => (calls++, Promise.resolve({ ok: true })), interrupt: () => {} };
  const sc = scenario({ executor: 'constant-vus', vus: 1, duration: '1s' }, { duration: 100 });
  const t0 = performance.now();
  await new ConstantVUs(sc).run(w.ctx({ getVU: () => vu }), t0);
  assert.ok(performance.now() - t0 < 1000);
  assert.ok(calls > 100);
});

test('minIterationDuration pads complete iterations; the hard stop cuts the padding', async () => {
  const w = new FakeWorld(1, () => 1);
  const sc = scenario({ executor: 'constant-vus', vus: 1, duration: '1s' }, { duration: 200 });
  await new ConstantVUs(sc).run(w.ctx({ minIterationDuration: 50 }), performance.now());
  // Starts at about 0, 50, 100 and 150 ms.
  assert.ok(w.calls.length >= 3 && w.calls.length <= 5, `${w.calls.length} iterations`);
  for (let i = 1; i < w.calls.length; i++) assert.ok(w.calls[i].at - w.calls[i - 1].at >= 49);

  const long = new FakeWorld(1, () => 1);
  const cut = scenario(
    { executor: 'constant-vus', vus: 1, duration: '1s' },
    { duration: 100, gracefulStop: 50 },
  );
  const t0 = performance.now();
  await new ConstantVUs(cut).run(long.ctx({ minIterationDuration: 10_000 }), t0);
  assert.equal(long.calls.length, 1);
  assert.ok(performance.now() - t0 < 1000, 'padding ends at the end of gracefulStop');
});
