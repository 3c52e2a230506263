// Every executor end to end through the CLI and the real VU pool, with scenario options (startTime, exec,
// env, tags) and the arrival-rate drops and warning.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { logMessages, Sandbox } from './cli-helpers.ts';

const box = new Sandbox();
after(() => box.cleanup());

// car and rar have VUs to spare (10 for 20/s of 10 ms iterations) so a busy machine does not make them drop.
const script = `import { sleep } from 'k6';
import { Rate } from 'k6/metrics';
import exec from 'k6/execution';
const right = new Rate('right');
export const options = {
  scenarios: {
    si: { executor: 'shared-iterations', vus: 2, iterations: 7, exec: 'quick' },
    pvi: { executor: 'per-vu-iterations', vus: 3, iterations: 2, exec: 'quick', tags: { team: 'a' } },
    cv: { executor: 'constant-vus', vus: 2, duration: '1s', exec: 'slow' },
    rv: { executor: 'ramping-vus', startVUs: 0, stages: [{ duration: '1s', target: 2 }], exec: 'slow' },
    car: { executor: 'constant-arrival-rate', rate: 20, duration: '1s', preAllocatedVUs: 10, exec: 'quick' },
    rar: { executor: 'ramping-arrival-rate', startRate: 0, stages: [{ duration: '1s', target: 20 }],
           preAllocatedVUs: 10, exec: 'quick' },
    late: { executor: 'per-vu-iterations', vus: 1, iterations: 1, startTime: '1500ms', exec: 'late',
            env: { WHO: 'late' } },
    starved: { executor: 'constant-arrival-rate', rate: 20, duration: '1s', preAllocatedVUs: 1, exec: 'slow' },
    grow: { executor: 'ramping-arrival-rate', startRate: 20, stages: [{ duration: '1s', target: 20 }],
            preAllocatedVUs: 1, maxVUs: 3, exec: 'slow' },
  },
  thresholds: {
    'iterations{scenario:si}': ['count==7'],
    'iterations{scenario:pvi}': ['count==6'],
    'iterations{team:a}': ['count==6'],
    'iterations{scenario:cv}': ['count>=6', 'count<=10'],
    'iterations{scenario:rv}': ['count>=1', 'count<=4'],
    'iterations{scenario:car}': ['count==20'],
    'iterations{scenario:rar}': ['count==10'],
    'iterations{scenario:late}': ['count==1'],
    'dropped_iterations{scenario:starved}': ['count>=10'],
    'dropped_iterations{scenario:grow}': ['count>=5'],
    'iterations{scenario:grow}': ['count>=4'],
    'dropped_iterations{scenario:car}': ['count==0'],
    'dropped_iterations{scenario:rar}': ['count==0'],
    right: ['rate==1'],
  },
};
export function setup() { return { t0: Date.now() }; }
export function quick() { sleep(0.01); }
export function slow() { sleep(0.25); }
export function late(d) {
  right.add(Date.now() - d.t0 >= 1400);
  right.add(__ENV.WHO === 'late' && exec.scenario.name === 'late');
}
`;

test('all six executors, scenario options, drops and the Insufficient VUs warning', async () => {
  const s = box.script('executors.js', script);
  const r = await box.run(['run', '-q', '--no-color', '--summary-export', 'export.json', s]);
  const failed = Object.entries(r.exported?.metrics ?? {}).flatMap(([name, m]) =>
    Object.entries((m as { thresholds?: Record<string, boolean> }).thresholds ?? {})
      .filter(([, bad]) => bad)
      .map(([expr]) => `${name} ${expr} (count ${(m as Record<string, number>).count})`),
  );
  assert.deepEqual(failed, []);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(
    r.stderr.split('\n').filter((l) => l && !l.startsWith('time=')),
    [],
    'nothing but log lines on stderr (no Node warnings)',
  );
  // `grow` initialises VUs up to its maxVUs of 3 before it warns.
  assert.deepEqual(logMessages(r.stderr).sort(), [
    'level=warning msg="Insufficient VUs, reached 1 active VUs and cannot initialize more" executor=constant-arrival-rate scenario=starved',
    'level=warning msg="Insufficient VUs, reached 3 active VUs and cannot initialize more" executor=ramping-arrival-rate scenario=grow',
  ]);
});

test('per-vu-iterations cut by maxDuration: dropped_iterations and interrupted iterations', async () => {
  const s = box.script(
    'maxdur.js',
    `import { sleep } from 'k6';
export const options = { scenarios: { m: { executor: 'per-vu-iterations', vus: 2, iterations: 10,
  maxDuration: '1100ms', gracefulStop: '0s' } } };
export default function () { sleep(0.3); }\n`,
  );
  const r = await box.run(['run', '-q', '--summary-export', 'maxdur.json', s]);
  assert.equal(r.code, 0, r.stderr);
  const m = r.exported!.metrics;
  // 0.3 s iterations: 3 finish per VU within 1.1 s, the 4th is interrupted, 6 are never started.
  assert.equal(m.iterations.count, 6);
  assert.equal(m.dropped_iterations.count, 12);
});

test('looping executors number iterations as k6 does, and exec.instance counts them live', async () => {
  const s = box.script(
    'numbering.js',
    `import { sleep } from 'k6';
import exec from 'k6/execution';
export const options = {
  scenarios: {
    si: { executor: 'shared-iterations', vus: 3, iterations: 12 },
    pvi: { executor: 'per-vu-iterations', vus: 2, iterations: 4 },
    cv: { executor: 'constant-vus', vus: 2, duration: '1s' },
    rv: { executor: 'ramping-vus', startVUs: 1, stages: [{ duration: '1s', target: 3 }] },
    last: { executor: 'per-vu-iterations', vus: 1, iterations: 1, startTime: '2s', exec: 'last' },
  },
};
export default function () {
  sleep(0.03);
  console.log(['it', exec.scenario.name, exec.vu.idInTest, exec.vu.iterationInScenario, exec.scenario.iterationInTest].join(' '));
}
export function last() { console.log('completed ' + exec.instance.iterationsCompleted); }
`,
  );
  const r = await box.run(['run', '-q', '--summary-export', 'numbering.json', s]);
  assert.equal(r.code, 0, r.stderr);
  const lines = logMessages(r.stderr).map((l) => /msg="([^"]*)"/.exec(l)?.[1] ?? l);
  const its = lines.filter((l) => l.startsWith('it ')).map((l) => l.split(' '));
  const byScenario = new Map<string, string[][]>();
  for (const it of its) byScenario.set(it[1], [...(byScenario.get(it[1]) ?? []), it]);
  assert.equal(byScenario.get('si')?.length, 12);
  assert.equal(byScenario.get('pvi')?.length, 8);
  for (const [name, rows] of byScenario) {
    const inTest = rows.map((x) => Number(x[4])).sort((a, b) => a - b);
    assert.deepEqual(
      inTest,
      Array.from({ length: rows.length }, (_, i) => i),
      `${name}: iterationInTest`,
    );
    const perVU = new Map<string, number[]>();
    for (const x of rows) perVU.set(x[2], [...(perVU.get(x[2]) ?? []), Number(x[3])]);
    for (const [vu, seq] of perVU)
      assert.deepEqual(
        seq,
        Array.from({ length: seq.length }, (_, i) => i),
        `${name} VU ${vu}`,
      );
  }
  const pviPerVU = new Map<string, number>();
  for (const x of byScenario.get('pvi')!) pviPerVU.set(x[2], (pviPerVU.get(x[2]) ?? 0) + 1);
  assert.deepEqual([...pviPerVU.values()], [4, 4]);
  assert.deepEqual(
    lines.filter((l) => l.startsWith('completed ')),
    [`completed ${its.length}`],
  );
  assert.equal(r.exported!.metrics.iterations.count, its.length + 1);
});

test('ramping-vus ramping down: looping VUs start no new iteration, and gracefulRampDown interrupts the one in flight', async () => {
  const s = box.script(
    'rampdown.js',
    `import { sleep } from 'k6';
export const options = {
  scenarios: {
    rv: {
      executor: 'ramping-vus', startVUs: 3, gracefulRampDown: '100ms',
      stages: [{ duration: '1s', target: 3 }, { duration: '0s', target: 0 }, { duration: '1s', target: 0 }],
    },
  },
};
export default function () { sleep(0.4); }
`,
  );
  const r = await box.run(['run', '-q', '--summary-export', 'rampdown.json', s]);
  assert.equal(r.code, 0, r.stderr);
  // Iterations start at 0, 0.4 and 0.8 s; the ones in flight at 1 s are interrupted at 1.1 s, before they end.
  assert.equal(r.exported!.metrics.iterations.count, 6);
});
