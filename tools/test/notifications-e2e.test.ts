// The notifications test end to end against the real emulator, on the runner and on real k6 2.x: every
// conversation's event arrives on the one channel; with the server closing sockets (socket_closing first)
// the VU reconnects and still sees every event; with sockets dropped mid-run it reconnects and accounts for
// every conversation, a missed one only ever where a socket went down.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ensureBuilt } from '../../lib/test/processes.ts';
import { runOnEngine, RUNNER, type Engine, type EngineRun } from './engines.ts';
import { realK6sOrSkipReason } from './real-k6.ts';

const CONVERSATIONS = 12;
const ENV = { CONVERSATIONS: String(CONVERSATIONS), RATE: '4', EVENT_TIMEOUT: '3s', PING_INTERVAL: '1' };

interface StreamStats {
  connected: number;
  socketClosing: number;
  closedByServer: number;
  faults: { dropSocket: number };
}

function metric(run: EngineRun, name: string): number {
  const m = run.summary?.data.metrics[name];
  return m ? (m.values.count ?? 0) : 0;
}

function stream(run: EngineRun): StreamStats {
  return (run.stats as unknown as { notifications: StreamStats }).notifications;
}

function threshold(run: EngineRun, key: string) {
  const t = run.summary?.thresholds.find((x) => `${x.metric} ${x.expression}` === key);
  assert.ok(t, `${run.engine}: no threshold ${key}`);
  return t;
}

const measured = (r: EngineRun) =>
  `${r.engine}: exit ${r.code}, event_lag p95 ${r.summary?.data.metrics.event_lag?.values['p(95)']} ms, ` +
  ['events_received', 'events_missed', 'stream_reconnects', 'polling_requests_saved', 'stream_requests']
    .map((m) => `${m} ${metric(r, m)}`)
    .join(', ') +
  `, emulator drops ${stream(r).faults.dropSocket}`;

const describeRun = (r: EngineRun) =>
  `${r.engine}: exit ${r.code}\n${r.stdout.slice(-1500)}\n${r.stderr.slice(-1500)}`;

describe('notifications on the emulator', { timeout: 10 * 60_000 }, () => {
  const engines: Engine[] = [
    RUNNER,
    ...realK6sOrSkipReason()
      .filter((k6) => k6.major >= 2)
      .map((k6) => ({ name: k6.version, k6 })),
  ];
  let dir = '';
  const config = (name: string, body: unknown): string[] => {
    const file = path.join(dir, `${name}.json`);
    writeFileSync(file, JSON.stringify(body));
    return ['--config', file];
  };
  before(() => {
    ensureBuilt();
    dir = mkdtempSync(path.join(os.tmpdir(), 'notifications-e2e-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const engine of engines) {
    const label = engine.k6 ? `k6 ${engine.k6.version}` : 'the runner';

    it(`${label}: one channel sees every conversation it creates`, async (t) => {
      const run = await runOnEngine(engine, 'notifications', ENV);
      t.diagnostic(measured(run));
      assert.equal(run.code, 0, describeRun(run));
      assert.equal(metric(run, 'events_received'), CONVERSATIONS, describeRun(run));
      assert.equal(metric(run, 'events_missed'), 0);
      assert.equal(metric(run, 'stream_reconnects'), 0);
      // One channel, one subscription call per conversation.
      assert.equal(metric(run, 'stream_requests'), CONVERSATIONS + 1);
      assert.ok(metric(run, 'polling_requests_saved') >= CONVERSATIONS);
      const lag = run.summary!.data.metrics.event_lag.values;
      // The emulator's event lag is 0.5 s; the create and subscribe calls add milliseconds.
      assert.ok(lag['p(95)'] >= 500 && lag['p(95)'] < 1500, `event_lag p95 ${lag['p(95)']}`);
      assert.equal(stream(run).connected, 1);
      assert.equal(threshold(run, 'event_lag p(95)<5000').ok, true);
    });

    it(`${label}: keeps within the channel's topic limit by dropping the topics already seen`, async (t) => {
      const args = config('topics', { notifications: { maxTopicsPerChannel: 3 } });
      const run = await runOnEngine(
        engine,
        'notifications',
        { ...ENV, MAX_TOPICS: '3' },
        { emulatorArgs: args },
      );
      t.diagnostic(measured(run));
      assert.equal(run.code, 0, describeRun(run));
      assert.equal(metric(run, 'events_received'), CONVERSATIONS);
      const puts = run.stats.requests.byRoute['PUT /api/v2/notifications/channels/{channelId}/subscriptions'];
      assert.ok(
        puts && Object.values(puts).reduce((a, b) => a + b, 0) >= 1,
        JSON.stringify(run.stats.requests),
      );
    });

    it(`${label}: learns a lower topic limit from the platform's 400 and rotates from there`, async (t) => {
      const args = config('topics-400', { notifications: { maxTopicsPerChannel: 3 } });
      const run = await runOnEngine(engine, 'notifications', ENV, { emulatorArgs: args });
      t.diagnostic(measured(run));
      assert.equal(run.code, 0, describeRun(run));
      assert.equal(metric(run, 'events_received'), CONVERSATIONS, describeRun(run));
      const posts =
        run.stats.requests.byRoute['POST /api/v2/notifications/channels/{channelId}/subscriptions'];
      assert.equal(posts?.['400'], 1, JSON.stringify(run.stats.requests.byRoute));
    });

    it(`${label}: WATCH=queue needs one subscription for every conversation`, async (t) => {
      const run = await runOnEngine(engine, 'notifications', { ...ENV, WATCH: 'queue' });
      t.diagnostic(measured(run));
      assert.equal(run.code, 0, describeRun(run));
      assert.equal(metric(run, 'events_received'), CONVERSATIONS, describeRun(run));
      assert.equal(metric(run, 'stream_requests'), 2);
      assert.ok(metric(run, 'polling_requests_saved') - metric(run, 'stream_requests') >= CONVERSATIONS - 2);
    });

    it(`${label}: reconnects after socket_closing without losing an event`, async (t) => {
      const args = config('closing', { notifications: { closeAfterSeconds: 2, closingNoticeSeconds: 1 } });
      const run = await runOnEngine(engine, 'notifications', ENV, { emulatorArgs: args });
      t.diagnostic(measured(run));
      assert.equal(run.code, 0, describeRun(run));
      const reconnects = metric(run, 'stream_reconnects');
      assert.ok(reconnects >= 1, `stream_reconnects ${reconnects}\n${describeRun(run)}`);
      assert.ok(stream(run).socketClosing >= 1);
      assert.equal(stream(run).connected, reconnects + 1);
      assert.equal(metric(run, 'events_received'), CONVERSATIONS, describeRun(run));
      assert.equal(metric(run, 'events_missed'), 0);
      // The same connectUri again: the channel lives on. Each notice renewed it (one PUT).
      assert.equal(metric(run, 'stream_requests'), CONVERSATIONS + 1 + stream(run).socketClosing);
    });

    it(`${label}: renews a channel about to expire, so no socket finds it gone`, async (t) => {
      // WATCH=queue makes no subscription call per conversation, so nothing else renews the channel.
      const args = config('expiry', {
        notifications: { channelLifetimeSeconds: 2, closingNoticeSeconds: 1 },
      });
      const run = await runOnEngine(
        engine,
        'notifications',
        { ...ENV, WATCH: 'queue' },
        { emulatorArgs: args },
      );
      t.diagnostic(measured(run));
      assert.equal(run.code, 0, describeRun(run));
      assert.ok(stream(run).socketClosing >= 1, describeRun(run));
      assert.equal(metric(run, 'events_received'), CONVERSATIONS, describeRun(run));
      // One channel for the whole run: the creation, its queue topic, and a renewal per notice.
      assert.equal(metric(run, 'stream_requests'), 2 + stream(run).socketClosing);
    });

    for (const watch of ['conversations', 'queue']) {
      it(`${label}: a channel that is gone is created again with the topics still due (WATCH=${watch})`, async (t) => {
        const reset = async (url: string) => {
          // Mid-run by the stream's own progress, not the clock: engines start up at different speeds.
          for (let i = 0; i < 300; i++) {
            const stats = (await (await fetch(`${url}/__emulator/stats`)).json()) as {
              notifications: { eventsDelivered: number };
            };
            if (stats.notifications.eventsDelivered >= 4) break;
            await new Promise((r) => setTimeout(r, 50));
          }
          // Clears every channel and closes its socket, as an eviction does; tokens stay valid.
          const res = await fetch(`${url}/__emulator/reset`, { method: 'POST' });
          assert.equal(res.status, 200);
        };
        const run = await runOnEngine(engine, 'notifications', { ...ENV, WATCH: watch }, { during: reset });
        t.diagnostic(measured(run));
        assert.ok(run.code === 0 || run.code === 99, describeRun(run));
        assert.ok(metric(run, 'stream_reconnects') >= 1, describeRun(run));
        // A second channel and its topics: the waiting conversations', or the queue's again.
        const spent = metric(run, 'stream_requests');
        assert.ok(spent >= (watch === 'queue' ? 4 : CONVERSATIONS + 3), describeRun(run));
        assert.equal(metric(run, 'events_received') + metric(run, 'events_missed'), CONVERSATIONS);
        assert.equal(threshold(run, 'events_missed{after_outage:false} count==0').ok, true, describeRun(run));
      });
    }

    it(`${label}: reconnects after dropped sockets and accounts for every conversation`, async (t) => {
      const args = config('drop', { notifications: { heartbeatSeconds: 1, faults: { dropSocket: 0.2 } } });
      const run = await runOnEngine(engine, 'notifications', ENV, { emulatorArgs: args });
      t.diagnostic(measured(run));
      assert.ok(run.code === 0 || run.code === 99, describeRun(run));
      const drops = stream(run).faults.dropSocket;
      const reconnects = metric(run, 'stream_reconnects');
      assert.ok(drops >= 1 && reconnects >= 1, `drops ${drops}, reconnects ${reconnects}`);
      const received = metric(run, 'events_received');
      const missed = metric(run, 'events_missed');
      assert.equal(received + missed, CONVERSATIONS, describeRun(run));
      // A dropped socket loses at most the frame whose delivery dropped it; nothing is missed otherwise.
      assert.ok(missed <= drops, `missed ${missed} > drops ${drops}`);
      assert.equal(threshold(run, 'events_missed{after_outage:false} count==0').ok, true);
      assert.equal(run.code, missed === 0 ? 0 : 99, describeRun(run));
    });
  }
});
