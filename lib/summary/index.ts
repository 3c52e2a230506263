// The suite's handleSummary: every test re-exports it, so k6, the runner and k6 cloud write the same reports.
// Plain k6 code: no Node built-ins, only the data k6 hands over and __ENV.
import { buildReports } from './reports.ts';
import type { SummaryData } from './types.ts';

export type { SummaryData } from './types.ts';

/**
 * k6 calls this once at the end of the test. Files go to __ENV.REPORT_DIR (tools/run-test.mjs sets it to
 * reports/<UTC timestamp>-<test>/ and creates it; k6 does not create directories), else the current directory.
 */
export function handleSummary(data: SummaryData): Record<string, string> {
  return buildReports(data, {
    dir: __ENV.REPORT_DIR || '',
    testName: __ENV.TEST_NAME || 'k6',
    timeScale: Number(__ENV.TIME_SCALE) || 1,
  });
}
