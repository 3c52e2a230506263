// Where a request's CPU goes in the runner, one thread, one request at a time, against an in-process
// node:http hello server (so every figure includes the server's share): plain undici, the host half of
// k6/http, the VM half with stub host functions (no I/O), a bare suspension, and a whole VU iteration.
// Usage: node --import tsx bench/runner-throughput-parts.ts [--n 4000]
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { Agent, request } from 'undici';
import { runBundledIfSource } from './runner-throughput-build.ts';
import { VM } from '../runner/vu/vm.ts';
import { ThreadContext, VU } from '../runner/vu/vu.ts';
import { CookieJar, HttpClient, encodeResponse, type WireRequest } from '../runner/modules/http-host.ts';
import type { Cancel } from '../runner/modules/http1.ts';
import { warmUp } from '../runner/vu/warmup.ts';

if (await runBundledIfSource(import.meta.url)) process.exit();

// As in the VU worker threads (runner/worker.ts): no host stack traces on every suspension.
Error.stackTraceLimit = 0;

const { values } = parseArgs({ options: { n: { type: 'string', default: '4000' } } });
const n = Number(values.n);

const server = http.createServer((_q, s) => {
  s.writeHead(200, { 'content-type': 'text/plain', 'content-length': '5' });
  s.end('hello');
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
await warmUp();

async function cpu(label: string, fn: () => Promise<unknown>, per = 1): Promise<void> {
  const runs = Math.max(1, Math.round(n / per));
  for (let i = 0; i < Math.min(500, runs); i++) await fn();
  const c0 = process.cpuUsage();
  for (let i = 0; i < runs; i++) await fn();
  const c = process.cpuUsage(c0);
  const us = (c.user + c.system) / (runs * per);
  console.log(`${label.padEnd(44)} ${us.toFixed(0).padStart(5)} µs CPU per request`);
}

const agent = new Agent();
await cpu('undici request (+ server)', async () => (await request(url, { dispatcher: agent })).body.text());

const client = new HttpClient({});
const ctx = {
  emit: () => {},
  signal: new AbortController().signal,
  cancels: new Set<Cancel>(),
  warn: () => {},
  bytes: { sent: 0, received: 0 },
  jar: new CookieJar(),
};
const wire = JSON.stringify([
  { method: 'GET', url, headers: {}, tags: { scenario: 'default', group: '' }, expected: [[200, 399]] },
]);
await cpu('k6/http host half (+ server)', async () =>
  encodeResponse((await client.send(JSON.parse(wire) as WireRequest[], ctx))[0]),
);

// The VM half: http.get 20 times per run against stub host functions returning a canned response.
const canned = encodeResponse((await client.send(JSON.parse(wire) as WireRequest[], ctx))[0]);
for (const [label, host, body] of [
  [
    'VM half, host call returns at once',
    { sync: { request: () => canned }, async: {} },
    'http.get(__ENV.URL)',
  ],
  [
    'VM half, host call suspends the VM',
    { sync: {}, async: { request: async () => canned } },
    'http.get(__ENV.URL)',
  ],
  [
    'bare suspension (async no-op host call)',
    { sync: {}, async: { request: async () => '' } },
    '__k6.host.request("[]", "")',
  ],
] as const) {
  const vm = await VM.create(host as never);
  vm.prepare(1, { URL: url }, {});
  await vm.load(
    'file:///parts.js',
    `import http from 'k6/http';\nexport default function () { for (let i = 0; i < 200; i++) ${body}; }`,
  );
  const fixed = JSON.stringify({ tags: { scenario: 'default' }, group: '', scenario: null });
  let first = true;
  await cpu(
    label,
    async () => {
      await vm.run('default', first ? fixed : '', '[0,0,null,0]');
      first = false;
    },
    200,
  );
  vm.dispose();
}

const src = `import http from 'k6/http';\nexport default function () { http.get(__ENV.URL); }\n`;
const thread = new ThreadContext(
  { filename: 'file:///parts.js', source: src },
  {},
  {
    samples() {},
    define() {},
    log() {},
    abort() {},
  },
);
const vu = await VU.create(1, thread, { URL: url });
const scenario = { name: 'default', executor: 'constant-vus', startTime: Date.now() };
let iter = 0;
await cpu('whole VU iteration: http.get (+ server)', () =>
  vu.run({ fn: 'default', scenario, iterationInTest: iter++, tags: {} }),
);
vu.dispose();
// The same iteration without a request: what an iteration costs around its function.
const empty = new ThreadContext(
  { filename: 'file:///parts.js', source: 'export default function () {}\n' },
  {},
  { samples() {}, define() {}, log() {}, abort() {} },
);
const idle = await VU.create(1, empty, {});
await cpu('whole VU iteration: empty function', () =>
  idle.run({ fn: 'default', scenario, iterationInTest: iter++, tags: {} }),
);
idle.dispose();
await empty.close();
await thread.close();
await client.close();
await agent.close();
server.close();
