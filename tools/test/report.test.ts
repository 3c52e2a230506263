// tools/report.ts on a run directory: the threshold table from summary.json in either shape, what the page
// says when a file is missing or broken, and its one-line failure.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { buildReport, summaryData } from '../report.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
// A suite-shaped run: 8 thresholds, two of them crossed.
const suite = JSON.parse(readFileSync(path.join(here, 'fixtures', 'handle-summary-suite.json'), 'utf8'));

function runDir(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'report-'));
  for (const [name, body] of Object.entries(files)) writeFileSync(path.join(dir, name), body);
  return dir;
}

const t0 = Date.parse('2026-11-29T03:00:00Z');
const point = (metric: string, ms: number, value: number, tags = {}) =>
  JSON.stringify({ metric, type: 'Point', data: { time: new Date(t0 + ms).toISOString(), value, tags } });
const stream = gzipSync(
  [
    point('http_reqs', 0, 1, { status: '200' }),
    point('http_req_duration', 0, 12),
    point('http_reqs', 400, 1, { status: '429' }),
    point('retries', 401, 1),
    point('vus', 500, 4),
  ].join('\n') + '\n',
);

// A page is 50 kB of inlined uPlot: a failed match shows the pattern, not the page.
const has = (html: string, re: RegExp) => assert.ok(re.test(html), `report.html lacks ${re}`);
const hasNot = (html: string, re: RegExp) => assert.ok(!re.test(html), `report.html has ${re}`);

const rows = (html: string) =>
  [
    ...html.matchAll(
      /<tr><td>([^<]*)<\/td><td><code>([^<]*)<\/code><\/td><td>([^<]*)<\/td><td class="(ok|fail)">/g,
    ),
  ].map((m) => `${m[1]} ${m[2]} ${m[3]} ${m[4]}`);

describe('report.html from a run directory', () => {
  it("takes the verdicts from the suite's summary.json, as junit.xml and summary.md show them", async () => {
    const dir = runDir({
      'metrics.json.gz': stream,
      'summary.json': JSON.stringify({ passed: false, data: suite }),
    });
    const { file, notes } = await buildReport({ dir, title: 'load: <report>', engine: 'k6 v2.2.0' });
    assert.deepEqual(notes, []);
    const html = readFileSync(file, 'utf8');
    has(html, /<title>load: &lt;report&gt;<\/title>/);
    has(html, /ran with k6 v2\.2\.0 · duration 1m0/);
    const table = rows(html);
    assert.equal(table.length, 8);
    assert.ok(table.includes('rate_limited rate&lt;0.05 7.50% fail'), table.join('\n'));
    assert.ok(
      table.some((r) => r.startsWith('http_req_duration{name:conversations} p(95)&lt;300 412.5ms fail')),
    );
    assert.ok(table.includes('http_req_duration p(99.9)&lt;1000 n/a ok'), table.join('\n'));
    // k6's p95 over the run, not the stream's one request
    has(html, /<td data-total="p95">[^<]*<\/td>/);
    hasNot(html, /<td data-total="p95">12ms<\/td>/);
    has(html, /<td data-total="status429">1<\/td>/);
  });

  it('reads handleSummary data written as it is, and says when there is none', async () => {
    assert.equal(summaryData({ data: suite }), suite);
    assert.equal(summaryData(suite), suite);
    assert.equal(summaryData({ passed: true }), undefined);
    assert.equal(summaryData({ data: { metrics: null } }), undefined);

    const bare = runDir({ 'metrics.json.gz': stream, 'summary.json': JSON.stringify(suite) });
    assert.equal(rows(readFileSync((await buildReport({ dir: bare })).file, 'utf8')).length, 8);

    const none = await buildReport({ dir: runDir({ 'metrics.json.gz': stream }) });
    assert.deepEqual(none.notes, [
      'no summary.json: handleSummary did not run or failed, so the threshold verdicts are unknown',
    ]);
    const html = readFileSync(none.file, 'utf8');
    has(html, /<p class="note">no summary\.json: handleSummary did not run/);
    has(html, /<p id="thresholds">No threshold verdicts for this run\.<\/p>/);
    has(html, /<td data-total="p95">12ms<\/td>/);

    const broken = await buildReport({ dir: runDir({ 'metrics.json.gz': stream, 'summary.json': '{' }) });
    assert.match(
      broken.notes[0],
      /^summary\.json is not JSON \(.+\), so the threshold verdicts are unknown$/,
    );
  });

  it('fails with one line when the engine wrote no metrics stream', async () => {
    const dir = runDir({ 'summary.json': JSON.stringify({ data: suite }) });
    await assert.rejects(buildReport({ dir }), (e: Error) => {
      assert.match(e.message, /metrics\.json\.gz is missing: the engine wrote no metrics stream$/);
      assert.doesNotMatch(e.message, /\n/);
      return true;
    });
  });
});
