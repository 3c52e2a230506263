// K6_WEB_DASHBOARD on the runner: k6 serves a live page on K6_WEB_DASHBOARD_PORT (5665 by default, none
// for -1); the runner serves none and says so in a warning, the run going on and the export still written.
// Against each real k6 the test pins when k6 serves one: the condition the runner's warning follows.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { logMessages, Sandbox } from './cli-helpers.ts';
import { realK6sOrSkipReason } from '../../tools/test/real-k6.ts';

const box = new Sandbox();
after(() => box.cleanup());
const script = box.script(
  'dash.js',
  `export const options = { vus: 1, iterations: 1 };\nexport default function () {}\n`,
);

const warnings = (stderr: string) => logMessages(stderr).filter((l) => l.includes('web dashboard'));

test('K6_WEB_DASHBOARD=true: a warning names the port the runner does not serve', async () => {
  const r = await box.run(['run', '-q', script], { K6_WEB_DASHBOARD: 'true' });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(warnings(r.stderr), [
    'level=warning msg="the live web dashboard is not served by this runner (K6_WEB_DASHBOARD_PORT=5665 asks for it); K6_WEB_DASHBOARD_EXPORT=FILE writes the HTML report at the end; set K6_WEB_DASHBOARD_PORT=-1 to silence this"',
  ]);
  const chosen = await box.run(['run', '-q', script], {
    K6_WEB_DASHBOARD: 'true',
    K6_WEB_DASHBOARD_PORT: '5799',
    K6_WEB_DASHBOARD_EXPORT: 'report.html',
  });
  assert.equal(chosen.code, 0, chosen.stderr);
  assert.match(
    warnings(chosen.stderr).join('\n'),
    /K6_WEB_DASHBOARD_PORT=5799 asks for it\); the HTML report still goes to report.html at the end/,
  );
  assert.ok(box.exists('report.html'));
});

test('no warning without the dashboard or with port -1', async () => {
  const envs: Record<string, string>[] = [
    {},
    { K6_WEB_DASHBOARD_PORT: '5799' },
    { K6_WEB_DASHBOARD: 'false' },
    { K6_WEB_DASHBOARD: 'true', K6_WEB_DASHBOARD_PORT: '-1', K6_WEB_DASHBOARD_EXPORT: 'quiet.html' },
  ];
  for (const env of envs) {
    const r = await box.run(['run', '-q', script], env);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(warnings(r.stderr), [], JSON.stringify(env));
  }
  assert.ok(box.exists('quiet.html'));
});

function k6Run(file: string, env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const base: NodeJS.ProcessEnv = { ...process.env };
    for (const k of Object.keys(base)) if (k.startsWith('K6_')) delete base[k];
    const child = spawn(file, ['run', script], { cwd: box.dir, env: { ...base, ...env } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('error', reject);
    child.once('close', () => {
      clearTimeout(timer);
      resolve(out);
    });
  });
}

for (const k6 of realK6sOrSkipReason()) {
  test(`k6 ${k6.version} serves the dashboard on K6_WEB_DASHBOARD_PORT, and none for -1`, async () => {
    const served = await k6Run(k6.file, { K6_WEB_DASHBOARD: 'true', K6_WEB_DASHBOARD_PORT: '5799' });
    assert.match(served, /web dashboard: http:\/\/127\.0\.0\.1:5799/);
    const none = await k6Run(k6.file, { K6_WEB_DASHBOARD: 'true', K6_WEB_DASHBOARD_PORT: '-1' });
    assert.doesNotMatch(none, /web dashboard: http/);
  });
}
