import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SharedIterations } from '../executors/shared-iterations.ts';
import { PerVUIterations } from '../executors/per-vu-iterations.ts';
import { FakeWorld, scenario } from './fake-vus.ts';

test('shared-iterations: VUs share one counter; every iteration starts once', async () => {
  const w = new FakeWorld(3, (c) => 2 + (c.vu % 3) * 3);
  const sc = scenario({
    executor: 'shared-iterations',
    vus: 3,
    iterations: 20,
    tags: { kind: 'k' },
    env: { B: '2' },
  });
  await new SharedIterations(sc).run(w.ctx(), performance.now());
  assert.equal(w.calls.length, 20);
  assert.deepEqual(
    w.calls.map((c) => c.req.iterationInTest ?? -1).sort((a, b) => a - b),
    [...Array(20).keys()],
  );
  assert.equal(new Set(w.calls.map((c) => c.vu)).size, 3);
  const first = w.calls[0].req;
  assert.deepEqual(first.tags, { run: 'x', kind: 'k', scenario: 's' });
  assert.deepEqual(first.env, { A: '1', B: '2' });
  assert.equal(first.fn, 'default');
  assert.equal(first.data, '{"token":"t"}');
  assert.equal(w.dropped(), 0);
  assert.equal(w.idle.length, 3, 'VUs go back to the pool');
  assert.equal(w.active, 0);
});

test('shared-iterations: maxDuration ends the run; gracefulStop then interrupts; the rest is one dropped sample', async () => {
  const w = new FakeWorld(2, () => 90);
  const sc = scenario(
    { executor: 'shared-iterations', vus: 2, iterations: 50 },
    { maxDuration: 200, gracefulStop: 30 },
  );
  const t0 = performance.now();
  await new SharedIterations(sc).run(w.ctx(), t0);
  const took = performance.now() - t0;
  assert.ok(took >= 200 && took < 400, `took ${took} ms`);
  // 90 ms iterations: 0, 90, 180 start before 200 ms (fewer on a slow machine); those still running at
  // 230 ms are cut, and nothing starts after 200 ms.
  assert.ok(w.calls.length >= 4 && w.calls.length <= 6, `${w.calls.length} started`);
  assert.ok(w.calls.every((c) => c.at < 200 + 5));
  assert.ok(w.interrupted().every((c) => c.at > 230 - 90));
  assert.equal(w.completed().length + w.interrupted().length, w.calls.length);
  const drops = w.samples.filter((s) => s.metric === 'dropped_iterations');
  assert.equal(drops.length, 1);
  assert.equal(drops[0].value, 50 - w.calls.length, 'the unattempted rest');
  assert.deepEqual(drops[0].tags, { run: 'x', scenario: 's' });
});

test('per-vu-iterations: each VU runs exactly its iterations, counted per VU', async () => {
  const w = new FakeWorld(2, (c) => (c.vu === 1 ? 1 : 10));
  const sc = scenario({ executor: 'per-vu-iterations', vus: 2, iterations: 3 });
  await new PerVUIterations(sc).run(w.ctx(), performance.now());
  for (const vu of [1, 2]) {
    const mine = w.calls.filter((c) => c.vu === vu);
    assert.deepEqual(
      mine.map((c) => c.req.iterationInScenario),
      [0, 1, 2],
    );
  }
  assert.deepEqual(
    w.calls.map((c) => c.req.iterationInTest ?? -1).sort((a, b) => a - b),
    [0, 1, 2, 3, 4, 5],
  );
  assert.equal(w.dropped(), 0);
});

test('per-vu-iterations: on maxDuration each VU reports its own remainder', async () => {
  // 40 ms: VU 1's second iteration ends 20 ms before the cut, its third runs across it even on a busy
  // machine (with 30 ms, late starts could end its third just at the cut, leaving nothing in flight).
  const w = new FakeWorld(2, (c) => (c.vu === 1 ? 40 : 120));
  const sc = scenario(
    { executor: 'per-vu-iterations', vus: 2, iterations: 5 },
    { maxDuration: 100, gracefulStop: 0 },
  );
  await new PerVUIterations(sc).run(w.ctx(), performance.now());
  const drops = w.samples.filter((s) => s.metric === 'dropped_iterations');
  // VU 1: iterations at about 0, 40, 80 (cut at 100); VU 2: one started (cut at 100), 4 left.
  // Each VU reports its own remainder: 5 minus what it started.
  assert.equal(drops.length, 2);
  const started = (vu: number) => w.calls.filter((c) => c.vu === vu).length;
  assert.deepEqual(drops.map((d) => d.value).sort(), [5 - started(1), 5 - started(2)].sort());
  assert.equal(started(2), 1);
  assert.ok(started(1) >= 2 && started(1) <= 4);
  assert.equal(w.interrupted().length, 2);
});

test('per-vu-iterations: with the opt-in vu system tag, each remainder names its VU as metadata', async () => {
  const w = new FakeWorld(2, (c) => (c.vu === 1 ? 30 : 120));
  const sc = scenario(
    { executor: 'per-vu-iterations', vus: 2, iterations: 5 },
    { maxDuration: 100, gracefulStop: 0 },
  );
  await new PerVUIterations(sc).run(w.ctx({ vuMetadata: true }), performance.now());
  const drops = w.samples.filter((s) => s.metric === 'dropped_iterations');
  const started = (vu: number) => w.calls.filter((c) => c.vu === vu).length;
  assert.deepEqual(drops.map((d) => [d.metadata?.vu, d.value]).sort(), [
    ['1', 5 - started(1)],
    ['2', 5 - started(2)],
  ]);
  assert.equal(drops[0].tags.vu, undefined, 'metadata, not a tag');
});

test('a test-wide abort (abortOnFail, test.abort, a signal) leaves no dropped_iterations remainder', async () => {
  for (const executor of ['shared-iterations', 'per-vu-iterations'] as const) {
    const w = new FakeWorld(2, () => 20);
    const sc = scenario({ executor, vus: 2, iterations: 1000 });
    setTimeout(() => w.stopper.abort(), 100);
    const run = executor === 'shared-iterations' ? new SharedIterations(sc) : new PerVUIterations(sc);
    await run.run(w.ctx(), performance.now());
    assert.ok(w.calls.length > 0 && w.calls.length < 100, `${executor}: ${w.calls.length} started`);
    assert.equal(w.dropped(), 0, executor);
  }
});

test('a test-wide abort interrupts running iterations at once', async () => {
  const w = new FakeWorld(2, () => 1000);
  const sc = scenario({ executor: 'per-vu-iterations', vus: 2, iterations: 5 });
  setTimeout(() => w.stopper.abort(), 50);
  const t0 = performance.now();
  await new PerVUIterations(sc).run(w.ctx(), t0);
  assert.ok(performance.now() - t0 < 500);
  assert.equal(w.interrupted().length, 2);
  assert.equal(w.calls.length, 2);
});
