// Resident memory of the built emulator holding idle web messaging guests: each guest opens a socket,
// configures a session and sends one message (so it has a conversation and a bot session), then stays
// connected and silent. RSS comes from /proc/PID/status before the guests and once they are all idle.
// Usage: node --import tsx bench/emulator-ws.ts [--guests 1000] [--budget-mb 300]
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';

const { values } = parseArgs({
  options: {
    guests: { type: 'string', default: '1000' },
    'budget-mb': { type: 'string', default: '300' },
  },
});
const guests = Number(values.guests);
const budgetMb = Number(values['budget-mb']);
if (!Number.isInteger(guests) || guests < 1 || !(budgetMb > 0)) {
  console.error('bench/emulator-ws: --guests must be a positive integer and --budget-mb a positive number');
  process.exit(2);
}
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const DEPLOYMENT = '6c1f3a52-3d0e-4b8f-9a51-1d2c0e7b9a10';
/** Guests connecting at once: enough to be quick, few enough not to queue the 2-core machine's accepts. */
const BATCH = 50;

function rssMb(child: ChildProcess): number {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]);
  return kb / 1024;
}

async function startEmulator(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [path.join(root, 'build/emulator/main.js'), '--port', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const rl = createInterface({ input: child.stdout! });
  const [line] = (await once(rl, 'line')) as [string];
  rl.close();
  return { url: line.replace('emulator listening on ', ''), child };
}

/** One guest: configured, one message answered (echo, greeting, answer), then idle. */
function guest(url: string, i: number): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/v1?deploymentId=${DEPLOYMENT}`);
    const token = `bench-guest-${i}`;
    let frames = 0;
    ws.once('error', reject);
    ws.once('open', () =>
      ws.send(JSON.stringify({ action: 'configureSession', token, deploymentId: DEPLOYMENT })),
    );
    ws.on('message', (data) => {
      const msg = JSON.parse(data.toString());
      if (msg.class === 'SessionResponse') {
        ws.send(JSON.stringify({ action: 'onMessage', token, message: { type: 'Text', text: 'hours?' } }));
      } else if (msg.class === 'StructuredMessage' && ++frames === 3) {
        ws.removeAllListeners('message');
        resolve(ws);
      } else if (msg.code !== 200) {
        reject(new Error(`guest ${i}: ${data}`));
      }
    });
  });
}

const build = spawn(process.execPath, [path.join(root, 'esbuild.config.mjs'), '--quiet'], {
  stdio: 'inherit',
});
const [buildCode] = await once(build, 'exit');
if (buildCode !== 0) process.exit(1);

const emu = await startEmulator();
const sockets: WebSocket[] = [];
const report: string[] = [];
try {
  await new Promise((r) => setTimeout(r, 1000));
  const before = rssMb(emu.child);
  const started = performance.now();
  for (let i = 0; i < guests; i += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, guests - i) }, (_, j) => guest(emu.url, i + j));
    sockets.push(...(await Promise.all(batch)));
  }
  const connectS = (performance.now() - started) / 1000;
  // Let the last replies and any collection settle before reading.
  await new Promise((r) => setTimeout(r, 3000));
  const stats = (await (await fetch(`${emu.url}/__emulator/stats`)).json()) as {
    webMessaging: { sessionsOpen: number; connections: number };
    state: { conversations: number };
  };
  const after = rssMb(emu.child);
  const pass = after <= budgetMb && stats.webMessaging.sessionsOpen === guests;
  report.push(`guests connected, configured and answered: ${guests} in ${connectS.toFixed(1)} s`);
  report.push(
    `emulator: ${stats.webMessaging.sessionsOpen} sessions open, ${stats.webMessaging.connections} sockets, ` +
      `${stats.state.conversations} conversations`,
  );
  report.push(`RSS before: ${before.toFixed(1)} MB, with the guests idle: ${after.toFixed(1)} MB`);
  report.push(`per guest: ${(((after - before) * 1024) / guests).toFixed(1)} KB`);
  report.push(`Result: ${pass ? 'PASS' : 'FAIL'}, ${after.toFixed(1)} MB against a ${budgetMb} MB budget`);
  process.exitCode = pass ? 0 : 1;
} finally {
  for (const ws of sockets) ws.terminate();
  emu.child.kill('SIGTERM');
  await once(emu.child, 'exit');
  // After the emulator's own stop line, so the report is not interleaved with it.
  for (const line of report) console.log(line);
}
