// __ENV on the runner and on each real k6: init code sees the run's environment, and each scenario's
// iterations get a fresh object, the run's environment overlaid with the scenario's `env`, without what
// init code or an earlier scenario's iterations wrote into __ENV; what an iteration writes stays for the
// VU's later iterations of the same scenario.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { logMessages, runnerBin, Sandbox } from './cli-helpers.ts';
import { runnerNodeFlags } from '../../bin/runner-flags.mjs';
import { realK6sOrSkipReason } from '../../tools/test/real-k6.ts';

const box = new Sandbox();
let script = '';

// One VU runs a, then b: a's maxDuration ends it before b starts, so k6 plans a single VU.
const SCRIPT = `import exec from 'k6/execution';
export const options = {
  scenarios: {
    a: { executor: 'per-vu-iterations', vus: 1, iterations: 2, exec: 'a', maxDuration: '1s', gracefulStop: '0s' },
    b: { executor: 'per-vu-iterations', vus: 1, iterations: 2, exec: 'b', startTime: '1500ms', env: { SC: 'b', RUN: 'over' } },
  },
};
const seen = () => ['RUN', 'SC', 'INIT', 'ITER'].map((k) => k + '=' + __ENV[k]).join(' ');
if (__VU === 1) console.log('init ' + seen());
__ENV.INIT = 'set in init';
function report(name) {
  console.log(name + ' ' + __ITER + ' ' + seen());
  __ENV.ITER = 'set in ' + name + ' ' + __ITER;
}
export function a() { report('a'); }
export function b() { report('b'); }
`;

before(() => {
  script = box.script('env.js', SCRIPT);
});
after(() => box.cleanup());

async function lines(cmd: string, args: string[]): Promise<string[]> {
  const r = await box.exec(cmd, [...args, 'run', '-q', '-e', 'RUN=cli', script]);
  assert.equal(r.code, 0, r.stderr);
  return logMessages(r.stderr)
    .filter((l) => l.includes('source=console'))
    .map((l) => l.replace(/^level=info msg="|" source=console$/g, ''));
}

const runner = () => lines(process.execPath, [...runnerNodeFlags, runnerBin]);

test('__ENV: a fresh object for each scenario, the run env overlaid with the scenario env', async () => {
  assert.deepEqual(await runner(), [
    'init RUN=cli SC=undefined INIT=undefined ITER=undefined',
    'a 0 RUN=cli SC=undefined INIT=undefined ITER=undefined',
    'a 1 RUN=cli SC=undefined INIT=undefined ITER=set in a 0',
    'b 2 RUN=over SC=b INIT=undefined ITER=undefined',
    'b 3 RUN=over SC=b INIT=undefined ITER=set in b 2',
  ]);
});

for (const k6 of realK6sOrSkipReason()) {
  test(`__ENV: the runner's lines are k6 ${k6.version}'s`, async () => {
    assert.deepEqual(await runner(), await lines(k6.file, []));
  });
}
