// Trivial GET, closed loop, against a node:http hello server: autocannon and a plain undici client with N
// connections versus the runner's VU pool with N VUs (each VU: `http.get(url)` in a loop), in the same run.
// The goal is stated against autocannon (real k6 reaches ~0.33x of it on the same machine).
// Usage: node --import tsx bench/runner-throughput.ts [--vus 50] [--seconds 10] [--rounds 5] [--workers N]
//   [--per-iteration]
// Each VU loops in its thread as constant-vus drives it; --per-iteration sends every iteration from the
// main thread instead (as the arrival-rate executors do).
// Also reported: CPU time of this process per request (all its threads; the server runs apart).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runBundledIfSource } from './runner-throughput-build.ts';
import { Agent, request } from 'undici';
import { VUPool } from '../runner/vu/pool.ts';
import { startAutocannon } from './autocannon-baseline.ts';

if (await runBundledIfSource(import.meta.url)) process.exit();

const { values } = parseArgs({
  options: {
    vus: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '10' },
    workers: { type: 'string' },
    only: { type: 'string' },
    'per-iteration': { type: 'boolean' },
    rounds: { type: 'string', default: '5' },
  },
});
const vus = Number(values.vus);
const seconds = Number(values.seconds);
const rounds = Math.max(1, Number(values.rounds));

// The peer: a node:http hello server in its own process, so it shares no thread with the client.
const SERVER = `
const server = require('node:http').createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '5' });
  res.end('hello');
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
`;

async function startServer(): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
  return { url: `http://127.0.0.1:${chunk.toString().trim()}/`, stop: () => child.kill('SIGTERM') };
}

// CPU time of this process (every thread) per request: less noisy than req/s on a shared machine, and
// free of the server's share.
function cpuPer(start: NodeJS.CpuUsage, requests: number): number {
  const c = process.cpuUsage(start);
  return (c.user + c.system) / requests;
}

async function undiciBaseline(url: string): Promise<{ rps: number; cpuUs: number }> {
  const agent = new Agent({ connections: vus });
  let count = 0;
  const c0 = process.cpuUsage();
  const end = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: vus }, async () => {
      while (Date.now() < end) {
        const res = await request(url, { dispatcher: agent });
        await res.body.text();
        count++;
      }
    }),
  );
  const cpuUs = cpuPer(c0, count);
  await agent.close();
  return { rps: count / seconds, cpuUs };
}

interface Pool {
  pool: VUPool;
  initMs: number;
  /** http_reqs counted so far */
  reqs(): number;
}

async function startPool(url: string): Promise<Pool> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'runner-bench-'));
  const script = path.join(dir, 'get.js');
  writeFileSync(script, `import http from 'k6/http';\nexport default function () { http.get(__ENV.URL); }\n`);
  let reqs = 0;
  const t0 = performance.now();
  const pool = await VUPool.create({
    script,
    env: { URL: url },
    options: {},
    count: vus,
    workers: values.workers === undefined ? undefined : Number(values.workers),
    onSamples: (batch) => {
      for (const s of batch) if (s.metric === 'http_reqs') reqs++;
    },
  });
  return { pool, initMs: performance.now() - t0, reqs: () => reqs };
}

// One window of the pool's load: every VU busy for `ms`, then stopped.
async function runnerWindow(p: Pool, ms: number, first: number): Promise<Window> {
  const end = Date.now() + ms;
  const scenario = { name: 'default', executor: 'constant-vus', startTime: Date.now() };
  // The same tags object on every iteration, as the executors pass it (the pool then sends it once).
  const tags = {};
  const counter = new SharedArrayBuffer(4);
  let started = first;
  const before = p.reqs();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: vus }, async (_, i) => {
      const vu = p.pool.vu(i + 1);
      let n = 0;
      if (!values['per-iteration']) {
        // as constant-vus drives a VU: its iterations back to back in its thread until told to stop
        const timer = setTimeout(() => vu.stopLooping!(), end - Date.now());
        await vu.loop!({
          req: { fn: 'default', scenario, tags },
          counter,
          progress: { from: Date.now(), ms },
        });
        clearTimeout(timer);
        return;
      }
      while (Date.now() < end) {
        await vu.run({ fn: 'default', scenario, iterationInScenario: n++, iterationInTest: started++, tags });
      }
    }),
  );
  const requests = p.reqs() - before;
  return { requests, seconds: (performance.now() - t0) / 1000, cpuUs: cpuPer(c0, requests) };
}

interface Window {
  requests: number;
  seconds: number;
  cpuUs: number;
}
const rate = (ws: Window[]) => ws.reduce((a, w) => a + w.requests, 0) / ws.reduce((a, w) => a + w.seconds, 0);
const cpu = (ws: Window[]) =>
  ws.reduce((a, w) => a + w.cpuUs * w.requests, 0) / ws.reduce((a, w) => a + w.requests, 0);

const server = await startServer();
try {
  // The pool starts first: after the baselines, which run in this process, it inherited their heap and
  // handles (init took twice as long and throughput fell by a fifth, BENCHMARKS.md). Then the pool and
  // autocannon take turns (`--rounds` windows each, `--seconds` in all for each), so both see the
  // machine's other load alike: run one after the other, their ratio moved with that load.
  const p = values.only === 'undici' ? null : await startPool(server.url);
  let peakRss = 0;
  const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 250);
  const runs: Window[] = [];
  const acs: Window[] = [];
  const window = (seconds * 1000) / rounds;
  const ac = values.only === undefined ? startAutocannon(server.url, vus) : null;
  for (let r = 0; r < rounds; r++) {
    if (p) runs.push(await runnerWindow(p, window, r * 1_000_000));
    if (ac) acs.push(await ac.run(window / 1000));
  }
  clearInterval(rssTimer);
  await ac?.close();
  if (p) await p.pool.close();
  const base = values.only === 'runner' ? { rps: NaN, cpuUs: NaN } : await undiciBaseline(server.url);
  if (values.only === undefined) {
    console.log(
      `autocannon, ${vus} connections: ${rate(acs).toFixed(0)} req/s, ${cpu(acs).toFixed(0)} µs CPU/req`,
    );
  }
  console.log(
    `undici closed loop, ${vus} connections: ${base.rps.toFixed(0)} req/s, ${base.cpuUs.toFixed(0)} µs CPU/req`,
  );
  if (p) {
    const rps = rate(runs);
    const each = acs.length
      ? ` (by round: ${runs.map((w, i) => (w.requests / w.seconds / rate([acs[i]])).toFixed(2)).join(', ')})`
      : ` (by round: ${runs.map((w) => (w.requests / w.seconds).toFixed(0)).join(', ')} req/s)`;
    console.log(
      `runner VU pool, ${vus} VUs: ${rps.toFixed(0)} req/s (${(rps / rate(acs)).toFixed(2)}x autocannon${each}, ` +
        `${(rps / base.rps).toFixed(2)}x undici), ` +
        `${cpu(runs).toFixed(0)} µs CPU/req, init ${p.initMs.toFixed(0)} ms, ` +
        `peak RSS of this process ${(peakRss / 1e6).toFixed(0)} MB (workers included)`,
    );
  }
} finally {
  server.stop();
}
