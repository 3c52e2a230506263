// The end of a run: handleSummary (or the default text summary), --summary-export, every output written
// where k6 writes it ("stdout", "stderr", or a file path relative to the working directory).
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { log } from './log.ts';
import type { MetricsEngine } from './metrics/engine.ts';
import { summaryExport } from './summary/export.ts';
import { textSummary } from './summary/text.ts';
import { buildSummaryData, type SummaryData } from './summary/data.ts';
import type { SummaryOutputs } from './vu/types.ts';

export interface SummaryRunner {
  runHandleSummary(
    summary: unknown,
    opts?: { timeout?: number },
  ): Promise<{ ok: boolean; outputs: SummaryOutputs | null; error?: string; timedOut?: boolean }>;
}

export interface EndOfTest {
  engine: MetricsEngine;
  /** the pool, when the VUs could be initialised; null after an init error */
  pool: SummaryRunner | null;
  hasHandleSummary: boolean;
  setupData: string | undefined;
  testRunDurationMs: number;
  noColor: boolean;
  summaryExport?: string;
}

export function summaryData(end: EndOfTest): SummaryData {
  let setupData: unknown;
  if (end.setupData !== undefined) {
    try {
      setupData = JSON.parse(end.setupData);
    } catch {
      setupData = undefined;
    }
  }
  return buildSummaryData(end.engine, {
    setupData,
    testRunDurationMs: end.testRunDurationMs,
    noColor: end.noColor,
    isStdOutTTY: Boolean(process.stdout.isTTY),
    isStdErrTTY: Boolean(process.stderr.isTTY),
  });
}

/** Summary errors are logged and never change the exit code. */
export async function writeSummary(end: EndOfTest): Promise<void> {
  const data = summaryData(end);
  let outputs: SummaryOutputs | null = null;
  if (end.hasHandleSummary && end.pool) {
    const r = await end.pool.runHandleSummary(data, { timeout: 120_000 });
    if (r.ok) outputs = r.outputs;
    else
      log('error', 'failed to handle the end-of-test summary', {
        error: r.error ?? 'handleSummary() failed',
      });
  }
  if (!outputs) {
    const colors = !end.noColor && Boolean(process.stdout.isTTY);
    outputs = { stdout: '\n' + textSummary(data, { enableColors: colors }) + '\n\n' };
  }
  if (end.summaryExport) outputs = { ...outputs, [end.summaryExport]: summaryExport(data) };
  for (const [key, value] of Object.entries(outputs)) {
    try {
      await writeOutput(key, value);
    } catch (e) {
      log('error', `could not write the summary to ${key}: ${(e as Error).message}`);
    }
  }
}

function streamWrite(stream: NodeJS.WriteStream, value: string | Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => stream.write(value, (err) => (err ? reject(err) : resolve())));
}

async function writeOutput(key: string, value: string | Uint8Array): Promise<void> {
  if (key === 'stdout') return streamWrite(process.stdout, value);
  if (key === 'stderr') return streamWrite(process.stderr, value);
  const file = path.resolve(key);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, value, { mode: 0o666 });
}
