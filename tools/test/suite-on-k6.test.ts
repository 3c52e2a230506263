// Every test in tests/ on real k6 and on the runner, against a fresh emulator each, with the same short
// shape: the same exit code, the same threshold verdicts, and the same counts within the tolerances below.
// Real k6 comes from K6_BINARIES / K6 / PATH / ../shared/tools/k6 (tools/test/real-k6.ts); without one
// the test skips and says why.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { ROOT, ensureBuilt } from '../../lib/test/processes.ts';
import { counts, runOnEngine, RUNNER, type EngineRun, type SuiteSummary } from './engines.ts';
import { realK6sOrSkipReason } from './real-k6.ts';

interface Case {
  env: Record<string, string>;
  emulatorArgs: string[];
  code: number;
  /** wider tolerances for this case, by count */
  tolerance?: Record<string, { abs: number; rel: number }>;
}

// Short runs on a faster platform clock (the emulator's --time-scale and the suite's TIME_SCALE together),
// so each limit window is seconds long and the rate-limited tests meet their 429s within the run.
const scaled = (timeScale: number, env: Record<string, string> = {}): Omit<Case, 'code'> => ({
  env: { TIME_SCALE: String(timeScale), ...env },
  emulatorArgs: timeScale === 1 ? [] : ['--time-scale', String(timeScale)],
});

const CASES: Record<string, Case> = {
  smoke: { ...scaled(1), code: 0 },
  load: { ...scaled(4, { DURATION: '12s' }), code: 0 },
  stress: { ...scaled(4, { DURATION: '12s' }), code: 0 },
  spike: { ...scaled(4, { DURATION: '20s' }), code: 99 },
  soak: { ...scaled(10, { DURATION: '12s' }), code: 0 },
  // Few VUs, so both engines initialise them in a moment: the abortOnFail checks run on a 2 s grid that
  // starts before VU init, and a slower init would move the abort (and every count with it) earlier.
  // The abort lands on the first 2 s check past delayAbortEval, so up to a check's worth of 429s (they
  // climb fast at 4x the limit) separates two engines whose start-up differs by a few hundred ms.
  breakpoint: {
    ...scaled(4, { DURATION: '30s', VUS: '20' }),
    code: 99,
    tolerance: {
      requests: { abs: 6, rel: 0.1 },
      emulatorRequests: { abs: 6, rel: 0.1 },
      '429s': { abs: 15, rel: 0.6 },
      retries: { abs: 15, rel: 0.6 },
    },
  },
  'bot-conversation': { ...scaled(1, { DURATION: '10s' }), code: 0 },
  'analytics-lag': { ...scaled(20), code: 0 },
  notifications: { ...scaled(1, { CONVERSATIONS: '8', RATE: '4' }), code: 0 },
  // A second between lines keeps the guests under the 2 onMessage per session per second: no 4029.
  'web-messaging': { ...scaled(1, { VUS: '10', DURATION: '10s', THINK_TIME: '1' }), code: 0 },
};

/**
 * How far a count may differ between engines: `abs` or `rel` of the runner's value, whichever is larger.
 * Arrival-rate iterations are set by the schedule and agree closely; 429s and retries depend on which
 * request lands first after a limit window opens, which the two engines' timers decide a few ms apart.
 */
const TOLERANCE: Record<string, { abs: number; rel: number }> = {
  iterations: { abs: 2, rel: 0.05 },
  requests: { abs: 6, rel: 0.05 },
  emulatorRequests: { abs: 6, rel: 0.05 },
  '429s': { abs: 4, rel: 0.3 },
  retries: { abs: 4, rel: 0.3 },
  finalFailures: { abs: 2, rel: 0.5 },
  guestMessages: { abs: 8, rel: 0.1 },
  guestReplies: { abs: 10, rel: 0.1 },
  guestThrottled: { abs: 4, rel: 0.3 },
  emulatorGuestMessages: { abs: 8, rel: 0.1 },
};

/**
 * Thresholds whose verdicts differ between the engines, leaving out those the runner observed within 15 % of
 * their limit (or 2 for a count): there the verdict follows the same few-ms timing as the 429 counts.
 */
export function verdictDifferences(real: SuiteSummary, runner: SuiteSummary): string[] {
  const key = (t: SuiteSummary['thresholds'][number]) => `${t.metric} ${t.expression}`;
  const theirs = new Map(real.thresholds.map((t) => [key(t), t]));
  const out: string[] = [];
  for (const t of runner.thresholds) {
    const other = theirs.get(key(t));
    if (!other) {
      out.push(`${key(t)}: missing on k6`);
      continue;
    }
    if (other.ok === t.ok) continue;
    const margin = Math.max(0.15 * Math.abs(t.limit ?? 0), t.stat === 'count' ? 2 : 0);
    const nearEdge =
      t.observed !== undefined && t.limit !== undefined && Math.abs(t.observed - t.limit) <= margin;
    if (!nearEdge)
      out.push(
        `${key(t)}: k6 ${other.ok ? 'passed' : 'failed'} (${other.observed}), runner ${t.ok ? 'passed' : 'failed'} (${t.observed})`,
      );
  }
  if (real.thresholds.length !== runner.thresholds.length) out.push('not the same thresholds');
  return out;
}

const tests = readdirSync(path.join(ROOT, 'tests'))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.slice(0, -3))
  .sort();

function describeRun(r: EngineRun): string {
  return `${r.engine}: exit ${r.code}, ${JSON.stringify(counts(r))}\n${r.stderr.slice(-2000)}`;
}

describe('the suite on real k6 and on the runner', { timeout: 30 * 60_000 }, () => {
  const binaries = realK6sOrSkipReason();
  before(() => ensureBuilt());

  it('has a case for every test in tests/', () => {
    assert.deepEqual(Object.keys(CASES).sort(), tests);
  });

  for (const test of tests) {
    const c = CASES[test];
    it(`${test}: exit code, verdicts and counts agree`, { skip: binaries.length === 0 || !c }, async () => {
      const runner = await runOnEngine(RUNNER, test, c.env, { emulatorArgs: c.emulatorArgs });
      assert.equal(runner.code, c.code, describeRun(runner));
      assert.ok(runner.summary, `runner wrote no summary.json\n${describeRun(runner)}`);
      const want = counts(runner);
      for (const k6 of binaries) {
        const real = await runOnEngine({ name: k6.version, k6 }, test, c.env, {
          emulatorArgs: c.emulatorArgs,
        });
        const where = `${test} on k6 ${k6.version} vs runner`;
        assert.equal(real.code, c.code, `${where}\n${describeRun(real)}`);
        assert.ok(real.summary, `${where}: no summary.json\n${describeRun(real)}`);
        assert.doesNotMatch(real.stderr, /unknown field/, `${where}: k6 warned about an option`);
        assert.deepEqual(verdictDifferences(real.summary, runner.summary), [], where);
        const got = counts(real);
        for (const [name, tol] of Object.entries({ ...TOLERANCE, ...c.tolerance })) {
          const allowed = Math.max(tol.abs, tol.rel * want[name]);
          assert.ok(
            Math.abs(got[name] - want[name]) <= allowed,
            `${where}: ${name} ${got[name]} vs ${want[name]} (± ${allowed})\nk6: ${JSON.stringify(got)}\nrunner: ${JSON.stringify(want)}`,
          );
        }
      }
    });
  }
});
