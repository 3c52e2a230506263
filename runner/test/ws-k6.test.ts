// k6/ws on the runner and on each real k6, against one local WebSocket peer: the same scripts, their
// console lines (the order of the socket's events), the ws_* samples and their tags (--out json), the
// summary's counts and durations, and the exit codes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { collect, logMessages, Sandbox, type CliResult } from './cli-helpers.ts';
import { startWsPeer, type WsPeer } from './ws-server.ts';
import { realK6sOrSkipReason, type RealK6 } from '../../tools/test/real-k6.ts';
import { EVENTS, INTERRUPTED, LOAD } from './ws-k6-scripts.ts';

let peer: WsPeer;
const box = new Sandbox();
before(async () => {
  peer = await startWsPeer();
});
after(async () => {
  await peer.close();
  box.cleanup();
});

interface Outcome {
  engine: string;
  r: CliResult;
  /** console lines, in order */
  console: string[];
  /** `metric {tags}` of every ws_* sample, sorted, with how many there were */
  samples: Map<string, number>;
  /** data_sent / data_received totals from the samples */
  bytes: { sent: number; received: number };
  metrics: Record<string, Record<string, number>>;
}

function outcome(engine: string, r: CliResult): Outcome {
  const samples = new Map<string, number>();
  const bytes = { sent: 0, received: 0 };
  for (const line of box.read('out.json').split('\n')) {
    if (!line.includes('"type":"Point"')) continue;
    const p = JSON.parse(line) as { metric: string; data: { value: number; tags: Record<string, string> } };
    if (p.metric === 'data_sent') bytes.sent += p.data.value;
    if (p.metric === 'data_received') bytes.received += p.data.value;
    if (!p.metric.startsWith('ws_')) continue;
    const tags = Object.fromEntries(Object.entries(p.data.tags ?? {}).sort(([a], [b]) => (a < b ? -1 : 1)));
    const key = `${p.metric} ${JSON.stringify(tags)}`;
    samples.set(key, (samples.get(key) ?? 0) + 1);
  }
  const console = logMessages(r.stderr)
    .filter((l) => l.includes('source=console'))
    .map((l) => l.replace(/^level=info msg="(.*)" source=console$/, '$1'));
  return { engine, r, console, samples, bytes, metrics: r.exported?.metrics ?? {} };
}

const ARGS = ['run', '-q', '--no-color', '--summary-export', 'summary.json', '--out', 'json=out.json'];

async function onRunner(name: string, source: string): Promise<Outcome> {
  const file = box.script(name, source);
  return outcome('runner', await box.run([...ARGS, '-e', `WS=${peer.url}`, file]));
}

async function onK6(bin: RealK6, name: string, source: string): Promise<Outcome> {
  const file = box.script(name, source);
  const env: NodeJS.ProcessEnv = { ...process.env, K6_NO_USAGE_REPORT: 'true' };
  for (const k of Object.keys(env)) if (k.startsWith('K6_') && k !== 'K6_NO_USAGE_REPORT') delete env[k];
  const args = [...ARGS, '-e', `WS=${peer.url}`, file];
  const child = spawn(bin.file, args, { cwd: box.dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  return outcome(`k6 v${bin.version}`, await collect(child, box, args));
}

const count = (o: Outcome, m: string) => o.metrics[m]?.count;
/** each threshold's verdict, by metric (the summary export's `thresholds`: true when crossed) */
const thresholds = (o: Outcome) =>
  Object.fromEntries(
    Object.entries(o.metrics)
      .filter(([, v]) => v.thresholds)
      .map(([k, v]) => [k, v.thresholds])
      .sort(([a], [b]) => (a < b ? -1 : 1)),
  );
const near = (a: number, b: number, abs: number, rel: number) =>
  Math.abs(a - b) <= abs + rel * Math.max(a, b);

const binaries = realK6sOrSkipReason();
const skip = binaries.length === 0 ? 'no real k6' : false;

test(
  'the events of a socket: every console line, ws_* sample and tag as k6 gives them',
  { skip },
  async () => {
    const mine = await onRunner('events.js', EVENTS);
    assert.equal(mine.r.code, 0, mine.r.stderr);
    for (const bin of binaries) {
      const theirs = await onK6(bin, 'events.js', EVENTS);
      assert.equal(mine.r.code, theirs.r.code, theirs.r.stderr);
      assert.deepEqual(mine.console, theirs.console, theirs.engine);
      assert.deepEqual([...mine.samples].sort(), [...theirs.samples].sort(), theirs.engine);
      // Stated tolerance: the runner echoes a server's close reason in its answer (k6 sends the code alone)
      // and cannot write a close frame once the peer dropped the connection, a few bytes each; zlib
      // compresses the one deflated message ~30 bytes smaller than Go's flate.
      const msg = `${theirs.engine}: ${JSON.stringify(theirs.bytes)}, runner ${JSON.stringify(mine.bytes)}`;
      assert.ok(near(mine.bytes.sent, theirs.bytes.sent, 48, 0), msg);
      assert.ok(near(mine.bytes.received, theirs.bytes.received, 16, 0), msg);
    }
  },
);

test('20 sessions over 10 VUs: the same counts, durations and thresholds as k6', { skip }, async () => {
  const mine = await onRunner('load.js', LOAD);
  assert.equal(mine.r.code, 0, mine.r.stderr);
  for (const bin of binaries) {
    const theirs = await onK6(bin, 'load.js', LOAD);
    assert.equal(mine.r.code, theirs.r.code, theirs.r.stderr);
    for (const m of ['iterations', 'ws_sessions', 'ws_msgs_sent', 'ws_msgs_received']) {
      assert.equal(count(mine, m), count(theirs, m), `${m}: ${theirs.engine}`);
    }
    assert.equal(mine.metrics.checks.passes, 40);
    assert.equal(mine.metrics.checks.passes, theirs.metrics.checks.passes, theirs.engine);
    assert.deepEqual(thresholds(mine), thresholds(theirs), theirs.engine);
    assert.deepEqual([...mine.samples].sort(), [...theirs.samples].sort(), theirs.engine);
    // Each session is open for its five 30 ms intervals and an echo, ~155 ms on both (stated tolerance
    // 60 ms); ws_session_duration also holds the handshake, which on the runner waits for the others of
    // its thread at the start (ten VUs share one; k6 gives each its own goroutine).
    const open = [mine, theirs].map((o) => o.metrics.ws_session_duration.avg - o.metrics.ws_connecting.avg);
    assert.ok(
      near(open[0], open[1], 60, 0),
      `session open: runner ${open[0]} ms, ${theirs.engine} ${open[1]} ms`,
    );
    for (const o of [mine, theirs]) {
      assert.ok(o.metrics.ws_connecting.max < 500, `${o.engine} ws_connecting`);
      assert.ok(o.metrics.ws_ping.avg < 100, `${o.engine} ws_ping`);
    }
    assert.equal(mine.bytes.sent, theirs.bytes.sent, `data_sent: ${theirs.engine}`);
    // k6 closes the connection right after its close frame and now and then reads the peer's answer (4
    // bytes) first; the runner never does.
    const extra = theirs.bytes.received - mine.bytes.received;
    assert.ok(
      extra >= 0 && extra <= 4 * 20 && extra % 4 === 0,
      `data_received: ${theirs.engine} ${extra} more`,
    );
  }
});

/** The close codes the peer saw from the clients of one run, once all `n` connections ended. */
async function closesOf(run: () => Promise<Outcome>, n: number): Promise<[Outcome, number[]]> {
  const from = peer.closes.length;
  const o = await run();
  for (let i = 0; i < 100 && peer.closes.length < from + n; i++) await new Promise((r) => setTimeout(r, 10));
  return [o, peer.closes.slice(from).map((c) => c.code)];
}

test(
  'sessions still open when the test ends: interrupted as k6 does, thresholds on ws_* decide the exit',
  { skip },
  async () => {
    const [mine, myCloses] = await closesOf(() => onRunner('interrupted.js', INTERRUPTED), 3);
    assert.equal(mine.r.code, 99, mine.r.stderr);
    assert.deepEqual(myCloses, [1001, 1001, 1001]);
    for (const bin of binaries) {
      const [theirs, closes] = await closesOf(() => onK6(bin, 'interrupted.js', INTERRUPTED), 3);
      assert.deepEqual(closes, [1001, 1001, 1001], theirs.engine);
      assert.equal(mine.r.code, theirs.r.code, theirs.r.stderr);
      assert.equal(count(mine, 'ws_sessions'), count(theirs, 'ws_sessions'), theirs.engine);
      assert.deepEqual(thresholds(mine), thresholds(theirs), theirs.engine);
      for (const o of [mine, theirs]) {
        // no session ended on its own: no duration, no iteration
        assert.equal(o.metrics.ws_session_duration, undefined, o.engine);
        assert.equal(o.metrics.iterations, undefined, o.engine);
        assert.ok(o.bytes.sent > 3 * 150, `${o.engine} data_sent ${o.bytes.sent}`);
      }
      // a tick every 200 ms for ~1 s (stated tolerance: two ticks per VU, as the two engines start apart)
      const sent = [mine, theirs].map((o) => count(o, 'ws_msgs_sent'));
      assert.ok(near(sent[0], sent[1], 6, 0), `ws_msgs_sent: runner ${sent[0]}, ${theirs.engine} ${sent[1]}`);
    }
  },
);
