// Maps the summary data to the files handleSummary returns: summary.json, junit.xml, summary.md and stdout.
import { checks, endpoints, guests, resilience, totals } from './insights.ts';
import { junitXml } from './junit.ts';
import { markdown, type ReportModel } from './markdown.ts';
import { textSummary } from './text.ts';
import { thresholdResults } from './thresholds.ts';
import type { ReportOptions, SummaryData } from './types.ts';

export const REPORT_FILES = ['summary.json', 'junit.xml', 'summary.md'];

export function reportPath(dir: string, file: string): string {
  if (!dir) return file;
  return dir.endsWith('/') ? dir + file : `${dir}/${file}`;
}

/** Fills what an engine may leave out (no checks, no state), so a report is written whatever ran. */
export function complete(data: Partial<SummaryData>): SummaryData {
  return {
    ...data,
    root_group: data.root_group || { name: '', path: '', groups: [], checks: [] },
    options: data.options || {},
    state: { testRunDurationMs: 0, ...data.state },
    metrics: data.metrics || {},
  };
}

/** The suite's pre-flight verdict on its rate plan, which setup() returns beside the tokens. */
function preflightLine(setupData: unknown): string | undefined {
  if (!setupData || typeof setupData !== 'object') return undefined;
  const line = (setupData as { preflight?: unknown }).preflight;
  return typeof line === 'string' ? line : undefined;
}

export function reportModel(raw: SummaryData, testName: string, timeScale = 1): ReportModel {
  const data = complete(raw);
  return {
    testName,
    timeScale,
    preflight: preflightLine(data.setup_data),
    thresholds: thresholdResults(data),
    totals: totals(data),
    resilience: resilience(data),
    guests: guests(data),
    endpoints: endpoints(data),
    checks: checks(data.root_group),
  };
}

/**
 * summary.json: the derived report first (what the other files show), then k6's data without setup_data:
 * whatever setup() returned (the suite's OAuth tokens among it) stays out of a file CI keeps as an artifact.
 */
export function summaryJson(data: SummaryData, model: ReportModel): string {
  const failed = model.thresholds.filter((t) => !t.ok).length;
  const { setup_data: _secrets, ...kept } = data;
  const doc = {
    passed: failed === 0,
    thresholdsFailed: failed,
    ...model,
    data: kept,
  };
  return JSON.stringify(doc, null, 2) + '\n';
}

export function buildReports(raw: SummaryData, opts: ReportOptions): Record<string, string> {
  const data = complete(raw);
  const model = reportModel(data, opts.testName, opts.timeScale);
  const color = !data.options.noColor && !!data.state.isStdOutTTY;
  return {
    [reportPath(opts.dir, 'summary.json')]: summaryJson(data, model),
    [reportPath(opts.dir, 'junit.xml')]: junitXml(
      opts.testName,
      model.thresholds,
      data.state.testRunDurationMs,
    ),
    [reportPath(opts.dir, 'summary.md')]: markdown(model),
    stdout: textSummary(model, { color, reportDir: opts.dir.replace(/\/$/, ''), files: REPORT_FILES }),
  };
}
