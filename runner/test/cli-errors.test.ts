// Bad input: one clear error line and k6's exit code.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { logMessages, Sandbox } from './cli-helpers.ts';

const box = new Sandbox();
after(() => box.cleanup());

const ok = box.script('ok.js', `export default function () {}\n`);

async function expectError(args: string[], code: number, pattern: RegExp, env: Record<string, string> = {}) {
  const r = await box.run(args, env);
  assert.equal(r.code, code, r.stderr);
  const lines = logMessages(r.stderr);
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], /^level=error /);
  assert.match(lines[0], pattern);
  assert.equal(r.stdout, '', 'no summary for errors before the run');
}

test('unknown flag, bad flag value, missing argument: 255', async () => {
  await expectError(['run', '--bogus', ok], 255, /unknown flag: --bogus/);
  await expectError(['run', '-u', 'ten', ok], 255, /invalid argument "ten" for "-u, --vus"/);
  await expectError(['run', '-d', 'long', ok], 255, /--duration/);
  await expectError(['run', ok, '-s'], 255, /needs an argument/);
  await expectError(['run'], 255, /exactly one script/);
  await expectError(['fly', ok], 255, /unknown command "fly"/);
  await expectError(['run', '--out', 'csv=x.csv', ok], 255, /unsupported output "csv=x.csv"/);
});

test('missing script file: 255', async () => {
  await expectError(['run', 'missing.js'], 255, /"missing.js" could not be found/);
});

test('invalid K6_* values and options: 104', async () => {
  await expectError(['run', ok], 104, /K6_VUS/, { K6_VUS: 'many' });
  await expectError(['run', ok], 104, /K6_DURATION/, { K6_DURATION: 'forever' });
  const badExec = box.script(
    'bad-exec.js',
    `export const options = { scenarios: { a: { executor: 'constant-vus', duration: '1s', exec: 'nope' } } };
export default function () {}\n`,
  );
  await expectError(['run', badExec], 104, /exec function "nope" is not exported/);
  const badExecutor = box.script(
    'bad-executor.js',
    `export const options = { scenarios: { a: { executor: 'warp-speed' } } };\nexport default function () {}\n`,
  );
  await expectError(['run', badExecutor], 104, /unknown executor "warp-speed"/);
  const conflict = box.script(
    'conflict.js',
    `export const options = { iterations: 3, stages: [{ duration: '1s', target: 1 }] };\nexport default function () {}\n`,
  );
  await expectError(['run', conflict], 104, /iterations and stages/);
  await expectError(['run', '--summary-time-unit', 'weeks', ok], 104, /summaryTimeUnit/);
  await expectError(['run', ok], 104, /unsupported dns select "nearest"/, {
    K6_DNS: 'ttl=1m,select=nearest',
  });
  await expectError(['run', '--dns', 'policy=ipv4', ok], 104, /unsupported dns policy "ipv4"/);
});

test('invalid thresholds: 104', async () => {
  const unknownMetric = box.script(
    'th-metric.js',
    `export const options = { thresholds: { no_such_metric: ['count>1'] } };\nexport default function () {}\n`,
  );
  await expectError(['run', unknownMetric], 104, /no_such_metric/);
  const badAgg = box.script(
    'th-agg.js',
    `export const options = { thresholds: { iterations: ['p(95)<1'] } };\nexport default function () {}\n`,
  );
  await expectError(['run', badAgg], 104, /p\(95\)/);
});

test('an exception in init code: 107', async () => {
  const thrower = box.script(
    'init-throws.js',
    `throw new Error('broken at init');\nexport default function () {}\n`,
  );
  const r = await box.run(['run', '-q', thrower]);
  assert.equal(r.code, 107, r.stderr);
  assert.match(r.stderr, /broken at init/);
});

test('inspect prints the consolidated options, flags and env applied', async () => {
  const s = box.script(
    'inspect.js',
    `export const options = { vus: 2, scenarios: { a: { executor: 'per-vu-iterations', vus: 1 } }, tags: { t: 'x' } };
export default function () {}\n`,
  );
  const r = await box.run(['inspect', '-d', '5s', s], { K6_VUS: '4' });
  assert.equal(r.code, 0, r.stderr);
  const o = JSON.parse(r.stdout);
  assert.equal(o.vus, 4);
  assert.equal(o.duration, '5s');
  assert.deepEqual(o.tags, { t: 'x' });
  assert.deepEqual(o.scenarios, { default: { executor: 'constant-vus', vus: 4, duration: '5s' } });
});
