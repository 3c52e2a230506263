// Arrival-rate precision of the runner, constant-arrival-rate 500/s for 10 s, in two parts:
// 1. the executor alone, in-process, with VUs that always suffice (each iteration a 2 ms timer): when each
//    iteration starts against its due time k * timeUnit / rate, counted from the scenario start;
// 2. end to end through the CLI (bin/runner.mjs) and the real VU pool against a node:http hello server on
//    127.0.0.1: iterations, drops and the achieved rate.
// Target: the achieved rate within 1 % of 500/s and no dropped iterations while VUs suffice.
// Usage: node --import tsx bench/runner-arrival-rate.ts [--rate 500] [--seconds 10] [--vus 200]
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runnerNodeFlags } from '../bin/runner-flags.mjs';
import { parseArgs } from 'node:util';
import { format, resolveConfig } from 'prettier';
import { ConstantArrivalRate } from '../runner/executors/constant-arrival-rate.ts';
import type { ExecutionContext, VU } from '../runner/executors/types.ts';
import { normalizeScenario } from '../runner/options.ts';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '500' },
    seconds: { type: 'string', default: '10' },
    vus: { type: 'string', default: '200' },
  },
});
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const vus = Number(values.vus);
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');

// The peer: a node:http hello server on 127.0.0.1 in its own process (so it does not share the runner's cores'
// event loops); prints its port.
const SERVER = `
const http = require('node:http');
const server = http.createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '5' });
  res.end('hello');
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

async function startServer(): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
  return { url: `http://127.0.0.1:${chunk.toString().trim()}/`, stop: () => child.kill('SIGTERM') };
}

async function executorAlone() {
  const sc = normalizeScenario('open', {
    executor: 'constant-arrival-rate',
    rate,
    timeUnit: '1s',
    duration: `${seconds}s`,
    preAllocatedVUs: vus,
  });
  const lateness: number[] = [];
  let startAt = 0;
  let n = 0;
  const idle: VU[] = Array.from({ length: vus }, (_, i) => ({
    id: i + 1,
    run: () => {
      // Due index = starts + drops so far (both happen in due-time order).
      lateness.push(performance.now() - (startAt + ((n++ + dropped) * 1000) / rate));
      return new Promise((resolve) => setTimeout(() => resolve({ ok: true }), 2));
    },
    interrupt: () => {},
  }));
  let dropped = 0;
  const ctx: ExecutionContext = {
    getVU: () => idle.shift()!,
    returnVU: (vu) => idle.push(vu),
    initVU: () => Promise.reject(new Error('no more VUs')),
    addActive: () => {},
    countIteration: () => {},
    emit: (samples) => (dropped += samples.reduce((a, x) => a + x.value, 0)),
    warn: () => {},
    now: () => performance.now(),
    signal: new AbortController().signal,
    runTags: {},
    env: {},
    setupData: undefined,
  };
  startAt = performance.now() + 50;
  await new ConstantArrivalRate(sc).run(ctx, startAt);
  const sorted = [...lateness].sort((a, b) => a - b);
  const q = (p: number) =>
    Number(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))].toFixed(3));
  // Starts that are not late by more than one period keep the rate exact; lateness never accumulates.
  return {
    iterations: lateness.length,
    dropped,
    achievedRate: lateness.length / seconds,
    errorPct: Number(((Math.abs(lateness.length / seconds - rate) / rate) * 100).toFixed(3)),
    latenessMs: {
      p50: q(0.5),
      p99: q(0.99),
      max: q(1),
      last: Number(lateness[lateness.length - 1].toFixed(3)),
    },
  };
}

const alone = await executorAlone();

const dir = mkdtempSync(path.join(os.tmpdir(), 'runner-arrival-'));
const script = path.join(dir, 'arrival.js');
writeFileSync(
  script,
  `import http from 'k6/http';
export const options = { scenarios: { open: { executor: 'constant-arrival-rate', rate: ${rate}, timeUnit: '1s',
  duration: '${seconds}s', preAllocatedVUs: ${vus}, maxVUs: ${vus} } } };
export default function () { http.get(__ENV.URL); }
`,
);

const server = await startServer();
const t0 = performance.now();
const child = spawn(
  process.execPath,
  [
    ...runnerNodeFlags,
    path.join(root, 'bin', 'runner.mjs'),
    'run',
    '-q',
    '--summary-export',
    'export.json',
    '--out',
    'json=out.jsonl',
    script,
  ],
  { cwd: dir, env: { ...process.env, URL: server.url }, stdio: ['ignore', 'ignore', 'inherit'] },
);
const [code] = (await once(child, 'exit')) as [number];
const wallS = (performance.now() - t0) / 1000;
server.stop();

const exported = JSON.parse(readFileSync(path.join(dir, 'export.json'), 'utf8')) as {
  metrics: Record<string, Record<string, number>>;
};
// Request times from the NDJSON stream: the spread of starts per second of the run.
const times: number[] = [];
const dropTimes: number[] = [];
for (const line of readFileSync(path.join(dir, 'out.jsonl'), 'utf8').split('\n')) {
  if (line.startsWith('{"metric":"http_reqs"')) times.push(Date.parse(JSON.parse(line).data.time));
  if (line.startsWith('{"metric":"dropped_iterations"'))
    dropTimes.push(Date.parse(JSON.parse(line).data.time));
}
times.sort((a, b) => a - b);
const perSecond = new Map<number, number>();
for (const t of times) {
  const s = Math.floor((t - times[0]) / 1000);
  if (s < seconds) perSecond.set(s, (perSecond.get(s) ?? 0) + 1);
}
const buckets = [...perSecond.values()];
// Seconds from the first event of the run (a drop can come before the first request completes).
const first = Math.min(times[0] ?? Infinity, ...dropTimes);
const dropsPerSecond = Array.from(
  { length: seconds },
  (_, i) => dropTimes.filter((t) => Math.min(seconds - 1, Math.floor((t - first) / 1000)) === i).length,
);
const iterations = exported.metrics.iterations?.count ?? 0;
const dropped = exported.metrics.dropped_iterations?.count ?? 0;
const achieved = iterations / seconds;
const errorPct = (Math.abs(achieved - rate) / rate) * 100;
const result = {
  executorAlone: { ...alone, pass: alone.errorPct <= 1 && alone.dropped === 0 },
  command: `node --import tsx bench/runner-arrival-rate.ts --rate ${rate} --seconds ${seconds} --vus ${vus}`,
  exitCode: code,
  target: rate,
  expectedIterations: rate * seconds,
  iterations,
  dropped,
  achievedRate: achieved,
  errorPct: Number(errorPct.toFixed(3)),
  perSecondMin: Math.min(...buckets),
  perSecondMax: Math.max(...buckets),
  dropsPerSecond,
  wallSeconds: Number(wallS.toFixed(2)),
  // other work on the machine shares its 2 cores; the 1-minute load average when the run ended
  loadAverage: Number(os.loadavg()[0].toFixed(2)),
  pass: errorPct <= 1 && dropped === 0 && code === 0,
};
mkdirSync(path.join(here, 'results'), { recursive: true });
// Formatted as the repository's prettier check expects, so a fresh result can be committed as is.
const resultFile = path.join(here, 'results', 'runner-arrival-rate.json');
writeFileSync(
  resultFile,
  await format(JSON.stringify(result), { ...(await resolveConfig(resultFile)), parser: 'json' }),
);
console.log(JSON.stringify(result, null, 2));
rmSync(dir, { recursive: true, force: true });
process.exit(result.pass ? 0 : 1);
