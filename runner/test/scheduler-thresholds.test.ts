// When abortOnFail stops a run: the scheduler with a pool that takes a known time to initialise, so the
// 2 s threshold ticks fall at known points of the test run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Scheduler, EXIT, type Pool } from '../scheduler.ts';
import { MetricsEngine } from '../metrics/engine.ts';
import { DEFAULTS } from '../options.ts';
import { setLogSink } from '../log.ts';
import { FakeWorld, scenario } from './fake-vus.ts';

const POOL_INIT_MS = 600;

test('abortOnFail with delayAbortEval: the first 2 s tick, counted from before the VUs initialise, strictly past the delay', async () => {
  const engine = new MetricsEngine({
    thresholds: { rate_limited: [{ threshold: 'rate<0.05', abortOnFail: true, delayAbortEval: '2s' }] },
  });
  engine.define({ name: 'rate_limited', type: 'rate', contains: 'default' });
  engine.validate();
  // Every iteration is refused from the start; each takes 300 ms, so one is in flight at the abort.
  const world = new FakeWorld(1, () => {
    engine.add([{ metric: 'rate_limited', time: Date.now(), value: 1, tags: {} }]);
    return 300;
  });
  const pool: Pool = {
    vu: (id) => world.idle[id - 1],
    add: () => Promise.reject(new Error('not planned')),
    size: 1,
    runSetup: async () => ({ ok: true }),
    runTeardown: async () => ({ ok: true }),
    close: async () => {},
  };
  const lines: string[] = [];
  setLogSink((line) => lines.push(line));
  try {
    const result = await new Scheduler({
      options: { ...DEFAULTS },
      scenarios: [scenario({ executor: 'constant-vus', vus: 1, duration: '20s' })],
      engine,
      exported: ['default'],
      runTags: {},
      env: {},
      createPool: async () => {
        await new Promise((r) => setTimeout(r, POOL_INIT_MS));
        return pool;
      },
    }).run();
    assert.equal(result.exitCode, EXIT.THRESHOLDS);
    // Ticks at 2 s and 4 s from before the pool, i.e. 1.4 s (failing, but inside the delay) and 3.4 s into
    // the run: the abort comes at 3.4 s, and the iteration in flight is interrupted there. Aborting at the
    // first tick at or after 2 s of the run (2.0 s, or 4.0 s when that tick came a hair early) is wrong.
    const took = result.testRunDurationMs;
    assert.ok(took > 4000 - POOL_INIT_MS - 100 && took < 4000 - POOL_INIT_MS + 400, `aborted at ${took} ms`);
    assert.equal(world.interrupted().length, 1);
    assert.match(
      lines.join('\n'),
      /thresholds on metrics 'rate_limited' were crossed; at least one has abortOnFail enabled/,
    );
  } finally {
    setLogSink((line) => process.stderr.write(line + '\n'));
  }
});
