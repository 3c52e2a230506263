// tests/web-messaging at its default scale, on real k6 and on the runner in the same run: 200 Web Messaging
// guests chatting with the emulator's bot for 2 minutes at the default human pace, each engine against a
// fresh emulator. Checks that the emulator answered every message (what the guests count as sent is what
// the emulator took, every accepted line got its bot reply, no error, every visit ended with the goodbye)
// and that bot_reply_time p95 stays under 50 ms plus the bot's configured think time. Reports each
// engine's CPU (user + sys, /usr/bin/time) and maximum RSS, and the runner's ratios to k6.
// Usage (also `make bench BENCH=web-messaging-guests`):
//   node --import tsx bench/web-messaging-guests.ts [--duration 2m] [--vus 200] [--bot-think-ms 0]
//     [--k6 ../shared/tools/k6/k6]
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { realK6s } from '../tools/test/real-k6.ts';
import { timed } from './timed.ts';
import { runnerAllocatorEnv, runnerNodeFlags } from '../bin/runner-flags.mjs';
import { emulatorEnv, ensureBuilt, startEmulator } from '../lib/test/processes.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '2m' },
    vus: { type: 'string', default: '200' },
    'bot-think-ms': { type: 'string', default: '0' },
    // The newest real k6 that tools/test/real-k6.ts finds (K6_BINARIES, K6, PATH, ../shared/tools/k6).
    k6: { type: 'string', default: realK6s().binaries[0]?.file ?? 'k6' },
  },
});
const botThinkMs = Number(values['bot-think-ms']);
const P95_BUDGET_MS = 50 + botThinkMs;

ensureBuilt();
const dir = mkdtempSync(path.join(os.tmpdir(), 'web-messaging-guests-'));
const config = path.join(dir, 'emulator.json');
// A constant think time: the budget below is exact, not a log-normal tail.
writeFileSync(
  config,
  JSON.stringify({ webMessaging: { botThinkTime: { median: botThinkMs, p99: botThinkMs } } }),
);

interface Result {
  engine: string;
  code: number | null;
  wall: number;
  cpu: number;
  rssMB: number;
  metrics: Record<string, Record<string, number>>;
  emulator: Record<string, number>;
}

async function runOne(engine: 'k6' | 'runner'): Promise<Result> {
  const emulator = await startEmulator(['--config', config]);
  const reportDir = path.join(dir, engine);
  mkdirSync(reportDir, { recursive: true });
  try {
    const bundle = path.join('build', 'tests', 'web-messaging.js');
    const cmd =
      engine === 'k6'
        ? [values.k6, 'run', '--quiet', '--no-color', bundle]
        : [
            process.execPath,
            ...runnerNodeFlags,
            path.join(root, 'bin', 'runner.mjs'),
            'run',
            '--quiet',
            bundle,
          ];
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: os.tmpdir(),
      ...(engine === 'runner' ? runnerAllocatorEnv() : {}),
      ...emulatorEnv(emulator, {
        TEST_NAME: 'web-messaging',
        REPORT_DIR: reportDir,
        VUS: values.vus,
        DURATION: values.duration,
      }),
    };
    const { code, stderr, wall, cpu, rssMB } = await timed(cmd, {
      env,
      cwd: root,
      timeFile: path.join(dir, `${engine}.time`),
    });
    let metrics: Result['metrics'] = {};
    try {
      const summary = JSON.parse(readFileSync(path.join(reportDir, 'summary.json'), 'utf8'));
      metrics = Object.fromEntries(
        Object.entries(summary.data.metrics as Record<string, { values: Record<string, number> }>).map(
          ([k, v]) => [k, v.values],
        ),
      );
    } catch {
      process.stderr.write(stderr.slice(-3000));
    }
    const stats = (await emulator.stats()) as unknown as { webMessaging: Record<string, number> };
    return {
      engine,
      code,
      wall,
      cpu,
      rssMB,
      metrics,
      emulator: stats.webMessaging,
    };
  } finally {
    await emulator.stop();
  }
}

const count = (r: Result, m: string) => r.metrics[m]?.count ?? 0;

/** What must hold for every engine; each failure is one line. */
function problems(r: Result): string[] {
  const out: string[] = [];
  const sent = count(r, 'guest_messages');
  if (sent === 0) out.push('no guest message was sent');
  if (sent !== r.emulator.messagesIn)
    out.push(`guests sent ${sent}, the emulator took ${r.emulator.messagesIn}`);
  if (count(r, 'bot_reply_time') !== sent) out.push(`${sent} lines, ${count(r, 'bot_reply_time')} answered`);
  for (const m of [
    'guest_errors',
    'guest_sessions_without_goodbye',
    'guest_retry_exhausted',
    'guest_throttled',
  ]) {
    if (count(r, m) !== 0) out.push(`${m} ${count(r, m)}`);
  }
  const p95 = r.metrics.bot_reply_time?.['p(95)'] ?? NaN;
  if (!(p95 < P95_BUDGET_MS)) out.push(`bot_reply_time p95 ${p95} ms, budget ${P95_BUDGET_MS} ms`);
  if (r.code !== 0) out.push(`exit ${r.code}`);
  return out;
}

const fmt = (r: Result) =>
  `${String(count(r, 'iterations')).padStart(5)} visits  ${String(count(r, 'guest_messages')).padStart(5)} lines  ` +
  `${String(count(r, 'guest_replies')).padStart(5)} replies  reply p95 ${(r.metrics.bot_reply_time?.['p(95)'] ?? NaN).toFixed(2)} ms  ` +
  `max ${(r.metrics.bot_reply_time?.max ?? NaN).toFixed(1)} ms  wall ${r.wall.toFixed(1)} s  CPU ${r.cpu.toFixed(2)} s  RSS ${r.rssMB.toFixed(0)} MB`;

console.log(
  `== ${values.vus} guests, ${values.duration}, default think time, bot think ${botThinkMs} ms; load average ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
let failed = false;
const results: Result[] = [];
for (const engine of ['k6', 'runner'] as const) {
  const r = await runOne(engine);
  results.push(r);
  console.log(`  ${engine.padEnd(6)}  ${fmt(r)}`);
  for (const p of problems(r)) {
    failed = true;
    console.log(`          ✗ ${p}`);
  }
}
const [k6, runner] = results;
const rss = runner.rssMB / k6.rssMB;
const cpu = runner.cpu / k6.cpu;
console.log(
  `  ratios  RSS ${rss.toFixed(2)} (goal ≤ 1.5)${rss <= 1.5 ? '' : ' ✗'}  CPU ${cpu.toFixed(2)} (goal ≤ 2)${cpu <= 2 ? '' : ' ✗'}`,
);
rmSync(dir, { recursive: true, force: true });
process.exit(failed ? 1 : 0);
