// The shape of the object k6 (v0.49 and later, legacy layout) passes to handleSummary.

export type MetricType = 'counter' | 'gauge' | 'rate' | 'trend';

export interface MetricSummary {
  type: MetricType;
  contains: 'default' | 'time' | 'data';
  values: Record<string, number>;
  thresholds?: Record<string, { ok: boolean }>;
}

export interface Check {
  id?: string;
  name: string;
  path: string;
  passes: number;
  fails: number;
}

export interface Group {
  id?: string;
  name: string;
  path: string;
  groups: Group[];
  checks: Check[];
}

export interface SummaryData {
  root_group: Group;
  options: { summaryTrendStats?: string[]; summaryTimeUnit?: string; noColor?: boolean };
  state: { testRunDurationMs: number; isStdOutTTY?: boolean; isStdErrTTY?: boolean };
  metrics: Record<string, MetricSummary>;
  setup_data?: unknown;
}

/** Where and under which name a run's reports are written. */
export interface ReportOptions {
  /** Directory for summary.json, junit.xml and summary.md; '' means the current directory. */
  dir: string;
  /** The test's name (smoke, load, ...), used as the JUnit suite name and report title. */
  testName: string;
  /** The emulator's clock speed (__ENV.TIME_SCALE); durations in the reports are real time. */
  timeScale?: number;
}
