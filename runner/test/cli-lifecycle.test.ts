// The run's lifecycle through the real CLI and VU pool: setup/teardown, timeouts, signals, summary switches.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertSignals, logMessages, Sandbox } from './cli-helpers.ts';

const box = new Sandbox();
after(() => box.cleanup());

test('setup data reaches the VUs and teardown; -e beats the system env; --no-summary prints nothing', async () => {
  const s = box.script(
    'data.js',
    `export const options = { iterations: 2 };
export function setup() { return { token: __ENV.TOKEN, n: 1 }; }
export default function (d) { console.log('vu ' + d.token + ' ' + d.n); d.n++; }
export function teardown(d) { console.log('teardown ' + d.token + ' ' + d.n); }\n`,
  );
  const r = await box.run(['run', '-q', '--no-summary', '-e', 'TOKEN=flag', s], { TOKEN: 'system' });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '');
  const lines = logMessages(r.stderr);
  // One VU parses the data once and keeps its changes; teardown gets a fresh copy.
  assert.deepEqual(lines, [
    'level=info msg="vu flag 1" source=console',
    'level=info msg="vu flag 2" source=console',
    'level=info msg="teardown flag 1" source=console',
  ]);
});

test('--no-setup and --no-teardown skip them; K6_NO_TEARDOWN too', async () => {
  const s = box.script(
    'skip.js',
    `export function setup() { console.log('setup ran'); }
export default function () {}
export function teardown() { console.log('teardown ran'); }\n`,
  );
  const a = await box.run(['run', '-q', '--no-summary', '--no-setup', '--no-teardown', s]);
  assert.equal(a.code, 0, a.stderr);
  assert.deepEqual(logMessages(a.stderr), []);
  const b = await box.run(['run', '-q', '--no-summary', s], { K6_NO_TEARDOWN: 'true' });
  assert.deepEqual(logMessages(b.stderr), ['level=info msg="setup ran" source=console']);
});

test('an exception in setup: 107, scenarios and teardown skipped, the summary still runs', async () => {
  const s = box.script(
    'setup-throws.js',
    `export function setup() { throw new Error('no token'); }
export default function () { console.log('iteration ran'); }
export function teardown() { console.log('teardown ran'); }\n`,
  );
  const r = await box.run(['run', '-q', s]);
  assert.equal(r.code, 107, r.stderr);
  assert.match(r.stderr, /no token/);
  assert.doesNotMatch(r.stderr, /iteration ran|teardown ran/);
  assert.match(r.stdout, /█ setup/);
});

test('setupTimeout: 100; teardownTimeout: 101', async () => {
  const slowSetup = box.script(
    'slow-setup.js',
    `import { sleep } from 'k6';
export const options = { setupTimeout: '1s' };
export function setup() { sleep(5); }
export default function () {}\n`,
  );
  const a = await box.run(['run', '-q', '--no-summary', slowSetup]);
  assert.equal(a.code, 100, a.stderr);
  assert.match(a.stderr, /setup\(\) execution timed out after 1 seconds/);
  const slowTeardown = box.script(
    'slow-teardown.js',
    `import { sleep } from 'k6';
export default function () {}
export function teardown() { sleep(5); }\n`,
  );
  const b = await box.run(['run', '-q', '--no-summary', slowTeardown], { K6_TEARDOWN_TIMEOUT: '1s' });
  assert.equal(b.code, 101, b.stderr);
  assert.match(b.stderr, /teardown\(\) execution timed out after 1 seconds/);
});

test('a busy loop in setup() is stopped at setupTimeout (100); lifecycle functions have room for deep calls', async () => {
  const busy = box.script(
    'busy-setup.js',
    `export const options = { setupTimeout: '1s' };
export function setup() { for (;;) {} }
export default function () {}\n`,
  );
  const a = await box.run(['run', '-q', '--no-summary', busy]);
  assert.equal(a.code, 100, a.stderr);
  assert.match(a.stderr, /setup\(\) execution timed out after 1 seconds/);
  // ~31 KB of thread stack per call level (see runner/vu/vm.ts): 200 levels need more than a default stack.
  const deep = box.script(
    'deep.js',
    `function depth(n) { return n === 0 ? 0 : 1 + depth(n - 1); }
export function setup() { return depth(200); }
export default function () {}
export function teardown(d) { console.log('teardown ' + d + ' ' + depth(200)); }
export function handleSummary() { return { stdout: 'summary ' + depth(200) + '\\n' }; }\n`,
  );
  const b = await box.run(['run', '-q', '-i', '1', deep]);
  assert.equal(b.code, 0, b.stderr);
  assert.deepEqual(logMessages(b.stderr), ['level=info msg="teardown 200 200" source=console']);
  assert.equal(b.stdout, 'summary 200\n');
});

test('thresholds: failing -> 99 with the crossed line; --no-thresholds -> 0', async () => {
  const s = box.script(
    'th.js',
    `export const options = { iterations: 3, thresholds: { iterations: ['count>10'] } };
export default function () {}\n`,
  );
  const a = await box.run(['run', '-q', s]);
  assert.equal(a.code, 99);
  assert.deepEqual(logMessages(a.stderr), [
    `level=error msg="thresholds on metrics 'iterations' have been crossed"`,
  ]);
  assert.match(a.stdout, /✗ iterations/);
  const b = await box.run(['run', '-q', '--no-thresholds', s]);
  assert.equal(b.code, 0, b.stderr);
  assert.doesNotMatch(b.stdout, /✗/);
});

test('abortOnFail stops the run early: 99, teardown still runs', async () => {
  const s = box.script(
    'abort-on-fail.js',
    `import { sleep } from 'k6';
export const options = { vus: 1, duration: '20s',
  thresholds: { iterations: [{ threshold: 'count<3', abortOnFail: true }] } };
export default function () { sleep(0.05); }
export function teardown() { console.log('teardown ran'); }\n`,
  );
  const t0 = Date.now();
  const r = await box.run(['run', '-q', '--no-summary', s]);
  assert.equal(r.code, 99, r.stderr);
  assert.ok(Date.now() - t0 < 15_000, 'stopped before the 20 s duration');
  const lines = logMessages(r.stderr);
  assert.match(
    lines[0],
    /thresholds on metrics 'iterations' were crossed; at least one has abortOnFail enabled/,
  );
  assert.ok(lines.includes('level=info msg="teardown ran" source=console'));
});

test('test.abort(): 108, teardown and summary still run', async () => {
  const s = box.script(
    'abort.js',
    `import exec from 'k6/execution';
export const options = { vus: 1, duration: '20s' };
export default function () { if (exec.scenario.iterationInTest === 2) exec.test.abort('enough'); }
export function teardown() { console.log('teardown ran'); }\n`,
  );
  const r = await box.run(['run', '-q', s]);
  assert.equal(r.code, 108, r.stderr);
  assert.match(r.stderr, /test aborted: enough/);
  assert.match(r.stderr, /teardown ran/);
  assert.match(r.stdout, /iterations/);
});

test('first SIGINT: graceful stop, teardown and summary, 105; a second one stops at once', async () => {
  await assertSignals(box);
});

test('handleSummary outputs, --summary-export and the K6_WEB_DASHBOARD_EXPORT report are written', async () => {
  const s = box.script(
    'hs.js',
    `export const options = { iterations: 2 };
export default function () {}
export function handleSummary(data) {
  return { stdout: 'mine ' + data.metrics.iterations.values.count + '\\n', 'out/summary.json': JSON.stringify(data.state) };
}\n`,
  );
  const r = await box.run(['run', '-q', '--summary-export', 'export.json', s], {
    K6_WEB_DASHBOARD: 'true',
    K6_WEB_DASHBOARD_EXPORT: 'report.html',
  });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'mine 2\n');
  assert.match(box.read('report.html'), /^<!doctype html>/i);
  assert.match(box.read('report.html'), /<title>hs\.js: load test report<\/title>/);
  assert.equal(typeof JSON.parse(box.read('out/summary.json')).testRunDurationMs, 'number');
  assert.equal(r.exported?.metrics.iterations.count, 2);
});

test('a throwing handleSummary is logged; the default summary is printed and the exit code is kept', async () => {
  const s = box.script(
    'hs-throws.js',
    `export const options = { iterations: 1, thresholds: { iterations: ['count>5'] } };
export default function () {}
export function handleSummary() { throw new Error('bad summary'); }\n`,
  );
  const r = await box.run(['run', '-q', '--no-color', s]);
  assert.equal(r.code, 99, r.stderr);
  assert.ok(
    logMessages(r.stderr).some((l) => /failed to handle the end-of-test summary.*bad summary/.test(l)),
  );
  assert.match(r.stdout, /✗ iterations\.+: 1/);
});
