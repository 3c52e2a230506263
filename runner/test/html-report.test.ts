// The HTML report opened in headless Chromium: no console errors, every chart drawn with data, no network.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { MetricsEngine } from '../metrics/engine.ts';
import { writeHtmlReport } from '../outputs/html/report.ts';
import type { Sample } from '../metrics/types.ts';

const CHROMIUM = '/usr/bin/chromium';
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
    }
    engine.add(batch);
    if (s % 2 === 1) engine.evaluate((s + 1) * 1000);
  }
  engine.finalize(90_000);
  return engine;
}

test(
  'report.html renders every chart with data in headless Chromium',
  { skip: !existsSync(CHROMIUM) && `${CHROMIUM} not installed` },
  async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'runner-html-'));
    const file = path.join(dir, 'report.html');
    const engine = syntheticRun();
    await writeHtmlReport(file, engine, { title: 'synthetic <run>', testRunDurationMs: 90_000 });
    const html = readFileSync(file, 'utf8');
    assert.ok(!/\b(src|href)=["']?https?:/i.test(html), 'no external resources');
    assert.ok(html.includes('synthetic &lt;run&gt;'));

    // A fresh profile directory per run; playwright takes it as the persistent context's directory.
    const profile = mkdtempSync(path.join(tmpdir(), 'runner-chromium-'));
    const browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1200, height: 1600 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
      page.on('pageerror', (e) => problems.push(String(e)));
      page.on('request', (r) => !r.url().startsWith('file:') && requests.push(r.url()));
      await page.goto(pathToFileURL(file).href);
      // These run in the page; the Node type-check has no DOM types, hence `globalThis as any`.
      await page.waitForFunction(() => (globalThis as any).__report?.charts?.length > 0);
      const charts = await page.evaluate(() =>
        (globalThis as any).__report.charts.map((c: any) => {
          const canvas = (globalThis as any).document.querySelector(`#chart-${c.id} canvas`);
          const px = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
          let inked = 0;
          for (let i = 3; i < px.length; i += 4) if (px[i] !== 0) inked++;
          return { id: c.id, points: c.points, width: canvas.width, inked };
        }),
      );
      assert.deepEqual(problems, []);
      assert.deepEqual(requests, []);
      assert.deepEqual(
        charts.map((c: any) => c.id),
        ['reqs', 'p95', 'r429', 'retries', 'vus'],
      );
      for (const c of charts) {
        assert.ok(c.points >= 80, `${c.id}: ${c.points} points`);
        assert.ok(c.inked > 500, `${c.id}: ${c.inked} pixels drawn`);
      }
      const rows = await page.$$eval('#thresholds tbody tr', (trs) =>
        trs.map((tr) => String(tr.textContent)),
      );
      assert.equal(rows.length, 3);
      assert.ok(
        rows.some((r) => r!.includes('http_reqs{status:429}') && r!.includes('✗ fail')),
        rows.join('|'),
      );
      assert.ok(
        rows.some((r) => r!.includes('p(95)<500') && r!.includes('✓ pass')),
        rows.join('|'),
      );
      const totals = await page.$$eval('#totals td', (tds) => tds.map((td) => String(td.textContent)));
      // 90 s of 5 requests per VU-second, VUs 1..20; 429s every 17th request after 30 s
      assert.equal(totals[0], String(engine.series.totals.reqs));
      assert.ok(Number(totals[3]) > 0 && totals[3] === totals[4], `429s and retries: ${totals.join(' ')}`);
      assert.equal(totals[5], '20');
      mkdirSync(artifacts, { recursive: true });
      await page.screenshot({ path: path.join(artifacts, 'html-report.png'), fullPage: true });
    } finally {
      await browser.close();
    }
  },
);
