import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extraVUs, maxScenarioDuration, planVUs } from '../executors/index.ts';
import { scenariosOf } from '../options.ts';

test('VU plan: the peak of concurrent needs, counting startTime and graceful periods', () => {
  // 04-lifecycle: `first` holds 2 VUs for up to 10m30s, so `second` at 1 s needs a third.
  const lifecycle = scenariosOf({
    scenarios: {
      first: { executor: 'per-vu-iterations', vus: 2, iterations: 2 },
      second: { executor: 'shared-iterations', vus: 1, iterations: 2, startTime: '1s' },
    },
  });
  assert.equal(planVUs(lifecycle), 3);
  assert.equal(maxScenarioDuration(lifecycle[0]), 630_000);

  // One after the other (startTime past the first's whole window): the VUs are reused.
  const sequential = scenariosOf({
    scenarios: {
      a: { executor: 'constant-vus', vus: 5, duration: '10s', gracefulStop: '0s' },
      b: { executor: 'constant-vus', vus: 3, duration: '10s', startTime: '10s' },
    },
  });
  assert.equal(planVUs(sequential), 5);

  const mixed = scenariosOf({
    scenarios: {
      ramp: {
        executor: 'ramping-vus',
        startVUs: 1,
        stages: [
          { duration: '5s', target: 7 },
          { duration: '5s', target: 2 },
        ],
      },
      open: { executor: 'constant-arrival-rate', rate: 10, duration: '5s', preAllocatedVUs: 4, maxVUs: 10 },
    },
  });
  assert.equal(planVUs(mixed), 11, 'ramping-vus peak 7 + the 4 pre-allocated');
  assert.equal(extraVUs(mixed), 6, 'up to maxVUs on demand');
});
