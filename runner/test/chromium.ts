// Opens a report.html in headless Chromium (Debian's /usr/bin/chromium through playwright-core) and reads back
// what the page drew: each chart's points and inked pixels, the totals and the threshold rows.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const noChromium = existsSync(CHROMIUM) ? false : `${CHROMIUM} not installed`;

export interface DrawnChart {
  id: string;
  title: string;
  /** values drawn, nulls left out */
  points: number;
  /** the largest value drawn */
  peak: number;
  width: number;
  /** canvas pixels with any ink */
  inked: number;
}

export interface RenderedReport {
  charts: DrawnChart[];
  /** by the cell's data-total key: requests, p95, failed, status429, retries, finalFailures, maxVus */
  totals: Record<string, string>;
  /** each threshold row's cells: metric, threshold, value, result */
  thresholds: string[][];
  /** console errors and page errors */
  problems: string[];
  /** requests for anything but the file itself */
  requests: string[];
}

/** Renders `file`, optionally saving a full-page screenshot. */
export async function renderInChromium(file: string, screenshot?: string): Promise<RenderedReport> {
  // A fresh profile directory per run; playwright takes it as the persistent context's directory.
  const profile = mkdtempSync(path.join(tmpdir(), 'report-chromium-'));
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
    const charts: DrawnChart[] = await page.evaluate(() =>
      (globalThis as any).__report.charts.map((c: any) => {
        const canvas = (globalThis as any).document.querySelector(`#chart-${c.id} canvas`);
        const px = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let inked = 0;
        for (let i = 3; i < px.length; i += 4) if (px[i] !== 0) inked++;
        return { id: c.id, title: c.title, points: c.points, peak: c.peak, width: canvas.width, inked };
      }),
    );
    const totals: Record<string, string> = Object.fromEntries(
      await page.$$eval('#totals td', (tds) =>
        tds.map((td) => [String(td.getAttribute('data-total')), String(td.textContent)]),
      ),
    );
    const thresholds = await page.$$eval('#thresholds tbody tr', (trs) =>
      trs.map((tr) =>
        Array.from(tr.children as ArrayLike<{ textContent: unknown }>, (td) => String(td.textContent)),
      ),
    );
    if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
    return { charts, totals, thresholds, problems, requests };
  } finally {
    await browser.close();
    rmSync(profile, { recursive: true, force: true });
  }
}
