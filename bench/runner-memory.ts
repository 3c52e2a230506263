// A one-hour soak at 1,000 requests/s, synthetic and in-process: 3.6M requests' http_req_* samples (9 per
// request) plus iterations and vus go through the metrics engine. Reports the engine's heap growth at
// checkpoints (it must flatten once the Trend sinks move to their sketches), the quantile error against the
// exact values, and, for scale, the heap one Trend costs when it keeps every value (as k6 does).
// Usage: node --expose-gc --import tsx bench/runner-memory.ts [--minutes 60] [--rate 1000] [--budget-mb 16]
import { parseArgs } from 'node:util';
import { MetricsEngine } from '../runner/metrics/engine.ts';
import { TrendSink } from '../runner/metrics/sinks.ts';
import { RELATIVE_ACCURACY } from '../runner/metrics/sketch.ts';
import type { Sample } from '../runner/metrics/types.ts';
import { buildSummaryData } from '../runner/summary/data.ts';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '60' },
    rate: { type: 'string', default: '1000' },
    'budget-mb': { type: 'string', default: '16' },
  },
});
const seconds = Number(values.minutes) * 60;
const rate = Number(values.rate);
const budgetMb = Number(values['budget-mb']);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  console.error('run with node --expose-gc');
  process.exit(2);
}
const heapMb = () => {
  gc!();
  gc!();
  // Typed-array stores (the exact values, the sketches' buckets) live outside the JS heap: count both.
  const m = process.memoryUsage();
  return (m.heapUsed + m.arrayBuffers) / 2 ** 20;
};

// Deterministic log-normal-ish latencies: a 20 ms body with a long tail, a few slow outliers.
let seed = 1;
const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
const latency = () => {
  const g = (rnd() + rnd() + rnd() + rnd() - 2) * 1.7;
  return rnd() < 0.001 ? 2000 + rnd() * 8000 : 20 * Math.exp(g * 0.6);
};

const total = seconds * rate;
const exact = new Float64Array(total); // allocated before the baseline: not part of the engine's heap
const base = heapMb();

const engine = new MetricsEngine({
  thresholds: {
    http_req_duration: ['p(95)<500', 'p(99)<1500'],
    'http_req_duration{name:conversations}': ['p(95)<800'],
    http_req_failed: ['rate<0.01'],
    'http_reqs{status:429}': ['count<100000'],
  },
});
engine.define({ name: 'retries', type: 'counter', contains: 'default' });
engine.validate();
const t0 = Date.UTC(2026, 0, 1);
engine.begin(t0);

const tagSets = ['conversations', 'messages', 'token'].map((name) =>
  [200, 429].map((status) => ({
    name,
    status: String(status),
    method: 'POST',
    url: `http://127.0.0.1:8080/api/v2/${name}`,
    group: '',
    scenario: 'soak',
    proto: 'HTTP/1.1',
    expected_response: String(status === 200),
  })),
);
const iterTags = { group: '', scenario: 'soak' };
const phases = [
  'http_req_blocked',
  'http_req_connecting',
  'http_req_tls_handshaking',
  'http_req_sending',
  'http_req_waiting',
  'http_req_receiving',
];

const checkpoints = new Map<number, string>([
  [60, '1 min'],
  [600, '10 min'],
  [1800, '30 min'],
  [seconds, `${seconds / 60} min`],
]);
const rows: string[] = [];
let n = 0;
let samples = 0;
const started = performance.now();
for (let s = 0; s < seconds; s++) {
  const batch: Sample[] = [{ metric: 'vus', time: t0 + s * 1000, value: 50, tags: {} }];
  for (let k = 0; k < rate; k++) {
    const time = t0 + s * 1000 + k;
    const d = latency();
    exact[n++] = d;
    const is429 = k % 97 === 0;
    const tags = tagSets[k % 3][is429 ? 1 : 0];
    batch.push({ metric: 'http_reqs', time, value: 1, tags });
    batch.push({ metric: 'http_req_duration', time, value: d, tags });
    for (const p of phases)
      batch.push({ metric: p, time, value: p === 'http_req_waiting' ? d * 0.9 : d * 0.02, tags });
    batch.push({ metric: 'http_req_failed', time, value: is429 ? 1 : 0, tags });
    if (is429) batch.push({ metric: 'retries', time, value: 1, tags: iterTags });
    batch.push({ metric: 'iterations', time, value: 1, tags: iterTags });
    batch.push({ metric: 'iteration_duration', time, value: d + 1, tags: iterTags });
  }
  samples += batch.length;
  engine.add(batch);
  if (s % 2 === 1) engine.evaluate((s + 1) * 1000);
  const label = checkpoints.get(s + 1);
  if (label) {
    const mb = heapMb() - base;
    rows.push(`| ${label} | ${(n / 1e6).toFixed(2)}M | ${mb.toFixed(1)} MB |`);
    console.error(`${label}: ${n} requests, engine heap +${mb.toFixed(1)} MB`);
  }
}
const elapsedS = (performance.now() - started) / 1000;
const final = engine.finalize(seconds * 1000);
const growth = heapMb() - base;

// Quantile error of the summary's http_req_duration against the exact values.
exact.sort();
const data = buildSummaryData(engine, { testRunDurationMs: seconds * 1000 });
const got = data.metrics.http_req_duration.values;
const exactP = (p: number) => {
  const i = p * (total - 1);
  return exact[Math.floor(i)] + (exact[Math.ceil(i)] - exact[Math.floor(i)]) * (i - Math.floor(i));
};
const errRows: string[] = [];
let worst = 0;
for (const [stat, p] of [
  ['med', 0.5],
  ['p(90)', 0.9],
  ['p(95)', 0.95],
] as const) {
  const want = exactP(p);
  const err = Math.abs(got[stat] - want) / want;
  worst = Math.max(worst, err);
  errRows.push(`| ${stat} | ${want.toFixed(4)} | ${got[stat].toFixed(4)} | ${(err * 100).toFixed(3)} % |`);
}
for (const [label, v] of [
  ['min', exact[0]],
  ['max', exact[total - 1]],
] as const) {
  const mine = got[label];
  errRows.push(`| ${label} | ${v.toFixed(4)} | ${mine.toFixed(4)} | ${mine === v ? 'exact' : 'DIFF'} |`);
}

// For scale: one Trend that keeps every value, as k6 does, for the same 3.6M durations.
const before = heapMb();
const keepAll = new TrendSink(Infinity);
for (let i = 0; i < total; i++) keepAll.add(exact[i]);
const keepAllMb = heapMb() - before;
void keepAll.percentile(0.95);

console.log(
  `one-hour soak: ${seconds} s × ${rate} req/s = ${total} requests, ${(samples / 1e6).toFixed(1)}M samples`,
);
console.log(`fed in ${elapsedS.toFixed(1)} s (${(samples / elapsedS / 1e6).toFixed(2)}M samples/s)`);
console.log(`thresholds failed: ${final.failed.join(', ') || 'none'}`);
console.log('| simulated time | requests | engine heap growth |\n|---|---|---|');
console.log(rows.join('\n'));
console.log(`\n| http_req_duration | exact | engine | relative error |\n|---|---|---|---|`);
console.log(errRows.join('\n'));
console.log(`\nkeeping every value (k6 style) for http_req_duration alone: +${keepAllMb.toFixed(1)} MB`);
const ok = growth <= budgetMb && worst <= RELATIVE_ACCURACY;
console.log(
  `${ok ? 'PASS' : 'FAIL'}: engine heap +${growth.toFixed(1)} MB (budget ${budgetMb} MB), worst quantile error ${(worst * 100).toFixed(3)} % (bound ${RELATIVE_ACCURACY * 100} %)`,
);
process.exit(ok ? 0 : 1);
