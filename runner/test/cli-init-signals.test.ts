// SIGINT/SIGTERM while many VUs initialise, on the runner and on each real k6: both stop the start-up at once
// and exit 105 with the abort message; setup and teardown do not run, handleSummary does. The runner used to
// finish initialising every VU first (90 s for 20,000) and only then stop.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { collect, logMessages, Sandbox, type CliResult } from './cli-helpers.ts';
import { realK6sOrSkipReason } from '../../tools/test/real-k6.ts';

const VUS = 1000;
// Each VU's init code takes this long: VUS of them on 2 cores take about 10 s, far past the signal.
const INIT_MS = 20;
const SIGNAL_AFTER_MS = 2000;

const script = `export const options = {
  scenarios: { a: { executor: 'constant-arrival-rate', rate: 1, timeUnit: '1s', duration: '10s', preAllocatedVUs: ${VUS} } },
};
const t = Date.now();
while (Date.now() - t < ${INIT_MS}) {}
export function setup() { console.log('setup ran'); }
export default function () {}
export function teardown() { console.log('teardown ran'); }
export function handleSummary(d) {
  return { stdout: JSON.stringify({ vusMax: d.metrics.vus_max ? d.metrics.vus_max.values.max : null }) + '\\n' };
}
`;

const box = new Sandbox();
after(() => box.cleanup());

interface Stopped {
  r: CliResult;
  /** ms from the signal to the exit */
  ms: number;
}

async function stopDuringInit(child: ChildProcess, signal: NodeJS.Signals): Promise<Stopped> {
  const done = collect(child, box, []);
  await new Promise((r) => setTimeout(r, SIGNAL_AFTER_MS));
  const sent = Date.now();
  child.kill(signal);
  const r = await done;
  return { r, ms: Date.now() - sent };
}

/** `engine` as its abort message names it, `label` with a version. */
function assertStopped(engine: string, { r, ms }: Stopped, signalName: string, label = engine): void {
  const where = `${label}:\n${r.stderr}`;
  assert.equal(r.code, 105, where);
  assert.ok(ms < 2000, `${label} took ${ms} ms to stop`);
  const lines = logMessages(r.stderr);
  assert.ok(
    lines.includes(
      `level=error msg="test run was aborted because ${engine} received a '${signalName}' signal"`,
    ),
    where,
  );
  assert.doesNotMatch(r.stderr, /setup ran|teardown ran/);
  const line = /^\{"vusMax".*$/m.exec(r.stdout)?.[0];
  assert.ok(line, `${label}: handleSummary ran\n${r.stdout}`);
  const { vusMax } = JSON.parse(line);
  // Stopped early, neither engine need have a VU up yet (k6 0.49 then reports no vus_max at all).
  assert.ok(vusMax === null || vusMax < VUS, `${label}: vus_max ${vusMax} of ${VUS} planned`);
  process.stdout.write(`# ${label}: stopped ${ms} ms after ${signalName}, ${vusMax} of ${VUS} VUs up\n`);
}

for (const [signal, name] of [
  ['SIGINT', 'SIGINT'],
  ['SIGTERM', 'SIGTERM'],
] as const) {
  test(`the runner stops at once on ${signal} while its VUs initialise`, async () => {
    const file = box.script('init.js', script);
    assertStopped('the runner', await stopDuringInit(box.start(['run', '--no-color', file]), signal), name);
  });
}

const binaries = realK6sOrSkipReason();
test('real k6 does the same', { skip: binaries.length === 0 ? 'no real k6' : false }, async () => {
  const file = box.script('init.js', script);
  const env: NodeJS.ProcessEnv = { ...process.env, K6_NO_USAGE_REPORT: 'true' };
  for (const k of Object.keys(env)) if (k.startsWith('K6_') && k !== 'K6_NO_USAGE_REPORT') delete env[k];
  // k6 names the signal as Go prints it.
  for (const [signal, name] of [
    ['SIGINT', 'interrupt'],
    ['SIGTERM', 'terminated'],
  ] as const) {
    for (const bin of binaries) {
      const child = spawn(bin.file, ['run', '--no-color', file], {
        cwd: box.dir,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      assertStopped('k6', await stopDuringInit(child, signal), name, `k6 v${bin.version}`);
    }
  }
});
