// report.html for a finished run, whatever engine ran it: the charts come from the k6 NDJSON stream both
// engines write (`--out json=metrics.json.gz`), the threshold table from summary.json, where the suite's
// handleSummary keeps k6's summary data under `data`. Reading the verdicts from there gives the table that
// junit.xml and summary.md show, under k6 and the runner alike.
//
//   node build/tools/report.js reports/<run> [--title TEXT] [--engine TEXT]
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatDuration } from '../lib/summary/format.ts';
import { statValue, thresholdResults } from '../lib/summary/thresholds.ts';
import type { SummaryData } from '../lib/summary/types.ts';
import { webSocketRows, webSockets } from '../lib/summary/websockets.ts';
import { renderReport, reportSeries, type ReportModel } from '../runner/outputs/html/render.ts';
import { readJsonOutput } from '../runner/outputs/json-read.ts';

export const METRICS_FILE = 'metrics.json.gz';

export interface BuildOptions {
  /** the run's directory: metrics, summary and report paths are relative to it unless absolute */
  dir: string;
  title?: string;
  /** what ran the test, for the header */
  engine?: string;
  metrics?: string;
  summary?: string;
  out?: string;
  generatedAt?: Date;
}

/** k6's summary data from the suite's summary.json, or from a file that is that data itself. */
export function summaryData(doc: unknown): SummaryData | undefined {
  if (!doc || typeof doc !== 'object') return undefined;
  const d = doc as { data?: { metrics?: unknown }; metrics?: unknown };
  const isMetrics = (m: unknown) => typeof m === 'object' && m !== null;
  if (d.data && isMetrics(d.data.metrics)) return d.data as SummaryData;
  if (isMetrics(d.metrics)) return doc as SummaryData;
  return undefined;
}

/** The WebSocket figures summary.md shows, as a table beside the REST totals. */
function webSocketTables(data: SummaryData | undefined) {
  const ws = data && webSockets(data);
  if (!ws) return [];
  const rows = webSocketRows(ws).map((r) => ({ label: `${r.label} (${r.metric})`, value: r.value }));
  return [{ id: 'websockets', title: 'WebSockets', rows }];
}

export async function buildReport(opts: BuildOptions): Promise<{ file: string; notes: string[] }> {
  const at = (f: string) => path.resolve(opts.dir, f);
  const metricsFile = at(opts.metrics ?? METRICS_FILE);
  const summaryFile = at(opts.summary ?? 'summary.json');
  const out = at(opts.out ?? 'report.html');
  if (!existsSync(metricsFile)) {
    throw new Error(`${path.relative('.', metricsFile)} is missing: the engine wrote no metrics stream`);
  }
  const notes: string[] = [];
  const summaryName = path.basename(summaryFile);
  let data: SummaryData | undefined;
  let why: string | undefined;
  if (!existsSync(summaryFile)) why = `no ${summaryName}: handleSummary did not run or failed`;
  else {
    try {
      data = summaryData(JSON.parse(readFileSync(summaryFile, 'utf8')));
      if (!data) why = `${summaryName} holds no k6 summary data`;
    } catch (e) {
      why = `${summaryName} is not JSON (${(e as Error).message})`;
    }
  }
  if (why) notes.push(`${why}, so the threshold verdicts are unknown`);

  const stream = await readJsonOutput(metricsFile);
  const { series } = stream;
  if (stream.truncated) notes.push(`the metrics stream is incomplete: ${stream.truncated}`);
  if (stream.skipped) notes.push(`${stream.skipped} lines of the metrics stream were not k6 samples`);

  const runMs = data?.state?.testRunDurationMs;
  const spanMs = stream.last - series.startMs;
  const httpDuration = data?.metrics?.http_req_duration;
  // k6's own percentile when the summary has it; the stream's sketch (1 % error) otherwise.
  const p95 =
    (httpDuration ? statValue(httpDuration, 'p(95)') : undefined) ??
    (stream.duration.count ? stream.duration.quantile(0.95) : undefined);
  const model: ReportModel = {
    title: opts.title ?? 'Load test report',
    generatedAt: opts.generatedAt ?? new Date(),
    durationMs: runMs ?? (Number.isNaN(spanMs) ? undefined : spanMs),
    engine: opts.engine,
    // The last bucket stays whole: where the run ended inside it is unknown (the stream starts at its first
    // sample, not at the test's start), and a rate over a guessed sliver of it would spike.
    series: reportSeries(series),
    p95: p95 === undefined ? undefined : formatDuration(p95),
    thresholds: data
      ? thresholdResults(data).map((r) => ({
          metric: r.metric,
          source: r.expression,
          value: r.observedText,
          ok: r.ok,
        }))
      : undefined,
    notes,
    tables: webSocketTables(data),
  };
  await writeFile(out, renderReport(model));
  return { file: out, notes };
}

async function main(argv: string[]): Promise<number> {
  const [dir, ...rest] = argv;
  if (!dir || dir.startsWith('-')) {
    process.stderr.write('usage: node build/tools/report.js RUN_DIR [--title TEXT] [--engine TEXT]\n');
    return 2;
  }
  const flag = (name: string) => {
    const i = rest.indexOf(name);
    return i >= 0 ? rest[i + 1] : undefined;
  };
  try {
    const { file, notes } = await buildReport({ dir, title: flag('--title'), engine: flag('--engine') });
    for (const n of notes) process.stderr.write(`report: ${n}\n`);
    process.stderr.write(`report: wrote ${path.relative('.', file)}\n`);
    return 0;
  } catch (e) {
    process.stderr.write(`report: ${(e as Error).message}\n`);
    return 1;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
