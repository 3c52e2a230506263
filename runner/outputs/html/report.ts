// The runner's self-contained HTML report (K6_WEB_DASHBOARD=true + K6_WEB_DASHBOARD_EXPORT=path): request rate,
// p95 latency, 429s, retries and VUs over time, and the threshold table. uPlot is inlined: no network at view time.
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { MetricsEngine } from '../../metrics/engine.ts';
import { humanizeValue } from '../../summary/format.ts';
import { CLIENT_SCRIPT } from './client.ts';

export interface ReportOptions {
  title?: string;
  /** from setup start to teardown end; shown in the header */
  testRunDurationMs?: number;
  /** report time, default now */
  generatedAt?: Date;
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

// JSON inside <script>: "<" escaped so no value can close the element.
const scriptJson = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c');

let uplotAssets: { js: string; css: string } | undefined;
function assets(): { js: string; css: string } {
  if (!uplotAssets) {
    const require = createRequire(import.meta.url);
    uplotAssets = {
      js: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
      css: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
    };
  }
  return uplotAssets;
}

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #1f2328; background: #fff; }
h1 { font-size: 20px; margin: 0 0 4px; }
h2 { font-size: 15px; margin: 20px 0 6px; }
.meta { color: #59636e; margin-bottom: 16px; }
table { border-collapse: collapse; margin-top: 8px; }
th, td { border: 1px solid #d1d9e0; padding: 4px 10px; text-align: left; }
td.ok { color: #1a7f37; font-weight: 600; } td.fail { color: #cf222e; font-weight: 600; }
.chart { margin-bottom: 8px; }
`;

export function renderHtmlReport(engine: MetricsEngine, opts: ReportOptions = {}): string {
  const { js, css } = assets();
  const points = engine.series.points(opts.testRunDurationMs);
  const title = opts.title ?? 'Load test report';
  const rows = engine.thresholdResults().map((r) => {
    const def = engine.entry(r.metric.split('{', 1)[0])?.def;
    const value =
      r.value === undefined
        ? 'no value'
        : def
          ? humanizeValue(r.value, def, engine.summaryTimeUnit)
          : String(r.value);
    const cls = r.ok ? 'ok' : 'fail';
    return `<tr><td>${escapeHtml(r.metric)}</td><td><code>${escapeHtml(r.source)}</code></td><td>${escapeHtml(value)}</td><td class="${cls}">${r.ok ? '✓ pass' : '✗ fail'}</td></tr>`;
  });
  const table = rows.length
    ? `<table id="thresholds"><thead><tr><th>metric</th><th>threshold</th><th>value</th><th>result</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
    : '<p id="thresholds">No thresholds defined.</p>';
  const totals = engine.series.totals;
  const httpDuration = engine.entry('http_req_duration')?.sink;
  const p95 =
    httpDuration && httpDuration.type === 'trend' && !httpDuration.isEmpty()
      ? httpDuration.percentile(0.95)
      : undefined;
  const cells: Array<[string, string]> = [
    ['requests', String(totals.reqs)],
    ['p95 latency', p95 === undefined ? '–' : humanizeValue(p95, { type: 'trend', contains: 'time' }, '')],
    ['failed requests', String(totals.failed)],
    ['HTTP 429', String(totals.status429)],
  ];
  if (engine.series.hasRetries) cells.push(['retries', String(totals.retries)]);
  cells.push(['peak VUs', String(totals.maxVus)]);
  const totalsTable = `<table id="totals"><tr>${cells.map(([k]) => `<th>${k}</th>`).join('')}</tr><tr>${cells
    .map(([, v]) => `<td>${escapeHtml(v)}</td>`)
    .join('')}</tr></table>`;
  const generated = (opts.generatedAt ?? new Date()).toISOString();
  const duration =
    opts.testRunDurationMs === undefined
      ? ''
      : ` · duration ${humanizeValue(opts.testRunDurationMs, { type: 'trend', contains: 'time' }, '')}`;
  const data = { points, hasRetries: engine.series.hasRetries, bucketSeconds: engine.series.widthMs / 1000 };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${css}</style>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<div class="meta">generated ${generated}${duration} · ${points.length} points of ${data.bucketSeconds} s</div>
${totalsTable}
<h2>Thresholds</h2>
${table}
<div id="charts"></div>
<script type="application/json" id="report-data">${scriptJson(data)}</script>
<script>${js.replace(/<\/script/gi, '<\\/script')}</script>
<script>${CLIENT_SCRIPT}</script>
</body>
</html>
`;
}

export async function writeHtmlReport(
  path: string,
  engine: MetricsEngine,
  opts: ReportOptions = {},
): Promise<void> {
  await writeFile(path, renderHtmlReport(engine, opts));
}
