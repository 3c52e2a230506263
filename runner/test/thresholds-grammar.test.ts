// The threshold grammar of k6 v0.49, validation against metric types, and evaluation rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MetricsEngine } from '../metrics/engine.ts';
import {
  parseDurationMs,
  parseExpression,
  parseMetricKey,
  parseThresholds,
  passes,
  ThresholdError,
} from '../thresholds.ts';
import type { Sample } from '../metrics/types.ts';
import { buildSummaryData } from '../summary/data.ts';

const s = (metric: string, value: number, tags: Record<string, string> = {}): Sample => ({
  metric,
  value,
  tags,
  time: 0,
});

test('expressions: aggregations, operators in k6 order, optional spaces', () => {
  assert.deepEqual(parseExpression('p(95)<200'), { agg: 'p', pct: 95, op: '<', value: 200 });
  assert.deepEqual(parseExpression(' p( 99.9 ) <= 1e3 '), { agg: 'p', pct: 99.9, op: '<=', value: 1000 });
  assert.deepEqual(parseExpression('rate>=0.95'), { agg: 'rate', pct: 0, op: '>=', value: 0.95 });
  assert.deepEqual(parseExpression('count===30'), { agg: 'count', pct: 0, op: '===', value: 30 });
  assert.deepEqual(parseExpression('count==30'), { agg: 'count', pct: 0, op: '==', value: 30 });
  assert.deepEqual(parseExpression('value != -1'), { agg: 'value', pct: 0, op: '!=', value: -1 });
  assert.deepEqual(parseExpression('med>5'), { agg: 'med', pct: 0, op: '>', value: 5 });
  for (const bad of ['p95<200', 'avg 200', 'avg<abc', 'avg<', 'p(x)<1', 'mean<3', '<3', 'avg<1 2']) {
    assert.throws(() => parseExpression(bad), ThresholdError, bad);
  }
  assert.equal(passes({ op: '==', value: 3 }, 3), true);
  assert.equal(passes({ op: '!=', value: 3 }, 3), false);
  assert.equal(passes({ op: '<', value: 0 }, undefined), true, 'no value passes');
});

test('metric keys: selectors split, trimmed, unquoted; malformed ones rejected', () => {
  assert.deepEqual(parseMetricKey('http_reqs'), { metric: 'http_reqs', suffix: '', tags: [] });
  assert.deepEqual(parseMetricKey('http_req_duration{group:::api}'), {
    metric: 'http_req_duration',
    suffix: 'group:::api',
    tags: [['group', '::api']],
  });
  assert.deepEqual(parseMetricKey(`x{ a : "1", 'b':c:d }`).tags, [
    ['a', '1'],
    ['b', 'c:d'],
  ]);
  for (const bad of ['x{a:1', 'x}a:1{', 'x{a:1}y', 'x{a}', 'x{a:}']) {
    assert.throws(() => parseMetricKey(bad), ThresholdError, bad);
  }
});

test('threshold objects: abortOnFail and delayAbortEval durations', () => {
  const [set] = parseThresholds({
    http_reqs: [{ threshold: 'count<5', abortOnFail: true, delayAbortEval: '1m30s' }],
  });
  assert.equal(set.thresholds[0].abortOnFail, true);
  assert.equal(set.thresholds[0].delayAbortEvalMs, 90_000);
  assert.equal(parseDurationMs('1d2h'), 93_600_000);
  assert.equal(parseDurationMs('250'), 250);
  assert.equal(parseDurationMs(10), 10);
  assert.throws(() => parseDurationMs('1x'), ThresholdError);
  assert.throws(() => parseThresholds({ a: [{ threshold: 3 as unknown as string }] }), ThresholdError);
  assert.throws(() => parseThresholds({ a: 'count<1' as unknown as string[] }), /must be an array/);
});

test('validation: unknown metrics and aggregations the type lacks exit 104', () => {
  const cases: Array<[Record<string, string[]>, RegExp]> = [
    [{ nope: ['count>1'] }, /no metric name "nope" found/],
    [{ http_req_duration: ['rate<1'] }, /aggregation method "rate".*"trend"/],
    [{ http_reqs: ['p(95)<1'] }, /"p\(95\)".*"counter"/],
    [{ vus: ['count<1'] }, /"gauge"/],
    [{ checks: ['count<1'] }, /"rate"/],
  ];
  for (const [thresholds, message] of cases) {
    const e = new MetricsEngine({ thresholds });
    assert.throws(
      () => e.validate(),
      (err: unknown) => err instanceof ThresholdError && err.exitCode === 104 && message.test(err.message),
    );
  }
  const e = new MetricsEngine({ thresholds: { my_trend: ['p(99)<10'] } });
  e.define({ name: 'my_trend', type: 'trend', contains: 'time' });
  e.validate();
  assert.doesNotThrow(() =>
    new MetricsEngine({ thresholds: { nope: ['x'] }, noThresholds: true }).validate(),
  );
});

test("evaluation: periodic skips empty metrics; the final pass applies k6's empty rules", () => {
  const e = new MetricsEngine({
    thresholds: {
      http_req_failed: ['rate<0.1'],
      http_reqs: ['count>0', 'rate>=10'],
      iteration_duration: ['avg<0', 'max<100'],
      dropped_iterations: ['count<1'],
    },
  });
  e.validate();
  assert.deepEqual(e.evaluate(1000), { failed: [], abort: false, message: undefined });
  e.add([s('http_reqs', 1), s('http_reqs', 1)]);
  // 2 requests in 1 s: rate 2 < 10
  assert.deepEqual(e.evaluate(1000).failed, ['http_reqs']);
  const end = e.finalize(100);
  // empty Rate passes; empty Trend is all zeros (avg<0 fails); empty Counter is 0
  assert.deepEqual(end.failed, ['iteration_duration']);
  assert.equal(end.message, "thresholds on metrics 'iteration_duration' have been crossed");
  const results = e.thresholdResults();
  assert.deepEqual(
    results.map((r) => [r.metric, r.source, r.ok]),
    [
      ['http_req_failed', 'rate<0.1', true],
      ['http_reqs', 'count>0', true],
      ['http_reqs', 'rate>=10', true],
      ['iteration_duration', 'avg<0', false],
      ['iteration_duration', 'max<100', true],
      ['dropped_iterations', 'count<1', true],
    ],
  );
  assert.equal(results[2].value, 20);
});

test('abortOnFail: aborts only when failing and strictly past delayAbortEval; message names the metrics', () => {
  const e = new MetricsEngine({
    thresholds: {
      checks: [{ threshold: 'rate>0.9', abortOnFail: true, delayAbortEval: '10s' }],
      'http_reqs{status:500}': [{ threshold: 'count<1', abortOnFail: true }],
      http_req_duration: ['p(95)<1'],
    },
  });
  e.validate();
  e.add([s('checks', 0), s('http_req_duration', 5)]);
  let r = e.evaluate(2000);
  assert.equal(r.abort, false);
  assert.deepEqual(r.failed, ['checks', 'http_req_duration']);
  r = e.evaluate(10_000);
  assert.equal(r.abort, false, 'k6 aborts once the delay is strictly behind the test-run time');
  r = e.evaluate(10_001);
  assert.equal(r.abort, true);
  // As k6: every metric crossed at this check, with or without abortOnFail.
  assert.equal(
    r.message,
    "thresholds on metrics 'checks, http_req_duration' were crossed; at least one has abortOnFail enabled, stopping test prematurely",
  );
  e.add([s('http_reqs', 1, { status: '500' })]);
  r = e.evaluate(10_500);
  assert.equal(
    r.message?.startsWith(
      "thresholds on metrics 'checks, http_req_duration, http_reqs{status:500}' were crossed",
    ),
    true,
  );
  const data = buildSummaryData(e, { testRunDurationMs: 10_500 });
  assert.deepEqual(data.metrics['http_reqs{status:500}'].thresholds, { 'count<1': { ok: false } });
});
