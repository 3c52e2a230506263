// 200 VUs holding a socket each, as the suite's guests do: every session opens, the VUs' threads stay
// nearly idle while they wait on their sockets, and every session ends with the peer's close.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { VUPool, initOptionsPass } from '../vu/pool.ts';
import { byMetric, collector, writeScript } from './vu-harness.ts';
import { startWsPeer, type WsPeer } from './ws-server.ts';

const VUS = 200;
// the peer closes each session this long after it opened
const HOLD_MS = 5000;

let peer: WsPeer;
before(async () => {
  peer = await startWsPeer();
});
after(() => peer.close());

test(`${VUS} VUs with a socket each: all open, idle sockets cost little CPU, all close`, async () => {
  const script = writeScript(`import ws from 'k6/ws';
    export default function () {
      const res = ws.connect(__ENV.WS + '/close?code=1000&after=${HOLD_MS}', (socket) => {
        socket.setInterval(() => socket.ping(), 1000);
      });
      if (res.status !== 101) throw new Error('status ' + res.status);
    }`);
  const env = { WS: peer.url };
  const init = await initOptionsPass({ script, env });
  const c = collector();
  // worker threads as a run has them: one per 10 VUs, up to one per core
  const pool = await VUPool.create({ script, env, options: init.options, count: VUS, ...c });
  let idleCPU = 0;
  try {
    const scenario = { name: 'default', executor: 'per-vu-iterations', startTime: Date.now() };
    const runs = Array.from({ length: VUS }, (_, i) =>
      pool.vu(i + 1).run({ fn: 'default', scenario, iterationInScenario: 0, iterationInTest: i, tags: {} }),
    );
    const t0 = Date.now();
    while (peer.connections < VUS && Date.now() - t0 < HOLD_MS - 2500)
      await new Promise((r) => setTimeout(r, 20));
    assert.equal(peer.connections, VUS, 'every VU opened its socket');
    // Two seconds of every VU waiting on its socket (a ping each second each): CPU of the whole process,
    // the VUs' threads and the peer included.
    const before = process.cpuUsage();
    await new Promise((r) => setTimeout(r, 2000));
    const used = process.cpuUsage(before);
    idleCPU = (used.user + used.system) / 1e6 / 2;
    const results = await Promise.all(runs);
    assert.deepEqual(new Set(results.map((r) => JSON.stringify(r))), new Set(['{"ok":true}']));
  } finally {
    await pool.close();
  }
  process.stdout.write(`# ${VUS} open sockets, idle: ${(idleCPU * 100).toFixed(1)} % of a core\n`);
  assert.ok(idleCPU < 0.25, `${(idleCPU * 100).toFixed(1)} % of a core while the sockets wait`);
  assert.equal(byMetric(c.samples, 'ws_sessions').length, VUS);
  assert.equal(byMetric(c.samples, 'ws_session_duration').length, VUS);
  assert.ok(byMetric(c.samples, 'ws_ping').length >= VUS * 3);
  assert.ok(byMetric(c.samples, 'ws_session_duration').every((s) => s.value >= HOLD_MS - 100));
});
