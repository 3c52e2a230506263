// Registry rules, sinks with k6's arithmetic, the exact-then-sketch Trend, sub-metrics and the report series.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { MetricsEngine } from '../metrics/engine.ts';
import { MetricError, Registry } from '../metrics/registry.ts';
import { GaugeSink, RateSink, TrendSink } from '../metrics/sinks.ts';
import { QuantileSketch, RELATIVE_ACCURACY } from '../metrics/sketch.ts';
import { TimeSeries } from '../metrics/series.ts';
import type { Sample } from '../metrics/types.ts';
import { buildSummaryData } from '../summary/data.ts';

const sample = (metric: string, value: number, tags: Record<string, string> = {}, time = 0): Sample => ({
  metric,
  value,
  tags,
  time,
});

test('registry: built-ins, name rule, identical redeclaration, conflicting types', () => {
  const r = new Registry();
  assert.deepEqual(r.get('http_req_duration'), {
    name: 'http_req_duration',
    type: 'trend',
    contains: 'time',
  });
  assert.deepEqual(r.get('data_sent'), { name: 'data_sent', type: 'counter', contains: 'data' });
  assert.equal(r.get('checks')?.type, 'rate');
  const def = r.define({ name: 'retries', type: 'counter', contains: 'default' });
  assert.equal(r.define({ name: 'retries', type: 'counter', contains: 'default' }), def);
  assert.throws(() => r.define({ name: 'retries', type: 'trend', contains: 'default' }), MetricError);
  assert.throws(() => r.define({ name: 'retries', type: 'counter', contains: 'time' }), /value type/);
  assert.throws(() => r.define({ name: 'http_reqs', type: 'trend', contains: 'time' }), /already exists/);
  for (const bad of ['1abc', 'a', 'has-dash', 'sp ace', 'x'.repeat(130)]) {
    assert.throws(() => r.define({ name: bad, type: 'counter', contains: 'default' }), MetricError, bad);
  }
  r.define({ name: 'ab', type: 'gauge', contains: 'default' });
  r.define({ name: '_x' + 'y'.repeat(127), type: 'gauge', contains: 'default' });
});

test('gauge keeps last/min and k6 v0.49 max starting at 0; rate counts non-zero', () => {
  const g = new GaugeSink();
  for (const v of [-5, -2, -9]) g.add(v);
  assert.deepEqual([g.value, g.min, g.max], [-9, -9, 0]);
  const r = new RateSink();
  assert.equal(r.rate(), undefined);
  for (const v of [1, 0, 2, 0]) r.add(v);
  assert.deepEqual([r.trues, r.total, r.rate()], [2, 4, 0.5]);
});

test('trend percentiles interpolate like k6 while exact', () => {
  const t = new TrendSink();
  assert.equal(t.percentile(0.95), 0);
  t.add(7);
  assert.equal(t.percentile(0.9), 7);
  for (const v of [1, 3, 2, 10]) t.add(v); // 1 2 3 7 10
  assert.equal(t.percentile(0.5), 3);
  assert.equal(t.percentile(0.9), 7 + (10 - 7) * (0.9 * 4 - 3));
  assert.deepEqual([t.min, t.max, t.avg(), t.count], [1, 10, 23 / 5, 5]);
  t.add(0.5); // unsorted again after a read
  assert.equal(t.percentile(0), 0.5);
});

test('trend switches to the sketch past its limit and stays within the documented error', () => {
  const exact: number[] = [];
  const t = new TrendSink(1000);
  let seed = 42;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < 50_000; i++) {
    const v = Math.exp(rnd() * 8) / 10; // 0.1 ms .. 300 ms, log-uniform
    exact.push(v);
    t.add(v);
  }
  assert.ok(t.approximate);
  exact.sort((a, b) => a - b);
  for (const p of [0.01, 0.5, 0.9, 0.95, 0.99, 0.999]) {
    const i = p * (exact.length - 1);
    const want = exact[Math.floor(i)] + (exact[Math.ceil(i)] - exact[Math.floor(i)]) * (i - Math.floor(i));
    const got = t.percentile(p);
    assert.ok(Math.abs(got - want) <= RELATIVE_ACCURACY * want, `p${p * 100}: ${got} vs ${want}`);
  }
  assert.equal(t.min, exact[0]);
  assert.equal(t.max, exact[exact.length - 1]);
  assert.ok(t.bytes() < 64 * 1024, `sketch holds ${t.bytes()} bytes`);
});

test('sketch handles zeros, negatives, merges and a huge range without growing past its cap', () => {
  const s = new QuantileSketch();
  for (const v of [-100, -1, 0, 0, 1, 100]) s.add(v);
  assert.equal(s.valueAtRank(0), -100);
  assert.ok(Math.abs(s.valueAtRank(1) - -1) <= 0.01);
  assert.equal(s.valueAtRank(2), 0);
  assert.ok(Math.abs(s.valueAtRank(4) - 1) <= 0.01);
  const wide = new QuantileSketch();
  for (let e = -300; e <= 300; e += 0.05) wide.add(Math.pow(10, e));
  assert.ok(wide.bytes() <= 4096 * 8 + 64 + 512, `capped: ${wide.bytes()}`);
  const other = new QuantileSketch();
  other.add(5);
  s.merge(other);
  assert.equal(s.count, 7);
});

test('engine: sub-metric sinks for selectors plus expected_response:true; vu/iter never match', () => {
  const e = new MetricsEngine({
    thresholds: {
      'http_reqs{status:429}': ['count<1'],
      'http_reqs{ name : \'login\', method:"POST" }': ['count>0'],
      'http_reqs{vu:1}': ['count>=0'],
    },
  });
  e.validate();
  e.add([
    sample('http_reqs', 1, { status: '429', name: 'login', method: 'POST', vu: '1' }),
    sample('http_reqs', 1, { status: '200', name: 'login', method: 'GET' }),
    sample('http_req_duration', 5, { expected_response: 'true' }),
    sample('http_req_duration', 50, { expected_response: 'false' }),
  ]);
  const data = buildSummaryData(e, { testRunDurationMs: 1000 });
  assert.equal(data.metrics['http_reqs{status:429}'].values.count, 1);
  assert.equal(data.metrics[`http_reqs{ name : 'login', method:"POST" }`].values.count, 1);
  assert.equal(data.metrics['http_reqs{vu:1}'].values.count, 0);
  assert.equal(data.metrics['http_req_duration{expected_response:true}'].values.max, 5);
  assert.equal(data.metrics.http_req_duration.values.max, 50);
  assert.equal(data.metrics.http_reqs.values.rate, 2);
  // never observed: not in the summary
  assert.equal(data.metrics.iterations, undefined);
});

test('engine: thresholded metrics show even without samples; empty sinks follow k6', () => {
  const e = new MetricsEngine({
    thresholds: { checks: ['rate==1'], iterations: ['count>0'], 'group_duration{group:::x}': ['p(95)<1'] },
  });
  const data = buildSummaryData(e, { testRunDurationMs: 1000 });
  assert.deepEqual(Object.keys(data.metrics).sort(), [
    'checks',
    'group_duration',
    'group_duration{group:::x}',
    'iterations',
  ]);
  assert.deepEqual(data.metrics.checks.values, { rate: 0, passes: 0, fails: 0 });
  assert.equal(data.metrics.group_duration.thresholds, undefined);
  assert.deepEqual(data.metrics['group_duration{group:::x}'].values.avg, 0);
});

test('engine: groups and checks build root_group with md5 ids; custom metrics need a definition', () => {
  const e = new MetricsEngine();
  e.define({ name: 'retries', type: 'counter', contains: 'default' });
  e.add([
    sample('checks', 1, { group: '', check: 'top' }),
    sample('checks', 0, { group: '::a::b', check: 'deep' }),
    sample('checks', 1, { group: '::a::b', check: 'deep' }),
    sample('group_duration', 1, { group: '::a' }),
    sample('retries', 2, {}),
    sample('nonexistent', 1, {}),
  ]);
  const root = buildSummaryData(e, { testRunDurationMs: 1 }).root_group;
  assert.equal(root.id, 'd41d8cd98f00b204e9800998ecf8427e');
  assert.deepEqual(
    root.checks.map((c) => [c.path, c.passes, c.fails]),
    [['::top', 1, 0]],
  );
  assert.equal(root.groups[0].path, '::a');
  assert.equal(root.groups[0].groups[0].name, 'b');
  assert.deepEqual(root.groups[0].groups[0].checks[0], {
    name: 'deep',
    path: '::a::b::deep',
    id: createHash('md5').update('::a::b::deep').digest('hex'),
    passes: 1,
    fails: 1,
  });
  assert.deepEqual(e.undefinedMetrics(), ['nonexistent']);
});

test('time series coarsens to stay bounded and keeps totals', () => {
  const ts = new TimeSeries(10);
  for (let s = 0; s < 100; s++) {
    for (let k = 0; k < 4; k++)
      ts.add(sample('http_reqs', 1, { status: k === 0 ? '429' : '200' }, s * 1000 + k));
    ts.add(sample('http_req_duration', 10 + s, {}, s * 1000));
    ts.add(sample('vus', s, {}, s * 1000));
  }
  assert.ok(ts.length <= 10);
  assert.equal(ts.widthMs, 16000);
  const pts = ts.points();
  const total = pts.reduce((a, p) => a + (p.reqRate * ts.widthMs) / 1000, 0);
  assert.equal(total, 400);
  assert.equal(pts[0].rate429, 1);
  assert.equal(pts[0].vus, 15);
  assert.ok(pts[0].p95! >= 24 && pts[0].p95! <= 25.3);
  // the last bucket (96..100 s) is only a quarter covered: its rate is not diluted by the empty rest
  const end = ts.points(100_000);
  assert.equal(end[end.length - 1].reqRate, 4);
  assert.equal(pts[pts.length - 1].reqRate, 1);
});
