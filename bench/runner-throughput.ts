// Trivial GET, closed loop, against a node:http hello server: autocannon and a plain undici client with N
// connections versus the runner's VU pool with N VUs (each VU: `http.get(url)` in a loop), in the same run.
// The goal is stated against autocannon (real k6 reaches ~0.33x of it on the same machine).
// Usage: node --import tsx bench/runner-throughput.ts [--vus 50] [--seconds 10] [--workers N] [--per-iteration]
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
import { autocannonBaseline } from './autocannon-baseline.ts';

if (await runBundledIfSource(import.meta.url)) process.exit();

const { values } = parseArgs({
  options: {
    vus: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '10' },
    workers: { type: 'string' },
    only: { type: 'string' },
    'per-iteration': { type: 'boolean' },
  },
});
const vus = Number(values.vus);
const seconds = Number(values.seconds);

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

async function runnerPool(
  url: string,
): Promise<{ rps: number; initMs: number; rssMB: number; cpuUs: number }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'runner-bench-'));
  const script = path.join(dir, 'get.js');
  writeFileSync(script, `import http from 'k6/http';\nexport default function () { http.get(__ENV.URL); }\n`);
  let reqs = 0;
  let peakRss = 0;
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
  const initMs = performance.now() - t0;
  const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 250);
  const end = Date.now() + seconds * 1000;
  const scenario = { name: 'default', executor: 'constant-vus', startTime: Date.now() };
  // The same tags object on every iteration, as the executors pass it (the pool then sends it once).
  const tags = {};
  const counter = new SharedArrayBuffer(4);
  let started = 0;
  const reqsAtStart = reqs;
  const c0 = process.cpuUsage();
  await Promise.all(
    Array.from({ length: vus }, async (_, i) => {
      const vu = pool.vu(i + 1);
      let n = 0;
      if (!values['per-iteration']) {
        // as constant-vus drives a VU: its iterations back to back in its thread until told to stop
        const timer = setTimeout(() => vu.stopLooping!(), end - Date.now());
        await vu.loop!({
          req: { fn: 'default', scenario, tags },
          counter,
          progress: { from: Date.now(), ms: seconds * 1000 },
        });
        clearTimeout(timer);
        return;
      }
      while (Date.now() < end) {
        await vu.run({
          fn: 'default',
          scenario,
          iterationInScenario: n++,
          iterationInTest: started++,
          tags,
        });
      }
    }),
  );
  const cpuUs = cpuPer(c0, reqs - reqsAtStart);
  clearInterval(rssTimer);
  await pool.close();
  return { rps: (reqs - reqsAtStart) / seconds, initMs, rssMB: peakRss / 1e6, cpuUs };
}

const server = await startServer();
try {
  const none = { rps: NaN, cpuUs: NaN };
  // The runner goes first: after the two baselines, which run in this process, it inherited their heap
  // and handles (init took twice as long and throughput fell by a fifth); the server does not slow down
  // for having served the runner (autocannon's rate is the same either way, BENCHMARKS.md).
  const run = values.only === 'undici' ? null : await runnerPool(server.url);
  const base = values.only === 'runner' ? none : await undiciBaseline(server.url);
  const ac = values.only === undefined ? await autocannonBaseline(server.url, vus, seconds) : none;
  if (values.only === undefined) {
    console.log(
      `autocannon, ${vus} connections: ${ac.rps.toFixed(0)} req/s, ${ac.cpuUs.toFixed(0)} µs CPU/req`,
    );
  }
  console.log(
    `undici closed loop, ${vus} connections: ${base.rps.toFixed(0)} req/s, ${base.cpuUs.toFixed(0)} µs CPU/req`,
  );
  if (run) {
    console.log(
      `runner VU pool, ${vus} VUs: ${run.rps.toFixed(0)} req/s (${(run.rps / ac.rps).toFixed(2)}x autocannon, ` +
        `${(run.rps / base.rps).toFixed(2)}x undici), ` +
        `${run.cpuUs.toFixed(0)} µs CPU/req, init ${run.initMs.toFixed(0)} ms, ` +
        `peak RSS of this process ${run.rssMB.toFixed(0)} MB (workers included)`,
    );
  }
} finally {
  server.stop();
}
