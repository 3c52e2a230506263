import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describePlan, Progress, scenarioLines, statusLine } from '../progress.ts';
import { scenariosOf } from '../options.ts';
import type { RunStatus } from '../scheduler.ts';

const status: RunStatus = {
  elapsedMs: 65_400,
  activeVUs: 3,
  initializedVUs: 4,
  completed: 10,
  interrupted: 1,
  phase: 'running',
  scenarios: [
    { name: 'main', executor: 'constant-vus', progress: 0.5 },
    { name: 'open-model', executor: 'constant-arrival-rate', progress: 1 },
  ],
};

function stream(isTTY: boolean) {
  const out: string[] = [];
  return { out, s: { isTTY, write: (t: string) => (out.push(t), true) } as unknown as NodeJS.WriteStream };
}

test('status and scenario lines', () => {
  assert.equal(statusLine(status), 'running (01m05.4s), 3/4 VUs, 10 complete and 1 interrupted iterations');
  assert.deepEqual(scenarioLines(status), [
    'main       [==============>---------------]  50% constant-vus',
    'open-model [==============================] 100% constant-arrival-rate',
  ]);
});

test('on a TTY the block is redrawn in place; done() leaves it on screen', () => {
  const { out, s } = stream(true);
  const p = new Progress(s);
  p.update(status);
  p.update({ ...status, elapsedMs: 66_400 });
  p.clear();
  p.update(status);
  p.done(status);
  assert.ok(out[0].startsWith('\r\x1b[J'));
  assert.equal(out[2], '\x1b[2A\r\x1b[J', 'clear() takes the three lines off');
  assert.ok(out[3].startsWith('\r\x1b[J'), 'then the block is drawn afresh');
  assert.ok(out[1].startsWith('\x1b[2A\r\x1b[J'), 'back up over the two scenario lines');
  assert.ok(out[4].endsWith('constant-arrival-rate\n'));
});

test('not a TTY: a plain line at once, then one per interval', () => {
  const { out, s } = stream(false);
  const p = new Progress(s, 10_000);
  for (const ms of [1000, 2000, 10_500, 11_000, 12_000]) p.update({ ...status, elapsedMs: ms });
  p.done(status);
  assert.deepEqual(
    out.map((l) => l.slice(0, 19)),
    ['running (00m01.0s),', 'running (00m11.0s),'],
  );
  assert.ok(out.every((l) => l.endsWith('\n') && !l.includes('\x1b')));
});

test('the plan printed before a run', () => {
  const scenarios = scenariosOf(
    {
      scenarios: {
        first: { executor: 'per-vu-iterations', vus: 2, iterations: 1 },
        open: {
          executor: 'constant-arrival-rate',
          rate: 20,
          duration: '3s',
          preAllocatedVUs: 2,
          maxVUs: 5,
          startTime: '1s',
          exec: 'api',
        },
      },
    },
    ['default', 'api'],
  );
  assert.deepEqual(describePlan(scenarios), [
    'scenarios: 2, 4 VUs initialised (+3 on demand), at most 10m30s including graceful stops',
    '  * first: per-vu-iterations, 1 iteration for each of 2 VUs (maxDuration 10m0s), gracefulStop 30s',
    '  * open: constant-arrival-rate, 20/s for 3s (VUs 2..5), from 1s, exec api, gracefulStop 30s',
  ]);
});
