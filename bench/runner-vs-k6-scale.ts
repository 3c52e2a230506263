// The runner at k6's scale, against real k6 in the same run: the same script (`http.get` of a node:http
// hello server on 127.0.0.1, then `sleep`) on k6 and on the runner, one after the other, each case
// repeated `--rounds` times with the engines taking turns.
// Cases: `1000` (1,000 VUs, sleep(1), 10 s), `3000` (3,000 VUs, sleep(1), 10 s), `200` (200 VUs,
// sleep(0.5), 10 s), `get50` (50 VUs, no sleep, 5 s).
// Reported per run: iterations (--summary-export), wall time, CPU (user + sys of the process and its
// descendants, from /usr/bin/time), maximum RSS (of the largest process: the runner's launcher does not
// relaunch, it is started with the flags and allocator settings tools/engine.mjs gives it), start-up (from
// the process start to the console line setup() prints: VU init comes before setup() in both), and each
// runner's ratios to the k6 run of the same round.
// Usage (also `make bench BENCH=runner-vs-k6-scale`):
//   node --import tsx bench/runner-vs-k6-scale.ts [--cases 1000,3000,200,get50] [--rounds 1]
//     [--k6 ../shared/tools/k6/k6] [--runner bin/runner.mjs] [--runner OTHER/bin/runner.mjs ...]
// Several --runner paths (e.g. a git worktree of another commit) run in turn after k6 in each round.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { realK6s } from '../tools/test/real-k6.ts';
import { timed } from './timed.ts';
import { helloProcess } from './hello-process.ts';
import { runnerAllocatorEnv, runnerNodeFlags } from '../bin/runner-flags.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '1000,3000,200,get50' },
    rounds: { type: 'string', default: '1' },
    // The newest real k6 that tools/test/real-k6.ts finds (K6_BINARIES, K6, PATH, ../shared/tools/k6).
    k6: { type: 'string', default: realK6s().binaries[0]?.file ?? 'k6' },
    runner: { type: 'string', multiple: true },
  },
});
const runners = (values.runner?.length ? values.runner : [path.join(root, 'bin/runner.mjs')]).map((r) =>
  path.resolve(r),
);
const CASES: Record<string, { vus: number; duration: string; sleep: number }> = {
  '1000': { vus: 1000, duration: '10s', sleep: 1 },
  '3000': { vus: 3000, duration: '10s', sleep: 1 },
  '200': { vus: 200, duration: '10s', sleep: 0.5 },
  get50: { vus: 50, duration: '5s', sleep: 0 },
};

const hello = await helloProcess();
const url = hello.url;

const dir = mkdtempSync(path.join(os.tmpdir(), 'runner-vs-k6-'));
const script = path.join(dir, 'scale.js');
writeFileSync(
  script,
  `import http from 'k6/http';\nimport { sleep } from 'k6';\n` +
    `export function setup() { console.log('SETUP ' + Date.now()); }\n` +
    `const pause = Number(__ENV.SLEEP);\n` +
    `export default function () { http.get(__ENV.URL); if (pause > 0) sleep(pause); }\n`,
);

interface Result {
  iterations: number;
  wall: number;
  cpu: number;
  rssMB: number;
  startup: number;
  code: number | null;
}

async function runOne(engine: string, c: (typeof CASES)[string]): Promise<Result> {
  const summary = path.join(dir, 'summary.json');
  rmSync(summary, { force: true });
  const args = ['run', '-q', '-u', String(c.vus), '-d', c.duration, '-e', `URL=${url}`];
  args.push('-e', `SLEEP=${c.sleep}`, '--summary-export', summary, script);
  const isK6 = engine === values.k6;
  const cmd = isK6 ? [engine, ...args] : [process.execPath, ...runnerNodeFlags, engine, ...args];
  const env = isK6 ? process.env : { ...process.env, ...runnerAllocatorEnv() };
  const t0 = Date.now();
  const { code, stderr, wall, cpu, rssMB } = await timed(cmd, { env, timeFile: path.join(dir, 'time.txt') });
  const setupAt = Number(/SETUP (\d+)/.exec(stderr)?.[1] ?? NaN);
  let iterations = NaN;
  try {
    iterations = JSON.parse(readFileSync(summary, 'utf8')).metrics.iterations.count;
  } catch {
    process.stderr.write(stderr.slice(-2000));
  }
  return { iterations, wall, cpu, rssMB, startup: (setupAt - t0) / 1000, code };
}

const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const fmt = (r: Result) =>
  `${String(r.iterations).padStart(6)} it  wall ${r.wall.toFixed(2)} s  CPU ${r.cpu.toFixed(2)} s  ` +
  `RSS ${r.rssMB.toFixed(0)} MB  start-up ${r.startup.toFixed(2)} s${r.code ? `  exit ${r.code}` : ''}`;

for (const name of values.cases.split(',')) {
  const c = CASES[name];
  if (!c) throw new Error(`unknown case ${name} (${Object.keys(CASES).join(', ')})`);
  console.log(`\n== ${c.vus} VUs, sleep(${c.sleep}), ${c.duration}`);
  for (let round = 1; round <= Number(values.rounds); round++) {
    console.log(`round ${round}, load average ${load()}`);
    const k6 = await runOne(values.k6, c);
    console.log(`  k6      ${fmt(k6)}`);
    for (const r of runners) {
      const res = await runOne(r, c);
      const label = path.relative(process.cwd(), r) || r;
      console.log(`  runner  ${fmt(res)}  (${label})`);
      console.log(
        `          ratios: iterations ${(res.iterations / k6.iterations).toFixed(3)}  wall ${(res.wall / k6.wall).toFixed(2)}  ` +
          `CPU ${(res.cpu / k6.cpu).toFixed(2)}  RSS ${(res.rssMB / k6.rssMB).toFixed(2)}`,
      );
    }
  }
}
hello.stop();
rmSync(dir, { recursive: true, force: true });
