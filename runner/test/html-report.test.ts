// The runner's HTML report opened in headless Chromium: no console errors, every chart drawn with data, no network.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MetricsEngine } from '../metrics/engine.ts';
import { writeHtmlReport } from '../outputs/html/report.ts';
import type { Sample } from '../metrics/types.ts';
import { noChromium, renderInChromium } from './chromium.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const artifacts = path.join(root, 'build/artifacts');

/** 90 s of synthetic traffic: ramping VUs, some 429s and retries, latency rising with load. */
function syntheticRun(): MetricsEngine {
  const engine = new MetricsEngine({
    thresholds: {
      http_req_duration: ['p(95)<500'],
      'http_reqs{status:429}': ['count<10'],
      retries: ['count<1000'],
    },
  });
  engine.define({ name: 'retries', type: 'counter', contains: 'default' });
  engine.define({ name: 'final_failures', type: 'rate', contains: 'default' });
  engine.validate();
  const t0 = Date.UTC(2026, 10, 29, 3, 0, 0);
  engine.begin(t0);
  for (let s = 0; s < 90; s++) {
    const vus = Math.min(20, 1 + Math.floor(s / 3));
    const batch: Sample[] = [{ metric: 'vus', time: t0 + s * 1000, value: vus, tags: {} }];
    for (let k = 0; k < vus * 5; k++) {
      const time = t0 + s * 1000 + (k * 1000) / (vus * 5);
      const status = k % 17 === 0 && s > 30 ? '429' : '200';
      const tags = { status, name: 'GET /api/v2/conversations', expected_response: String(status === '200') };
      batch.push({ metric: 'http_reqs', time, value: 1, tags });
      batch.push({ metric: 'http_req_duration', time, value: 20 + vus * 10 + (k % 7) * 3, tags });
      batch.push({ metric: 'http_req_failed', time, value: status === '200' ? 0 : 1, tags });
      if (status === '429') batch.push({ metric: 'retries', time, value: 1, tags: {} });
      // one call in 40 still fails after its retries once the 429s start
      const failedAfterRetries = status === '429' && k % 40 === 0 ? 1 : 0;
      if (status === '200' || failedAfterRetries)
        batch.push({ metric: 'final_failures', time, value: failedAfterRetries, tags: {} });
    }
    engine.add(batch);
    if (s % 2 === 1) engine.evaluate((s + 1) * 1000);
  }
  engine.finalize(90_000);
  return engine;
}

test('report.html renders every chart with data in headless Chromium', { skip: noChromium }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'runner-html-'));
  const file = path.join(dir, 'report.html');
  const engine = syntheticRun();
  await writeHtmlReport(file, engine, { title: 'synthetic <run>', testRunDurationMs: 90_000 });
  const html = readFileSync(file, 'utf8');
  assert.ok(!/\b(src|href)=["']?https?:/i.test(html), 'no external resources');
  assert.ok(html.includes('synthetic &lt;run&gt;'));

  mkdirSync(artifacts, { recursive: true });
  const page = await renderInChromium(file, path.join(artifacts, 'html-report.png'));
  assert.deepEqual(page.problems, []);
  assert.deepEqual(page.requests, []);
  assert.deepEqual(
    page.charts.map((c) => c.id),
    ['reqs', 'p95', 'r429', 'retries', 'final', 'vus'],
  );
  for (const c of page.charts) {
    assert.ok(c.points >= 80, `${c.id}: ${c.points} points`);
    assert.ok(c.inked > 500, `${c.id}: ${c.inked} pixels drawn`);
  }
  for (const id of ['r429', 'retries', 'final']) {
    assert.ok(page.charts.find((c) => c.id === id)!.peak > 0, `${id} rises above zero`);
  }
  const rows = page.thresholds.map((r) => r.join('|'));
  assert.equal(rows.length, 3);
  assert.ok(
    rows.some((r) => r.includes('http_reqs{status:429}') && r.includes('✗ fail')),
    rows.join('\n'),
  );
  assert.ok(
    rows.some((r) => r.includes('p(95)<500') && r.includes('✓ pass')),
    rows.join('\n'),
  );
  const { totals } = page;
  // 90 s of 5 requests per VU-second, VUs 1..20; 429s every 17th request after 30 s
  assert.equal(totals.requests, String(engine.series.totals.reqs));
  assert.ok(Number(totals.status429) > 0, `429s: ${JSON.stringify(totals)}`);
  assert.equal(totals.retries, totals.status429);
  assert.equal(totals.finalFailures, String(engine.series.totals.finalFailures));
  assert.ok(Number(totals.finalFailures) > 0);
  assert.equal(totals.maxVus, '20');
});
