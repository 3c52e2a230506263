// Where a run's memory goes, the runner against real k6 in the same sitting: the same script as
// bench/runner-vs-k6-scale.ts (`http.get` of a node:http hello server, then `sleep(1)`) at several VU
// counts, each engine's resident memory sampled every 100 ms from /proc. Reported per run: the maximum RSS
// and the steady RSS (median of the samples in the last third of the run); then, from the two largest
// counts, each engine's memory per VU (the slope) and its fixed part (the steady RSS less the VUs' share);
// and for the runner at the largest count, its resident memory by kind of mapping, read from
// /proc/PID/smaps mid-run:
//   - `node binary`: /usr/bin/node's own pages;
//   - `>= 32 MB anonymous`: the VU threads' WebAssembly memories (one per 256 VMs), where QuickJS keeps
//     each VM's heap and C stack, and the reservations of V8's stack-switching stacks (2 MB a VM);
//   - `256 KB-2 MB anonymous`: V8's heap pages, and allocations from 16 KB up (glibc maps them apart
//     under the runner's allocator settings);
//   - `2-32 MB anonymous` and `other` (glibc's heap, machine stacks, code, libraries).
// The kinds are told apart by mapping size and so are approximate; the totals are exact.
// Last, the floor under the runner's fixed part: Node itself, idle, with no worker thread and with as many
// idle worker threads as the runner starts VU threads for the largest count (one per core, up to one per
// 10 VUs).
// Usage: node --import tsx bench/runner-vs-k6-rss.ts [--vus 1,200,1000] [--duration 9s]
//   [--k6 ../shared/tools/k6/k6] [--runner bin/runner.mjs]
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { realK6s } from '../tools/test/real-k6.ts';
import { helloProcess } from './hello-process.ts';
import { runnerAllocatorEnv, runnerNodeFlags } from '../bin/runner-flags.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    vus: { type: 'string', default: '1,200,1000' },
    duration: { type: 'string', default: '9s' },
    k6: { type: 'string', default: realK6s().binaries[0]?.file ?? 'k6' },
    runner: { type: 'string', default: path.join(root, 'bin/runner.mjs') },
  },
});
const counts = values.vus.split(',').map(Number);
const seconds = Number(values.duration.replace(/s$/, ''));

const hello = await helloProcess();
const url = hello.url;
const dir = mkdtempSync(path.join(os.tmpdir(), 'runner-vs-k6-rss-'));
const script = path.join(dir, 'rss.js');
writeFileSync(
  script,
  `import http from 'k6/http';\nimport { sleep } from 'k6';\n` +
    `export default function () { http.get(__ENV.URL); sleep(1); }\n`,
);

const rssKB = (pid: number): number => {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
  } catch {
    return NaN;
  }
};

function smapsKinds(pid: number): Record<string, number> {
  const kinds: Record<string, number> = {};
  let kind = '';
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (m) {
      const size = parseInt(m[2], 16) - parseInt(m[1], 16);
      const name = m[4];
      if (name.endsWith('/node')) kind = 'node binary';
      else if (name) kind = 'other';
      else if (!m[3].startsWith('rw')) kind = 'other';
      else if (size >= 32 << 20 && size < 1 << 30) kind = '>= 32 MB anonymous';
      else if (size >= 2 << 20 && size < 32 << 20) kind = '2-32 MB anonymous';
      else if (size >= 256 << 10 && size < 2 << 20) kind = '256 KB-2 MB anonymous';
      else kind = 'other';
    } else if (line.startsWith('Rss:')) kinds[kind] = (kinds[kind] ?? 0) + Number(line.split(/\s+/)[1]);
  }
  return kinds;
}

interface Run {
  maxMB: number;
  steadyMB: number;
  kinds?: Record<string, number>;
}

async function run(engine: 'k6' | 'runner', vus: number, parts: boolean): Promise<Run> {
  const args = ['run', '-q', '-u', String(vus), '-d', values.duration, '-e', `URL=${url}`, script];
  const child =
    engine === 'k6'
      ? spawn(values.k6, args, { stdio: 'ignore' })
      : spawn(process.execPath, [...runnerNodeFlags, values.runner, ...args], {
          stdio: 'ignore',
          env: { ...process.env, ...runnerAllocatorEnv() },
        });
  const t0 = Date.now();
  const samples: [number, number][] = [];
  let kinds: Record<string, number> | undefined;
  const timer = setInterval(() => {
    const at = (Date.now() - t0) / 1000;
    samples.push([at, rssKB(child.pid!)]);
    if (parts && !kinds && at > (seconds * 2) / 3) kinds = smapsKinds(child.pid!);
  }, 100);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearInterval(timer);
  if (code !== 0) throw new Error(`${engine} exited with ${code} at ${vus} VUs`);
  const valid = samples.filter(([, kb]) => Number.isFinite(kb));
  const end = valid.at(-1)?.[0] ?? 0;
  // The last third of the run, the engine's own start-up not counted (the runner's takes ~1-2 s).
  const steady = valid
    .filter(([at]) => at > end - seconds / 3 && at < end - 0.3)
    .map(([, kb]) => kb)
    .sort((a, b) => a - b);
  return {
    maxMB: Math.max(...valid.map(([, kb]) => kb)) / 1024,
    steadyMB: steady[steady.length >> 1] / 1024,
    kinds,
  };
}

const results: Record<string, Run[]> = { k6: [], runner: [] };
for (const vus of counts) {
  console.log(`== ${vus} VUs, sleep(1), ${values.duration}, load average ${os.loadavg()[0].toFixed(2)}`);
  for (const engine of ['k6', 'runner'] as const) {
    const r = await run(engine, vus, engine === 'runner' && vus === Math.max(...counts));
    results[engine].push(r);
    console.log(
      `  ${engine.padEnd(7)} steady ${r.steadyMB.toFixed(0).padStart(4)} MB  max ${r.maxMB.toFixed(0).padStart(4)} MB`,
    );
    if (r.kinds) {
      for (const [k, kb] of Object.entries(r.kinds).sort((a, b) => b[1] - a[1]))
        console.log(`           ${(kb / 1024).toFixed(1).padStart(6)} MB  ${k}`);
    }
  }
}
const order = counts.map((c, i) => [c, i]).sort((a, b) => a[0] - b[0]);
if (order.length >= 2) {
  const [lo, li] = order[order.length - 2];
  const [hi, hiI] = order[order.length - 1];
  console.log(`\nfrom ${lo} and ${hi} VUs (steady RSS):`);
  for (const engine of ['k6', 'runner']) {
    const a = results[engine][li].steadyMB;
    const b = results[engine][hiI].steadyMB;
    const perVU = (b - a) / (hi - lo);
    console.log(
      `  ${engine.padEnd(7)} ${(perVU * 1024).toFixed(0)} KB per VU, fixed ${(a - perVU * lo).toFixed(0)} MB`,
    );
  }
}

async function idleNode(workers: number): Promise<number> {
  const code =
    `const { Worker } = require('node:worker_threads');` +
    `for (let i = 0; i < ${workers}; i++) new Worker('setTimeout(() => {}, 3000)', { eval: true });` +
    `setTimeout(() => {}, 3000);`;
  const child = spawn(process.execPath, ['-e', code], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 2000));
  const kb = rssKB(child.pid!);
  await once(child, 'exit');
  return kb / 1024;
}
const threads = Math.min(os.availableParallelism(), Math.ceil(Math.max(...counts) / 10));
console.log(
  `\nNode ${process.version}, idle: ${(await idleNode(0)).toFixed(0)} MB with no worker thread, ` +
    `${(await idleNode(threads)).toFixed(0)} MB with ${threads}`,
);
hello.stop();
rmSync(dir, { recursive: true, force: true });
