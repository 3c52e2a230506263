// Runs one suite bundle on one engine (a real k6 binary, or the project's runner) against a fresh emulator,
// and reads back what a user would look at: the exit code, the suite's summary.json and the emulator's stats.
// Both engines get the same environment, so their results can be compared.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runnerNodeFlags } from '../../bin/runner-flags.mjs';
import { ROOT, emulatorEnv, startEmulator, type EmulatorStats } from '../../lib/test/processes.ts';
import type { RealK6 } from './real-k6.ts';

export type Engine = { name: string; k6?: RealK6 };

export interface SuiteSummary {
  passed: boolean;
  thresholds: Array<{
    metric: string;
    expression: string;
    ok: boolean;
    stat?: string;
    limit?: number;
    observed?: number;
  }>;
  totals: { requests: number; iterations: number };
  resilience: {
    rateLimited: { passes: number };
    retries: number;
    finalFailures: { passes: number };
  };
  data: { metrics: Record<string, { values: Record<string, number> }> };
}

export interface EngineRun {
  engine: string;
  code: number | null;
  stdout: string;
  stderr: string;
  wallMs: number;
  summary?: SuiteSummary;
  stats: EmulatorStats;
}

export const RUNNER: Engine = { name: 'runner' };

/** The emulator with `emulatorArgs`, then `test` on `engine` with the suite's settings plus `env`. */
export async function runOnEngine(
  engine: Engine,
  test: string,
  env: Record<string, string>,
  opts: {
    emulatorArgs?: string[];
    timeoutMs?: number;
    /** Runs beside the test, given the emulator's URL and the ms since the engine started. */
    during?: (url: string, since: () => number) => Promise<void>;
  } = {},
): Promise<EngineRun> {
  const emulator = await startEmulator(opts.emulatorArgs ?? []);
  const reportDir = mkdtempSync(path.join(os.tmpdir(), `suite-${test}-`));
  try {
    const bundle = path.join('build', 'tests', `${test}.js`);
    const [command, args] = engine.k6
      ? [engine.k6.file, ['run', '--quiet', '--no-color', bundle]]
      : [
          process.execPath,
          [...runnerNodeFlags, path.join(ROOT, 'bin', 'runner.mjs'), 'run', '--quiet', bundle],
        ];
    // Only what a user's shell would hold: no K6_* of this machine leaks into the run.
    const base: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), TZ: 'UTC' };
    const started = Date.now();
    const child = spawn(command, args, {
      cwd: ROOT,
      env: { ...base, ...emulatorEnv(emulator, { TEST_NAME: test, REPORT_DIR: reportDir, ...env }) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 180_000);
    const closed = new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
    const beside = opts.during?.(emulator.url, () => Date.now() - started);
    const code = await closed;
    clearTimeout(timer);
    await beside;
    let summary: SuiteSummary | undefined;
    try {
      summary = JSON.parse(readFileSync(path.join(reportDir, 'summary.json'), 'utf8')) as SuiteSummary;
    } catch {
      summary = undefined;
    }
    return {
      engine: engine.k6 ? `k6 ${engine.k6.version}` : 'runner',
      code,
      stdout,
      stderr,
      wallMs: Date.now() - started,
      summary,
      stats: await emulator.stats(),
    };
  } finally {
    await emulator.stop();
    rmSync(reportDir, { recursive: true, force: true });
  }
}

/** The numbers the comparison looks at. */
export function counts(run: EngineRun): Record<string, number> {
  const s = run.summary;
  if (!s) return {};
  // k6 leaves out a counter nothing was added to, and a guest run has no Platform API metrics at all.
  const count = (name: string) => s.data.metrics[name]?.values.count ?? 0;
  const guests = run.stats.webMessaging;
  return {
    iterations: s.totals.iterations,
    requests: s.totals.requests ?? 0,
    '429s': s.resilience.rateLimited?.passes ?? 0,
    retries: s.resilience.retries ?? 0,
    finalFailures: s.resilience.finalFailures?.passes ?? 0,
    emulatorRequests: run.stats.requests.total,
    guestMessages: count('guest_messages'),
    guestReplies: count('guest_replies'),
    guestThrottled: count('guest_throttled'),
    emulatorGuestMessages: guests?.messagesIn ?? 0,
  };
}

/** Each threshold's verdict, `metric expression` → ok. */
export function verdicts(run: EngineRun): Record<string, boolean> {
  return Object.fromEntries(
    (run.summary?.thresholds ?? []).map((t) => [`${t.metric} ${t.expression}`, t.ok]),
  );
}
