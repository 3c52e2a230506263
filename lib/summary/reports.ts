// Maps the summary data to the files handleSummary returns.
import type { ReportOptions, SummaryData } from './types.ts';

export function reportPath(dir: string, file: string): string {
  if (!dir) return file;
  return dir.endsWith('/') ? dir + file : `${dir}/${file}`;
}

export function buildReports(data: SummaryData, opts: ReportOptions): Record<string, string> {
  return {
    [reportPath(opts.dir, 'summary.json')]: JSON.stringify(data, null, 2) + '\n',
    stdout: `\n${opts.testName}: test finished in ${(data.state.testRunDurationMs / 1000).toFixed(1)}s\n\n`,
  };
}
