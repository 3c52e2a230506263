// Requests/s of an authorized GET /api/v2/conversations/{id} on the emulator against a raw node:http hello
// world, both in their own process and driven by the same closed-loop undici client in one run. The limits
// are raised (not switched off) so every request still passes auth, the permission check and all limiters.
// Usage: node --import tsx bench/emulator.ts [--connections 50] [--seconds 5] [--rounds 3]
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Agent, request } from 'undici';

const { values } = parseArgs({
  options: {
    connections: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
  },
});
const connections = Number(values.connections);
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
if (![connections, seconds, rounds].every((n) => Number.isInteger(n) && n > 0)) {
  console.error('bench/emulator: --connections, --seconds and --rounds must be positive integers');
  process.exit(2);
}
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');

async function firstLine(child: ChildProcess): Promise<string> {
  const rl = createInterface({ input: child.stdout! });
  const [line] = (await once(rl, 'line')) as [string];
  rl.close();
  return line;
}

async function startHello(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'emulator-hello-server.ts')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return { url: `http://127.0.0.1:${(await firstLine(child)).trim()}/`, child };
}

/** The built emulator (what `make emulator` runs), with a bearer token and one conversation to read. */
async function startEmulator(): Promise<{
  url: string;
  child: ChildProcess;
  headers: Record<string, string>;
}> {
  const child = spawn(
    process.execPath,
    [
      path.join(root, 'build/emulator/main.js'),
      '--port',
      '0',
      '--config',
      path.join(here, 'emulator-bench.json'),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const base = (await firstLine(child)).replace('emulator listening on ', '');
  const tokenRes = await fetch(`${base}/oauth/token`, {
    method: 'POST',
    headers: {
      authorization: 'Basic ' + Buffer.from('demo-client:demo-secret').toString('base64'),
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  });
  const { access_token } = (await tokenRes.json()) as { access_token: string };
  const headers = { authorization: `Bearer ${access_token}` };
  const call = await fetch(`${base}/api/v2/conversations/calls`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify({ phoneNumber: '+15550100' }),
  });
  const { id } = (await call.json()) as { id: string };
  return { url: `${base}/api/v2/conversations/${id}`, child, headers };
}

/** Closed loop: `connections` workers, each sending its next request when the last one's body is read. */
async function drive(
  url: string,
  headers: Record<string, string>,
  durationS: number,
): Promise<{ rps: number; bad: number }> {
  const agent = new Agent({ connections, pipelining: 1 });
  let ok = 0;
  let bad = 0;
  const end = performance.now() + durationS * 1000;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < end) {
        const res = await request(url, { dispatcher: agent, headers });
        await res.body.arrayBuffer();
        if (res.statusCode === 200) ok++;
        else bad++;
      }
    }),
  );
  await agent.close();
  return { rps: ok / durationS, bad };
}

/** Server CPU seconds so far (user + system) from /proc, or NaN where there is no /proc. */
function cpuSeconds(child: ChildProcess): number {
  try {
    const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return NaN;
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const build = spawn(process.execPath, [path.join(root, 'esbuild.config.mjs'), '--quiet'], {
  stdio: 'inherit',
});
const [buildCode] = await once(build, 'exit');
if (buildCode !== 0) process.exit(1);

const hello = await startHello();
const emu = await startEmulator();
const results = { hello: [] as number[], emulator: [] as number[] };
const cpuPerRequest = { hello: [] as number[], emulator: [] as number[] };
try {
  // Warm both servers (JIT, connection setup) before measuring.
  await drive(hello.url, {}, 1);
  await drive(emu.url, emu.headers, 1);
  for (let r = 0; r < rounds; r++) {
    // Alternate the order each round so neither side always runs on a warmer machine.
    const order = r % 2 === 0 ? (['hello', 'emulator'] as const) : (['emulator', 'hello'] as const);
    for (const side of order) {
      const child = side === 'hello' ? hello.child : emu.child;
      const cpuBefore = cpuSeconds(child);
      const { rps, bad } =
        side === 'hello' ? await drive(hello.url, {}, seconds) : await drive(emu.url, emu.headers, seconds);
      if (bad > 0) throw new Error(`${side}: ${bad} non-200 responses`);
      const usPerRequest = ((cpuSeconds(child) - cpuBefore) / (rps * seconds)) * 1e6;
      results[side].push(rps);
      cpuPerRequest[side].push(usPerRequest);
      console.log(
        `round ${r + 1} ${side.padEnd(8)} ${rps.toFixed(0)} req/s, server CPU ${usPerRequest.toFixed(1)} us/request`,
      );
    }
  }
} finally {
  hello.child.kill('SIGTERM');
  emu.child.kill('SIGTERM');
}
// The machine may be shared: compare each round's pair (run back to back) and take the median ratio.
const ratios = results.emulator.map((e, i) => e / results.hello[i]);
const cpuRatio = median(cpuPerRequest.hello) / median(cpuPerRequest.emulator);
console.log(
  `${rounds} rounds of ${seconds}s, ${connections} connections, median req/s: hello ${median(results.hello).toFixed(0)}, ` +
    `emulator GET /api/v2/conversations/{id} ${median(results.emulator).toFixed(0)}\n` +
    `throughput ratio emulator/hello (median of per-round ratios): ${median(ratios).toFixed(2)} (goal >= 0.70)\n` +
    `server CPU per request: hello ${median(cpuPerRequest.hello).toFixed(1)} us, emulator ` +
    `${median(cpuPerRequest.emulator).toFixed(1)} us (hello/emulator ${cpuRatio.toFixed(2)})`,
);
