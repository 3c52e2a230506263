// --out json: replaying a reference run's samples through the engine must write k6's NDJSON lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { MetricsEngine } from '../metrics/engine.ts';
import {
  FLUSH_INTERVAL_MS,
  formatFloat,
  formatTime,
  goDuration,
  JsonOutput,
  pointLine,
} from '../outputs/json.ts';
import { parseTime, readStream, RUNS, skipReason } from './reference.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'runner-json-'));

function normalise(line: string) {
  const o = JSON.parse(line);
  // Sub-metrics come from a Go map in k6: their order is not part of the format.
  if (o.type === 'Metric' && o.data.submetrics)
    o.data.submetrics.sort((a: any, b: any) => (a.name < b.name ? -1 : 1));
  return o;
}

for (const run of Object.keys(RUNS)) {
  test(`${run}: replayed samples produce k6's out.jsonl`, { skip: skipReason }, async () => {
    const stream = readStream(run);
    const engine = new MetricsEngine({ thresholds: RUNS[run].thresholds });
    for (const d of stream.defs) engine.define(d);
    engine.validate();
    const file = path.join(dir, `${run}.jsonl`);
    const out = await JsonOutput.open(file, engine);
    engine.addOutput(out);
    for (const s of stream.samples) engine.add([s]);
    await out.stop();
    const got = readFileSync(file, 'utf8').split('\n');
    assert.equal(got.pop(), '', 'ends with a newline');
    assert.equal(got.length, stream.lines.length);
    for (let i = 0; i < got.length; i++) {
      const a = normalise(got[i]);
      const b = normalise(stream.lines[i]);
      if (a.type === 'Point') {
        // A float epoch-ms keeps ~0.25 µs: compare the instant to the microsecond, the text shape exactly.
        assert.ok(Math.abs(parseTime(a.data.time) - parseTime(b.data.time)) < 0.001, `line ${i} time`);
        assert.match(a.data.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)$/);
        a.data.time = b.data.time;
      }
      assert.deepEqual(a, b, `line ${i}`);
    }
  });
}

test('time and number formats follow Go', () => {
  const t = Date.UTC(2026, 10, 29, 2, 18, 45, 580) + 0.784;
  const text = formatTime(t);
  if (new Date(t).getTimezoneOffset() === 0) assert.equal(text, '2026-11-29T02:18:45.580784Z');
  assert.equal(formatTime(Date.UTC(2026, 0, 1)).replace(/(Z|[+-]\d\d:\d\d)$/, '').length, 19, 'no fraction');
  assert.equal(formatFloat(1e-7), '1e-07');
  assert.equal(formatFloat(0.5), '0.5');
  assert.equal(formatFloat(30), '30');
  const durations: Array<[number, string]> = [
    [0, '0s'],
    [0.0005, '500ns'],
    [0.25, '250µs'],
    [500, '500ms'],
    [1500, '1.5s'],
    [90_000, '1m30s'],
    [7_200_000, '2h0m0s'],
  ];
  for (const [ms, text] of durations) assert.equal(goDuration(ms), text);
  // Go sorts map keys; the same tags object is served from the cache the second time.
  const tags = { status: '200', method: 'GET', group: '' };
  for (let i = 0; i < 2; i++) {
    assert.ok(
      pointLine({ metric: 'x', time: 0, value: 1, tags }).includes(
        '"tags":{"group":"","method":"GET","status":"200"}',
      ),
    );
  }
});

test('gzip output, abortOnFail thresholds as objects, flushed while running', async () => {
  const engine = new MetricsEngine({
    thresholds: { http_reqs: [{ threshold: 'count<5', abortOnFail: true, delayAbortEval: '1s' }, 'rate>1'] },
  });
  const file = path.join(dir, 'x.jsonl.gz');
  const out = await JsonOutput.open(file, engine);
  engine.addOutput(out);
  engine.add([
    { metric: 'http_reqs', time: Date.now(), value: 1, tags: { status: '200' }, metadata: { trace: 'a' } },
  ]);
  await new Promise((r) => setTimeout(r, FLUSH_INTERVAL_MS * 2));
  await out.stop();
  const lines = gunzipSync(readFileSync(file))
    .toString()
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.equal(lines.length, 2);
  assert.deepEqual(lines[0].data.thresholds, [
    { threshold: 'count<5', abortOnFail: true, delayAbortEval: '1s' },
    'rate>1',
  ]);
  assert.deepEqual(lines[1].data.metadata, { trace: 'a' });
});

test('a plain file is written at the flush interval, before stop()', async () => {
  const engine = new MetricsEngine();
  const file = path.join(dir, 'live.jsonl');
  const out = await JsonOutput.open(file, engine);
  engine.addOutput(out);
  engine.add([{ metric: 'vus', time: Date.now(), value: 3, tags: {} }]);
  assert.equal(readFileSync(file, 'utf8'), '');
  await new Promise((r) => setTimeout(r, FLUSH_INTERVAL_MS + 150));
  assert.equal(readFileSync(file, 'utf8').trim().split('\n').length, 2);
  await out.stop();
});

test("'-' writes the stream to stdout; an unopenable path is one clear error", async () => {
  const here = path.dirname(new URL(import.meta.url).pathname);
  const code = `
    import { MetricsEngine } from ${JSON.stringify(path.join(here, '../metrics/engine.ts'))};
    import { JsonOutput } from ${JSON.stringify(path.join(here, '../outputs/json.ts'))};
    const engine = new MetricsEngine();
    const out = await JsonOutput.open('-', engine);
    engine.addOutput(out);
    engine.add([{ metric: 'iterations', time: 0, value: 1, tags: { scenario: 'default' } }]);
    await out.stop();`;
  const stdout = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    encoding: 'utf8',
  });
  const lines = stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.deepEqual(
    lines.map((l) => l.type),
    ['Metric', 'Point'],
  );
  assert.deepEqual(lines[1].data.tags, { scenario: 'default' });
  await assert.rejects(
    JsonOutput.open(path.join(dir, 'missing-dir', 'x.jsonl'), new MetricsEngine()),
    /^Error: could not open the json output ".*x\.jsonl": ENOENT/,
  );
});
