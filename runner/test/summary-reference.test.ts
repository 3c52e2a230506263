// Conformance of the summary against real k6 v0.49: the engine is fed each reference run's own sample stream
// (runs/*/out.jsonl) and must reproduce its text summary, --summary-export and handleSummary data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { durationFromExport, engineFor, RUNS, runFile, skipReason } from './reference.ts';
import { textSummary } from '../summary/text.ts';
import { summaryExportObject } from '../summary/export.ts';
import { buildSummaryData } from '../summary/data.ts';

const close = (a: unknown, b: unknown, what: string) => {
  assert.equal(typeof a, 'number', what);
  const x = a as number;
  const y = b as number;
  assert.ok(Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(y)), `${what}: ${x} vs ${y}`);
};

for (const run of Object.keys(RUNS)) {
  // 07's stdout is what its handleSummary returned, not k6's text summary.
  if (!run.startsWith('07'))
    test(`${run}: text summary is byte-identical to k6's stdout`, { skip: skipReason }, () => {
      const engine = engineFor(run);
      const dur = durationFromExport(run);
      engine.finalize(dur);
      const data = buildSummaryData(engine, { testRunDurationMs: dur, noColor: true });
      assert.equal('\n' + textSummary(data) + '\n\n', runFile(run, 'stdout.txt'));
    });

  test(`${run}: --summary-export matches k6's file`, { skip: skipReason }, () => {
    const want = JSON.parse(runFile(run, 'summary-export.json'));
    const engine = engineFor(run);
    const dur = durationFromExport(run);
    engine.finalize(dur);
    const got = summaryExportObject(
      buildSummaryData(engine, { testRunDurationMs: dur, setupData: want.setup_data, noColor: true }),
    ) as typeof want;
    assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort());
    assert.deepEqual(got.root_group, want.root_group);
    assert.deepEqual(got.setup_data, want.setup_data);
    assert.deepEqual(Object.keys(got.metrics).sort(), Object.keys(want.metrics).sort());
    for (const [name, values] of Object.entries(want.metrics as Record<string, Record<string, unknown>>)) {
      const mine = got.metrics[name];
      assert.deepEqual(Object.keys(mine).sort(), Object.keys(values).sort(), name);
      for (const [k, v] of Object.entries(values)) {
        if (k === 'thresholds') assert.deepEqual(mine[k], v, `${name} thresholds`);
        else if (k === 'rate' || k === 'value') close(mine[k], v, `${name}.${k}`);
        else assert.equal(mine[k], v, `${name}.${k}`);
      }
    }
  });
}

test("07-handle-summary: the handleSummary data object equals k6's", { skip: skipReason }, () => {
  const want = JSON.parse(runFile('07-handle-summary', 'handle-summary-data.json'));
  const engine = engineFor('07-handle-summary');
  const dur = want.state.testRunDurationMs;
  const result = engine.finalize(dur);
  assert.deepEqual(result.failed, []);
  const got = buildSummaryData(engine, {
    testRunDurationMs: dur,
    noColor: true,
    isStdOutTTY: false,
    isStdErrTTY: false,
  });
  assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort());
  assert.deepEqual(got.root_group, want.root_group);
  assert.deepEqual(got.options, want.options);
  assert.deepEqual(got.state, want.state);
  assert.deepEqual(Object.keys(got.metrics).sort(), Object.keys(want.metrics).sort());
  for (const [name, m] of Object.entries(want.metrics as Record<string, Record<string, any>>)) {
    const mine = got.metrics[name];
    assert.equal(mine.type, m.type, name);
    assert.equal(mine.contains, m.contains, name);
    assert.deepEqual(mine.thresholds, m.thresholds, name);
    assert.deepEqual(Object.keys(mine.values).sort(), Object.keys(m.values).sort(), name);
    for (const [k, v] of Object.entries(m.values)) close(mine.values[k], v, `${name}.${k}`);
  }
});

test('threshold verdicts and the final message match each run', { skip: skipReason }, () => {
  const messages: Record<string, string | undefined> = {
    '01-iterations-checks': "thresholds on metrics 'good_ratio' have been crossed",
    '02-status-metrics': "thresholds on metrics 'http_req_failed, http_reqs{status:429}' have been crossed",
    '05-arrival-rate': "thresholds on metrics 'dropped_iterations' have been crossed",
    '04-lifecycle': undefined,
    '06-errors': undefined,
  };
  for (const [run, message] of Object.entries(messages)) {
    const engine = engineFor(run);
    const result = engine.finalize(durationFromExport(run));
    assert.equal(result.message, message, run);
    const stderr = runFile(run, 'stderr.txt');
    if (message) assert.ok(stderr.includes(`level=error msg="${message}"`), run);
    else assert.ok(!stderr.includes('have been crossed'), run);
  }
});

test(
  "03-abort-on-fail: the 2 s evaluation aborts with k6's message once delayAbortEval has passed",
  {
    skip: skipReason,
  },
  () => {
    const engine = engineFor('03-abort-on-fail');
    const early = engine.evaluate(900);
    assert.equal(early.abort, false, 'delayAbortEval 1s not reached');
    assert.deepEqual(early.failed, ['http_reqs{status:429}']);
    const later = engine.evaluate(2000);
    assert.equal(later.abort, true);
    assert.ok(runFile('03-abort-on-fail', 'stderr.txt').includes(`msg="${later.message}"`), later.message);
  },
);
