// The one renderer of report.html, whatever engine ran: it takes a neutral model (time buckets, totals, the
// threshold table) and returns a self-contained page. uPlot is inlined: no network at view time. The runner
// fills the model from its metrics engine (report.ts); tools/report.ts fills it from a k6 NDJSON stream and
// the suite's summary.json.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { SeriesPoint, SeriesTotals, TimeSeries } from '../../metrics/series.ts';
import { humanizeValue } from '../../summary/format.ts';
import { CLIENT_SCRIPT } from './client.ts';

export interface ReportThreshold {
  /** metric or sub-metric, as the thresholds option names it: `http_reqs{status:429}` */
  metric: string;
  /** the expression: `count<10` */
  source: string;
  /** the observed value for people (`412.5ms`, `7.50%`), or a word saying why there is none */
  value: string;
  ok: boolean;
}

export interface ReportSeries {
  bucketSeconds: number;
  points: SeriesPoint[];
  totals: SeriesTotals;
  /** the metric names of the optional charts, present only when the run recorded them */
  names: { retries?: string; finalFailures?: string };
  /** the run opened WebSockets (k6/ws): their chart and totals are shown */
  webSockets: boolean;
}

/** A table of figures a caller adds under the totals: label and value, already formatted. */
export interface ReportTable {
  id: string;
  title: string;
  rows: { label: string; value: string }[];
}

export interface ReportModel {
  title: string;
  generatedAt: Date;
  /** from setup start to teardown end */
  durationMs?: number;
  /** what ran the test, e.g. `k6 v2.2.0`; shown in the header */
  engine?: string;
  series: ReportSeries;
  /** p95 of http_req_duration over the whole run, formatted as the threshold values are */
  p95?: string;
  /** the verdicts; undefined when none are known (then `notes` says why) */
  thresholds?: ReportThreshold[];
  /** one line each under the header: what the report could not show */
  notes?: string[];
  /** more tables after the thresholds, e.g. a test's own WebSocket figures */
  tables?: ReportTable[];
}

/** The chart part of the model from a time series; `endMs` (since its start) is where the run ended. */
export function reportSeries(series: TimeSeries, endMs?: number): ReportSeries {
  return {
    bucketSeconds: series.widthMs / 1000,
    points: series.points(endMs),
    totals: { ...series.totals },
    names: {
      retries: series.hasRetries ? series.names.retries : undefined,
      finalFailures: series.hasFinalFailures ? series.names.finalFailures : undefined,
    },
    webSockets: series.hasWebSockets,
  };
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

// JSON inside <script>: "<" escaped so no value can close the element.
const scriptJson = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c');

const ms = (v: number) => humanizeValue(v, { type: 'trend', contains: 'time' }, '');

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
.note { color: #9a6700; margin: 4px 0; }
table { border-collapse: collapse; margin-top: 8px; }
th, td { border: 1px solid #d1d9e0; padding: 4px 10px; text-align: left; }
td.ok { color: #1a7f37; font-weight: 600; } td.fail { color: #cf222e; font-weight: 600; }
.chart { margin-bottom: 8px; }
`;

function thresholdTable(rows: ReportThreshold[] | undefined): string {
  if (!rows) return '<p id="thresholds">No threshold verdicts for this run.</p>';
  if (rows.length === 0) return '<p id="thresholds">No thresholds defined.</p>';
  const body = rows.map((r) => {
    const cls = r.ok ? 'ok' : 'fail';
    return `<tr><td>${escapeHtml(r.metric)}</td><td><code>${escapeHtml(r.source)}</code></td><td>${escapeHtml(r.value)}</td><td class="${cls}">${r.ok ? '✓ pass' : '✗ fail'}</td></tr>`;
  });
  return `<table id="thresholds"><thead><tr><th>metric</th><th>threshold</th><th>value</th><th>result</th></tr></thead><tbody>${body.join('')}</tbody></table>`;
}

function totalsTable(m: ReportModel): string {
  const t = m.series.totals;
  const cells: Array<[key: string, label: string, value: string]> = [
    ['requests', 'requests', String(t.reqs)],
    ['p95', 'p95 latency', m.p95 ?? '–'],
    ['failed', 'failed requests', String(t.failed)],
    ['status429', 'HTTP 429', String(t.status429)],
  ];
  if (m.series.names.retries) cells.push(['retries', 'retries', String(t.retries)]);
  if (m.series.names.finalFailures)
    cells.push(['finalFailures', 'failed after retries', String(t.finalFailures)]);
  if (m.series.webSockets) {
    cells.push(['wsSessions', 'WebSocket sessions', String(t.wsSessions)]);
    cells.push(['wsMsgsSent', 'WS frames sent', String(t.wsMsgsSent)]);
    cells.push(['wsMsgsReceived', 'WS frames received', String(t.wsMsgsReceived)]);
  }
  cells.push(['maxVus', 'peak VUs', String(t.maxVus)]);
  const head = cells.map(([, label]) => `<th>${escapeHtml(label)}</th>`).join('');
  const values = cells.map(([key, , v]) => `<td data-total="${key}">${escapeHtml(v)}</td>`).join('');
  return `<table id="totals"><tr>${head}</tr><tr>${values}</tr></table>`;
}

function extraTable(t: ReportTable): string {
  const body = t.rows.map((r) => `<tr><td>${escapeHtml(r.label)}</td><td>${escapeHtml(r.value)}</td></tr>`);
  return `<h2>${escapeHtml(t.title)}</h2>\n<table id="${escapeHtml(t.id)}"><tbody>${body.join('')}</tbody></table>`;
}

export function renderReport(m: ReportModel): string {
  const { js, css } = assets();
  const s = m.series;
  const meta = [
    `generated ${m.generatedAt.toISOString()}`,
    m.engine ? `ran with ${escapeHtml(m.engine)}` : '',
    m.durationMs === undefined ? '' : `duration ${ms(m.durationMs)}`,
    `${s.points.length} points of ${s.bucketSeconds} s`,
  ].filter(Boolean);
  const notes = (m.notes ?? []).map((n) => `<p class="note">${escapeHtml(n)}</p>`).join('\n');
  const data = { points: s.points, names: s.names, webSockets: s.webSockets, bucketSeconds: s.bucketSeconds };
  const tables = (m.tables ?? []).filter((t) => t.rows.length).map(extraTable);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(m.title)}</title>
<style>${css}</style>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(m.title)}</h1>
<div class="meta">${meta.join(' · ')}</div>
${notes}
${totalsTable(m)}
<h2>Thresholds</h2>
${thresholdTable(m.thresholds)}
${tables.join('\n')}
<div id="charts"></div>
<script type="application/json" id="report-data">${scriptJson(data)}</script>
<script>${js.replace(/<\/script/gi, '<\\/script')}</script>
<script>${CLIENT_SCRIPT}</script>
</body>
</html>
`;
}
