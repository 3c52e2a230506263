// Math.random in each VU is its own stream: VUs created in the same moment must not draw the same numbers
// (the suite's guest tokens and session ids come from it, as they do on k6).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { logMessages, Sandbox } from './cli-helpers.ts';

const box = new Sandbox();
after(() => box.cleanup());

test('100 VUs started together draw 100 different first numbers, each in [0, 1)', async () => {
  const s = box.script(
    'random.js',
    `import exec from 'k6/execution';
export const options = { scenarios: { r: { executor: 'per-vu-iterations', vus: 100, iterations: 1 } } };
export default function () {
  if (exec.vu.iterationInInstance === 0) console.log('R ' + Math.random() + ' ' + Math.random());
}`,
  );
  const r = await box.run(['run', '-q', '--no-color', s]);
  assert.equal(r.code, 0, r.stderr);
  const draws = logMessages(r.stderr)
    .map((m) => /msg="R ([^ ]+) ([^ "]+)"/.exec(m))
    .filter((m) => m !== null)
    .map((m) => [Number(m[1]), Number(m[2])]);
  assert.equal(draws.length, 100);
  assert.equal(new Set(draws.map((d) => d[0])).size, 100, 'no two VUs share a first draw');
  for (const [a, b] of draws) {
    assert.ok(a >= 0 && a < 1 && b >= 0 && b < 1 && a !== b, `${a} ${b}`);
  }
});
