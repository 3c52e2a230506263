// Reading a k6 NDJSON stream back: what the runner writes gives the series its engine kept, a real k6 v0.49
// stream gives k6's counts, and a stream cut short by a killed engine still gives what it holds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { MetricsEngine } from '../metrics/engine.ts';
import type { Sample } from '../metrics/types.ts';
import { JsonOutput } from '../outputs/json.ts';
import { parseTime, readJsonOutput } from '../outputs/json-read.ts';
import { REFERENCE, runFile, skipReason } from './reference.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'runner-json-read-'));

/** 40 s of traffic with 429s, retries and final failures, plus metrics the series ignores. */
function traffic(t0: number): Sample[] {
  const out: Sample[] = [];
  for (let s = 0; s < 40; s++) {
    out.push({ metric: 'vus', time: t0 + s * 1000, value: 1 + (s % 5), tags: {} });
    for (let k = 0; k < 10; k++) {
      const time = t0 + s * 1000 + k * 97.3;
      const status = (s * 10 + k) % 7 === 0 ? '429' : '200';
      const tags = { status, method: 'GET', name: 'x' };
      out.push({ metric: 'http_reqs', time, value: 1, tags });
      out.push({ metric: 'http_req_duration', time, value: 5 + k + s / 10, tags });
      out.push({ metric: 'http_req_waiting', time, value: 4 + k, tags });
      out.push({ metric: 'http_req_failed', time, value: status === '429' ? 1 : 0, tags });
      if (status === '429') out.push({ metric: 'retries', time, value: 1, tags: { reason: 'rate_limited' } });
      out.push({ metric: 'final_failures', time, value: k === 9 && s % 3 === 0 ? 1 : 0, tags: {} });
    }
  }
  return out;
}

async function written(name: string, samples: Sample[], t0: number): Promise<MetricsEngine> {
  const engine = new MetricsEngine({ thresholds: { retries: ['count<10'] } });
  engine.define({ name: 'retries', type: 'counter', contains: 'default' });
  engine.define({ name: 'final_failures', type: 'rate', contains: 'default' });
  engine.validate();
  engine.begin(t0);
  const out = await JsonOutput.open(path.join(dir, name), engine);
  engine.addOutput(out);
  for (let i = 0; i < samples.length; i += 50) engine.add(samples.slice(i, i + 50));
  await out.stop();
  return engine;
}

test("the runner's --out json stream reads back into the series its engine kept", async () => {
  const t0 = Date.UTC(2026, 10, 29, 3, 0, 0, 250);
  const engine = await written('run.json.gz', traffic(t0), t0);
  const read = await readJsonOutput(path.join(dir, 'run.json.gz'));
  assert.equal(read.truncated, undefined);
  assert.equal(read.skipped, 0);
  assert.equal(read.series.startMs, t0);
  assert.deepEqual(read.series.totals, engine.series.totals);
  assert.deepEqual(read.series.points(40_000), engine.series.points(40_000));
  assert.ok(read.series.hasRetries && read.series.hasFinalFailures);
  assert.equal(read.series.totals.finalFailures, 14);
  assert.deepEqual(read.defs.get('final_failures'), {
    name: 'final_failures',
    type: 'rate',
    contains: 'default',
  });
  assert.equal(read.duration.count, 400);
});

test('other names for the retry and final-failure metrics, and a stream without them', async () => {
  const t0 = Date.UTC(2026, 10, 29, 3, 0, 0);
  const renamed = traffic(t0).map((s) =>
    s.metric === 'retries'
      ? { ...s, metric: 'attempts' }
      : s.metric === 'final_failures'
        ? { ...s, metric: 'gave_up' }
        : s,
  );
  const file = path.join(dir, 'renamed.jsonl');
  const lines = renamed.map((s) =>
    JSON.stringify({
      metric: s.metric,
      type: 'Point',
      data: { time: new Date(s.time).toISOString(), value: s.value, tags: s.tags },
    }),
  );
  writeFileSync(file, lines.join('\n') + '\n');
  const read = await readJsonOutput(file, { names: { retries: 'attempts', finalFailures: 'gave_up' } });
  assert.equal(read.series.totals.retries, 58);
  assert.equal(read.series.totals.finalFailures, 14);
  const plain = await readJsonOutput(file);
  assert.equal(plain.series.hasRetries, false);
  assert.equal(plain.series.hasFinalFailures, false);
  assert.equal(plain.series.totals.status429, 58);
});

test('a real k6 v0.49 stream gives the counts k6 summarised', { skip: skipReason }, async () => {
  const run = '02-status-metrics';
  const read = await readJsonOutput(path.join(REFERENCE, 'runs', run, 'out.jsonl'));
  const exported = JSON.parse(runFile(run, 'summary-export.json')).metrics;
  assert.equal(read.skipped, 0);
  assert.equal(read.series.totals.reqs, exported.http_reqs.count);
  assert.equal(read.series.totals.status429, exported['http_reqs{status:429}'].count);
  assert.equal(read.series.totals.failed, exported.http_req_failed.passes);
});

test('a gzip stream cut short keeps the lines before the cut; a corrupt one fails with its name', async () => {
  const t0 = Date.UTC(2026, 10, 29, 3, 0, 0);
  await written('cut.json.gz', traffic(t0), t0);
  const whole = readFileSync(path.join(dir, 'cut.json.gz'));
  writeFileSync(path.join(dir, 'cut-short.json.gz'), whole.subarray(0, Math.floor(whole.length * 0.6)));
  const read = await readJsonOutput(path.join(dir, 'cut-short.json.gz'));
  assert.match(read.truncated ?? '', /gzip stream ends early/);
  assert.ok(read.series.totals.reqs > 100 && read.series.totals.reqs < 400, `${read.series.totals.reqs}`);

  writeFileSync(
    path.join(dir, 'cut-line.json'),
    '{"type":"Metric","data":{"name":"vus"}}\n{"metric":"vus","ty',
  );
  const line = await readJsonOutput(path.join(dir, 'cut-line.json'));
  assert.match(line.truncated ?? '', /last line is cut short after 1 lines/);
  assert.equal(line.skipped, 0);

  const corrupt = Buffer.from(whole);
  corrupt.fill(0x55, 200, 260);
  writeFileSync(path.join(dir, 'corrupt.json.gz'), corrupt);
  await assert.rejects(
    readJsonOutput(path.join(dir, 'corrupt.json.gz')),
    /^Error: could not read .*corrupt\.json\.gz: /,
  );
});

test('gzip is found by its bytes, fields in any order, and junk lines are counted', async () => {
  const file = path.join(dir, 'mixed.data');
  const text = [
    '{"type":"Point","metric":"http_reqs","data":{"tags":{"status":"429"},"value":1,"time":"2026-11-29T03:00:00+01:00"}}',
    'not json',
    '{"type":"Other"}',
    '{"metric":"http_reqs","type":"Point","data":{"time":"2026-11-29T02:00:01.5Z","value":1,"tags":{"status":"200"}}}',
  ].join('\n');
  writeFileSync(file, gzipSync(text));
  const read = await readJsonOutput(file);
  assert.equal(read.series.totals.reqs, 2);
  assert.equal(read.series.totals.status429, 1);
  assert.equal(read.skipped, 2);
  assert.equal(read.last - read.first, 1500);
});

test('RFC 3339 times to the nanosecond, in any zone', () => {
  const base = Date.UTC(2026, 10, 29, 2, 18, 45);
  assert.equal(parseTime('2026-11-29T02:18:45Z'), base);
  assert.equal(parseTime('2026-11-29T03:18:45+01:00'), base);
  assert.ok(Math.abs(parseTime('2026-11-29T02:18:45.912481771Z') - (base + 912.481771)) < 1e-6);
  assert.equal(parseTime('2026-11-29T02:18:45.5-00:30'), base + 30 * 60_000 + 500);
  assert.throws(() => parseTime('yesterday'), /not an RFC 3339 time/);
});
