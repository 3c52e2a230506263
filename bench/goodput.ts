// Goodput under a per-token rate limit L, against the emulator (127.0.0.1 only, bounded in time):
//   (a) the seed's JMeter-style closed model: 100 VUs looping with a constant pause, ignoring Retry-After;
//   (b) the suite's load test (build/tests/load.js) at its default target rate.
// For each: requests admitted per limit window as a share of L, the share of 429s, and the emulator's count
// of early retries (requests sent while their token was still told to wait).
//
//   node --import tsx bench/goodput.ts [--time-scale 6] [--duration 40s] [--limit 300] [--vus 100] [--pause 1]
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  emulatorEnv,
  ROOT,
  runRunner,
  startEmulator,
  type Emulator,
  type EmulatorStats,
} from '../lib/test/processes.ts';
import { windowShares, type Sample } from './goodput-windows.ts';

interface Args {
  timeScale: number;
  duration: string;
  limit: number;
  vus: number;
  pause: number;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { timeScale: 6, duration: '40s', limit: 300, vus: 100, pause: 1 };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    const n = Number(value);
    const bad = () => {
      console.error(`goodput: ${flag} needs a positive number, got "${value ?? ''}"`);
      process.exit(2);
    };
    switch (flag) {
      case '--time-scale':
        if (!(n > 0)) bad();
        a.timeScale = n;
        break;
      case '--duration':
        if (!/^\d+s$/.test(value ?? '')) {
          console.error(`goodput: --duration must be whole seconds such as 40s, got "${value ?? ''}"`);
          process.exit(2);
        }
        a.duration = value;
        break;
      case '--limit':
        if (!(n >= 1)) bad();
        a.limit = n;
        break;
      case '--vus':
        if (!(n >= 1)) bad();
        a.vus = n;
        break;
      case '--pause':
        if (!(n >= 0)) bad();
        a.pause = n;
        break;
      default:
        console.error(
          `goodput: unknown argument "${flag}"; usage: bench/goodput.ts [--time-scale N] [--duration Ns] [--limit L] [--vus N] [--pause S]`,
        );
        process.exit(2);
    }
  }
  return a;
}

export interface SideResult {
  name: string;
  windows: number;
  meanShare: number;
  minShare: number;
  maxShare: number;
  requests: number;
  throttled: number;
  throttledShare: number;
  earlyRetries: number;
  exitCode: number | null;
}

/** Polls the emulator's counters every 100 ms while `run` is in flight. */
async function sampled(emulator: Emulator, run: () => Promise<{ code: number | null }>) {
  const samples: Sample[] = [];
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const s = await emulator.stats();
      samples.push({ t: Date.now(), admitted: s.limiters['token.rate.per.minute']?.admitted ?? 0 });
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  const result = await run();
  polling = false;
  await poller;
  return { result, samples, stats: await emulator.stats() };
}

function apiTotals(stats: EmulatorStats): { requests: number; throttled: number } {
  let requests = 0;
  let throttled = 0;
  for (const [route, statuses] of Object.entries(stats.requests.byRoute)) {
    if (route === 'POST /oauth/token' || route === 'unmatched') continue;
    for (const [status, n] of Object.entries(statuses)) {
      requests += n;
      if (status === '429') throttled += n;
    }
  }
  return { requests, throttled };
}

async function side(
  name: string,
  args: Args,
  config: string,
  runnerArgs: string[],
  env: Record<string, string>,
) {
  const emulator = await startEmulator(['--time-scale', String(args.timeScale), '--config', config]);
  try {
    const { result, samples, stats } = await sampled(emulator, () =>
      runRunner(
        runnerArgs,
        emulatorEnv(emulator, { TIME_SCALE: String(args.timeScale), DURATION: args.duration, ...env }),
        300_000,
      ),
    );
    const windowMs = 60_000 / args.timeScale;
    const shares = windowShares(samples, windowMs, args.limit);
    const { requests, throttled } = apiTotals(stats);
    const r: SideResult = {
      name,
      windows: shares.length,
      meanShare: shares.reduce((s, x) => s + x, 0) / Math.max(1, shares.length),
      minShare: Math.min(...shares),
      maxShare: Math.max(...shares),
      requests,
      throttled,
      throttledShare: requests ? throttled / requests : 0,
      earlyRetries: stats.earlyRetries,
      exitCode: result.code,
    };
    return r;
  } finally {
    await emulator.stop();
  }
}

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;

async function main() {
  const args = parseArgs(process.argv.slice(2));
  execFileSync(process.execPath, [path.join(ROOT, 'esbuild.config.mjs'), '--quiet'], { cwd: ROOT });
  const dir = mkdtempSync(path.join(tmpdir(), 'goodput-'));
  try {
    const config = path.join(dir, 'emulator.json');
    writeFileSync(
      config,
      JSON.stringify({
        limits: {
          'platform.api': {
            'token.rate.per.minute': args.limit,
            'client.credentials.token.rate.per.minute': args.limit,
          },
        },
      }),
    );
    const started = Date.now();
    const naive = await side('(a) naive closed model', args, config, ['bench/goodput-naive.js'], {
      VUS: String(args.vus),
      PAUSE: String(args.pause),
    });
    const suite = await side('(b) suite load test', args, config, ['build/tests/load.js'], {
      REPORT_DIR: dir,
    });
    const goal = suite.meanShare >= 0.95 && suite.throttledShare < 0.01 && suite.earlyRetries === 0;

    const rows = [naive, suite];
    const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
    const table = [
      line(['', 'admitted per window (mean, min–max) / L', '429s / requests', 'early retries', 'windows']),
      line(['---', '---', '---', '---', '---']),
      ...rows.map((r) =>
        line([
          r.name,
          `${pct(r.meanShare)} (${pct(r.minShare)}–${pct(r.maxShare)})`,
          `${pct(r.throttledShare)} (${r.throttled} of ${r.requests})`,
          String(r.earlyRetries),
          String(r.windows),
        ]),
      ),
    ].join('\n');
    console.log(
      `goodput: L = ${args.limit} requests per token per window, window = ${60 / args.timeScale}s (time scale ${args.timeScale}), ${args.duration} per side\n`,
    );
    console.log(table);
    console.log(
      `\nsuite goal (>= 95 % of L admitted, < 1 % 429s, 0 early retries): ${goal ? 'PASS' : 'FAIL'}; bench took ${((Date.now() - started) / 1000).toFixed(0)}s`,
    );
    const out = path.join(ROOT, 'bench', 'results');
    mkdirSync(out, { recursive: true });
    writeFileSync(
      path.join(out, 'goodput.json'),
      JSON.stringify({ args, results: rows, goal }, null, 2) + '\n',
    );
    process.exitCode = goal ? 0 : 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
