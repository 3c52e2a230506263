// exec.test.abort() where a script may call it (init, setup, an iteration, teardown), on the runner and on
// each real k6: exit 108 and the same error line. k6 names the place of the call only for init and
// iterations; in init the line is a failure to load the script.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { logMessages, Sandbox } from './cli-helpers.ts';
import { realK6sOrSkipReason } from '../../tools/test/real-k6.ts';

const head = `import exec from 'k6/execution';\nexport const options = { vus: 1, iterations: 1 };\n`;
const SCRIPTS: Record<string, string> = {
  'init.js': `import exec from 'k6/execution';\nexec.test.abort('stopped in init');\nexport default function () {}\n`,
  'setup.js': `${head}function deep() { exec.test.abort('stopped in setup'); }\nexport function setup() { deep(); }\nexport default function () {}\n`,
  'iteration.js': `${head}export default function () { exec.test.abort('stopped in an iteration'); }\n`,
  'teardown.js': `${head}export default function () {}\nexport function teardown() { exec.test.abort('stopped in teardown'); }\n`,
};

const box = new Sandbox();
after(() => box.cleanup());
const files = Object.fromEntries(Object.entries(SCRIPTS).map(([n, src]) => [n, box.script(n, src)]));

// k6 adds a column in parentheses that the runner leaves out, and k6 2.x names the default function.
const normal = (line: string | undefined) =>
  (line ?? '')
    .replace(/^level=error msg="/, '')
    .replace(/" .*$|"$/, '')
    .replace(/\(\d+\)/g, '')
    .replace(/default \((.*)\)$/, '$1');

const runnerLine = async (name: string) => {
  const r = await box.run(['run', '-q', files[name]]);
  return { code: r.code, line: normal(logMessages(r.stderr).find((l) => l.includes('test aborted'))) };
};

test('test.abort() on the runner: exit 108 and the line k6 gives in each place', async () => {
  const want: Record<string, RegExp> = {
    'init.js':
      /^could not initialize '\/.*\/init\.js': could not load JS test 'file:\/\/\/.*\/init\.js': test aborted: stopped in init at file:\/\/\/.*\/init\.js:2:\d+$/,
    'setup.js': /^test aborted: stopped in setup$/,
    'iteration.js': /^test aborted: stopped in an iteration at file:\/\/\/.*\/iteration\.js:3:\d+$/,
    'teardown.js': /^test aborted: stopped in teardown$/,
  };
  for (const name of Object.keys(SCRIPTS)) {
    const r = await runnerLine(name);
    assert.equal(r.code, 108, name);
    assert.match(r.line, want[name], name);
  }
});

for (const k6 of realK6sOrSkipReason()) {
  test(`test.abort(): the runner's exit code and line match k6 ${k6.version}`, async () => {
    for (const name of Object.keys(SCRIPTS)) {
      const real = spawnSync(k6.file, ['run', '-q', files[name]], {
        cwd: box.dir,
        encoding: 'utf8',
        timeout: 60_000,
      });
      const line = normal(logMessages(real.stderr).find((l) => l.includes('test aborted')));
      const ours = await runnerLine(name);
      assert.equal(ours.code, real.status, name);
      assert.equal(ours.line, line, name);
    }
  });
}
