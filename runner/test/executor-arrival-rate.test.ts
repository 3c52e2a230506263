import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConstantArrivalRate } from '../executors/constant-arrival-rate.ts';
import { RampingArrivalRate } from '../executors/ramping-arrival-rate.ts';
import { constantDueTimes, rampingDueTimes } from '../executors/arrival-rate.ts';
import { FakeWorld, scenario } from './fake-vus.ts';

test('constant-arrival-rate due times: k * timeUnit / rate from t = 0, before the duration', () => {
  const sc = scenario({
    executor: 'constant-arrival-rate',
    rate: 4,
    timeUnit: '2s',
    duration: '3s',
    preAllocatedVUs: 1,
  });
  assert.deepEqual([...constantDueTimes(sc)], [0, 500, 1000, 1500, 2000, 2500]);
});

test('ramping-arrival-rate due times: iteration i when the area under the rate reaches i', () => {
  const constant = scenario({
    executor: 'ramping-arrival-rate',
    startRate: 4,
    stages: [{ duration: '1s', target: 4 }],
    preAllocatedVUs: 1,
  });
  assert.deepEqual([...rampingDueTimes(constant)], [250, 500, 750, 1000]);
  // 0 -> 10/s over 2 s: area(t) = 2.5 t^2, so i at sqrt(i / 2.5) s; 10 in all.
  const ramp = scenario({
    executor: 'ramping-arrival-rate',
    startRate: 0,
    stages: [
      { duration: '2s', target: 10 },
      { duration: '1s', target: 0 },
    ],
    preAllocatedVUs: 1,
  });
  const times = [...rampingDueTimes(ramp)];
  assert.equal(times.length, 15);
  for (let i = 1; i <= 10; i++) assert.ok(Math.abs(times[i - 1] - Math.sqrt(i / 2.5) * 1000) < 1e-6);
  // Ramping down 10 -> 0 over 1 s adds 5 more, the last exactly at the end.
  assert.ok(Math.abs(times[14] - 3000) < 1e-6);
  assert.ok(times.every((t, i) => i === 0 || t > times[i - 1]));
});

test('constant-arrival-rate: starts on time with enough VUs, no drops', async () => {
  const w = new FakeWorld(3, () => 5);
  const sc = scenario(
    { executor: 'constant-arrival-rate', rate: 50, duration: '1s', preAllocatedVUs: 3 },
    { duration: 400 },
  );
  const t0 = performance.now();
  await new ConstantArrivalRate(sc).run(w.ctx(), t0);
  assert.ok(
    performance.now() - t0 >= 400,
    'the scenario lasts its whole duration after the last due time (380 ms)',
  );
  assert.equal(w.calls.length, 20);
  assert.equal(w.dropped(), 0);
  // Never early; lateness does not accumulate (each start is timed from the scenario start, not the last one).
  const offset = t0 - (performance.now() - w.elapsed());
  w.calls.forEach((c, k) => {
    const due = k * 20 + offset;
    assert.ok(c.at >= due - 1 && c.at < due + 100, `iteration ${k} at ${c.at}, due ${due}`);
  });
  assert.equal(w.idle.length, 3);
});

test('constant-arrival-rate: too few VUs drops iterations and warns once at maxVUs', async () => {
  const w = new FakeWorld(1, () => 70);
  const sc = scenario(
    { executor: 'constant-arrival-rate', rate: 50, duration: '1s', preAllocatedVUs: 1, maxVUs: 2 },
    { duration: 300 },
  );
  await new ConstantArrivalRate(sc).run(w.ctx(), performance.now());
  assert.equal(w.initialized, 2, 'one extra VU initialised up to maxVUs');
  assert.equal(w.calls.length + w.dropped(), 15);
  assert.ok(w.dropped() >= 5);
  assert.deepEqual(w.warnings, ['Insufficient VUs, reached 2 active VUs and cannot initialize more']);
  const drop = w.samples.find((s) => s.metric === 'dropped_iterations')!;
  assert.deepEqual(drop.tags, { run: 'x', scenario: 's' });
  assert.equal(drop.value, 1);
  assert.equal(w.idle.length, 2, 'the added VU joins the pool');
});

test('ramping-arrival-rate: runs every due iteration with enough VUs', async () => {
  const w = new FakeWorld(2, () => 3);
  const sc = scenario(
    {
      executor: 'ramping-arrival-rate',
      startRate: 0,
      stages: [{ duration: '1s', target: 1 }],
      preAllocatedVUs: 2,
    },
    { stages: [{ duration: 300, target: 100 }], timeUnit: 1000 },
  );
  await new RampingArrivalRate(sc).run(w.ctx(), performance.now());
  assert.equal(w.calls.length, 15);
  assert.equal(w.dropped(), 0);
});

test('running late, due iterations wait for VUs whose iterations already ended instead of dropping', async () => {
  const starts: number[] = [];
  const vu = {
    id: 1,
    run: () => {
      starts.push(performance.now());
      // An iteration that is over by the next turn of the event loop (its reply already queued).
      return new Promise<{ ok: boolean }>((resolve) => setImmediate(() => resolve({ ok: true })));
    },
    interrupt: () => {},
  };
  const w = new FakeWorld(0);
  const ctx = w.ctx({ getVU: () => vu });
  const sc = scenario(
    { executor: 'constant-arrival-rate', rate: 100, duration: '1s', preAllocatedVUs: 1 },
    { duration: 200 },
  );
  // Started 95 ms late: iterations 0..9 are all overdue at once.
  await new ConstantArrivalRate(sc).run(ctx, performance.now() - 95);
  assert.equal(w.dropped(), 0);
  assert.equal(starts.length, 20);
});
