// abortOnFail with delayAbortEval on the runner and on real k6: the same script against a local peer that
// starts answering 429 one second into the test run, the abort time and the 429 share compared.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collect, logMessages, Sandbox, type CliResult } from './cli-helpers.ts';
import { realK6sOrSkipReason, type RealK6 } from '../../tools/test/real-k6.ts';

const FAIL_AT_MS = 1000;
const DELAY_MS = 2000;

// Each request carries the engine's own test-run time (exec.instance.currentTestRunDuration): the peer
// refuses past FAIL_AT_MS of it and keeps the latest, i.e. when the engine stopped sending.
const script = `import http from 'k6/http';
import { sleep } from 'k6';
import exec from 'k6/execution';
export const options = {
  scenarios: {
    limited: { executor: 'constant-arrival-rate', rate: 50, timeUnit: '1s', duration: '10s',
               preAllocatedVUs: 4, maxVUs: 4, exec: 'limited' },
    rest: { executor: 'shared-iterations', vus: 1, iterations: 10000, maxDuration: '10s', exec: 'rest' },
  },
  thresholds: {
    'http_req_failed{scenario:limited}': [{ threshold: 'rate<0.05', abortOnFail: true, delayAbortEval: '${DELAY_MS}ms' }],
    'dropped_iterations{scenario:rest}': ['count==0'],
  },
};
export function limited() {
  http.get(__ENV.BASE + '/?t=' + exec.instance.currentTestRunDuration);
}
export function rest() { sleep(0.05); }
export function teardown() { console.log('teardown ran'); }
export function handleSummary(d) {
  const dropped = d.metrics['dropped_iterations{scenario:rest}'];
  return { stdout: JSON.stringify({ dropped: dropped ? dropped.values.count : null }) + '\\n' };
}
`;

interface Peer {
  ok: number;
  limited: number;
  lastT: number;
}

let server: Server;
let base = '';
let peer: Peer = { ok: 0, limited: 0, lastT: 0 };
const box = new Sandbox();

before(async () => {
  server = createServer((req, res) => {
    const t = Number(new URL(req.url ?? '/', 'http://peer').searchParams.get('t'));
    peer.lastT = Math.max(peer.lastT, t);
    const refused = t > FAIL_AT_MS;
    if (refused) peer.limited++;
    else peer.ok++;
    res.statusCode = refused ? 429 : 200;
    res.end('x');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => {
  server.close();
  box.cleanup();
});

interface Outcome {
  engine: string;
  r: CliResult;
  /** ms of test-run time at the last request */
  abortMs: number;
  share: number;
}

async function runOn(engine: string, start: (file: string) => Promise<CliResult>): Promise<Outcome> {
  peer = { ok: 0, limited: 0, lastT: 0 };
  const r = await start(box.script('abort.js', script));
  return { engine, r, abortMs: peer.lastT, share: peer.limited / (peer.ok + peer.limited) };
}

function runner(): Promise<Outcome> {
  return runOn('runner', (file) => box.run(['run', '-q', '--no-color', '-e', `BASE=${base}`, file]));
}

function k6(bin: RealK6): Promise<Outcome> {
  return runOn(`k6 v${bin.version}`, (file) => {
    const env: NodeJS.ProcessEnv = { ...process.env, K6_NO_USAGE_REPORT: 'true' };
    for (const k of Object.keys(env)) if (k.startsWith('K6_') && k !== 'K6_NO_USAGE_REPORT') delete env[k];
    const args = ['run', '-q', '--no-color', '-e', `BASE=${base}`, file];
    const child = spawn(bin.file, args, { cwd: box.dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    return collect(child, box, args);
  });
}

const ABORT_MESSAGE =
  'level=error msg="thresholds on metrics \'http_req_failed{scenario:limited}\' were crossed; at least one has abortOnFail enabled, stopping test prematurely"';

/** What either engine must show: k6's behaviour, whatever the phase of its 2 s checks. */
function assertAbort(o: Outcome): void {
  const where = `${o.engine}: ${o.r.stderr}`;
  assert.equal(o.r.code, 99, where);
  // The first check strictly after the delay: within 2 s of it (plus a late timer on a busy machine).
  assert.ok(
    o.abortMs > DELAY_MS && o.abortMs < DELAY_MS + 2000 + 300,
    `${o.engine} aborted at ${o.abortMs} ms`,
  );
  const lines = logMessages(o.r.stderr);
  assert.ok(lines.includes(ABORT_MESSAGE), where);
  assert.ok(lines.includes('level=info msg="teardown ran" source=console'), where);
  // handleSummary ran, and the interrupted shared-iterations scenario left no remainder.
  assert.deepEqual(JSON.parse(o.r.stdout.trim().split('\n').pop() ?? '{}'), { dropped: 0 }, o.engine);
}

const binaries = realK6sOrSkipReason();

test(
  'abortOnFail + delayAbortEval: the runner aborts when real k6 does, with the same 429 share',
  { skip: binaries.length === 0 ? 'no real k6' : false },
  async () => {
    // One engine at a time: two at once on a small machine would move each other's timers.
    const mine = await runner();
    assertAbort(mine);
    for (const bin of binaries) {
      const theirs = await k6(bin);
      assertAbort(theirs);
      // Each engine's checks fall every 2 s from before its VUs initialise, so each aborts 2 s after the
      // delay less its own init time; the runner's init (worker threads, QuickJS VMs) is a few hundred ms
      // longer than k6's. Stated tolerance: 1 s on the abort, 0.1 on the share it implies.
      const msg = `runner ${mine.abortMs} ms, share ${mine.share.toFixed(3)}; ${theirs.engine} ${theirs.abortMs} ms, share ${theirs.share.toFixed(3)}`;
      assert.ok(Math.abs(mine.abortMs - theirs.abortMs) <= 1000, msg);
      assert.ok(Math.abs(mine.share - theirs.share) <= 0.1, msg);
      process.stdout.write(`# ${msg}\n`);
    }
  },
);
