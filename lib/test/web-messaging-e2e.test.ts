// tests/web-messaging against the emulator, on the runner and on each real k6: a deployment the platform
// refuses stops the run with one line; guests pushed past the 2-per-second limit wait out retryAfter and
// are still answered; dropped guest sockets are counted as sessions without goodbye, and the run goes on.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { realK6s } from '../../tools/test/real-k6.ts';
import { ensureBuilt } from './processes.ts';
import { runOnEngine, RUNNER, type Engine, type EngineRun } from '../../tools/test/engines.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'web-messaging-e2e-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const engines: Engine[] = [RUNNER, ...realK6s().binaries.map((k6) => ({ name: k6.version, k6 }))];
const values = (r: EngineRun, name: string) => r.summary?.data.metrics[name]?.values ?? {};
const show = (r: EngineRun) =>
  `${r.engine}: exit ${r.code}\n${r.stderr.slice(-2500)}\n${r.stdout.slice(-1500)}`;
const guests = (r: EngineRun) =>
  (r.stats as unknown as { webMessaging: Record<string, number> & { faults: { dropSocket: number } } })
    .webMessaging;

describe('web-messaging end to end', { timeout: 10 * 60_000 }, () => {
  before(() => ensureBuilt());
  for (const engine of engines) {
    const name = engine.k6 ? `k6 ${engine.k6.version}` : 'the runner';

    it(`${name}: a deployment the platform refuses stops the run in setup() with one line (exit 108)`, async () => {
      // The default 200 guests: none of them may start.
      const r = await runOnEngine(engine, 'web-messaging', {
        DEPLOYMENT_ID: '00000000-0000-4000-8000-000000000000',
        DURATION: '30s',
      });
      assert.equal(r.code, 108, show(r));
      const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
      assert.equal(lines.length, 1, show(r));
      assert.match(
        lines[0],
        /test aborted: web-messaging: ws:\/\/127\.0\.0\.1:\d+\/v1 refused deployment \\?"00000000-0000-4000-8000-000000000000\\?" \(403\): DEPLOYMENT_ID must be a Messenger deployment of this org/,
      );
      assert.equal(values(r, 'iterations').count ?? 0, 0, show(r));
      assert.equal(guests(r).connections, 0);
      assert.equal(guests(r).sessionsCreated, 0);
    });

    it(`${name}: guests with no think time are throttled (4029), wait out retryAfter and are all answered`, async () => {
      const r = await runOnEngine(engine, 'web-messaging', { VUS: '5', DURATION: '5s', THINK_TIME: '0' });
      // guest_throttled count==0 is crossed, by design here: exit 99, nothing else.
      assert.equal(r.code, 99, show(r));
      const throttled = values(r, 'guest_throttled').count ?? 0;
      const wait = values(r, 'guest_retry_wait');
      assert.ok(throttled > 0, show(r));
      assert.equal(throttled, guests(r).throttled, 'every 4029 the emulator sent was seen');
      assert.equal(wait.count, throttled, 'every 4029 was waited out');
      // retryAfter is whole seconds, at least 1; the jitter of a first retry adds under 500 ms.
      assert.ok(wait.min >= 1000, `shortest wait ${wait.min} ms`);
      assert.ok(wait.max < 1000 * 2 + 500, `longest wait ${wait.max} ms`);
      assert.equal(values(r, 'guest_retry_exhausted').count ?? 0, 0, show(r));
      assert.equal(values(r, 'guest_errors').count ?? 0, 0, show(r));
      assert.equal(values(r, 'guest_sessions_without_goodbye').count ?? 0, 0, show(r));
      assert.equal(values(r, 'checks').rate, 1, 'every guest was answered and got its goodbye');
      const messages = values(r, 'guest_messages').count ?? 0;
      assert.equal(messages, guests(r).messagesIn, 'the emulator took what the guests count as sent');
      assert.equal(values(r, 'bot_reply_time').count, messages, 'each accepted line was answered');
      // Waiting the whole retryAfter makes the resend land in a fresh second: no line is throttled twice.
      assert.ok(throttled <= messages, `${throttled} 4029s for ${messages} lines`);
      const sorted = [...r.summary!.thresholds]
        .filter((t) => !t.ok)
        .map((t) => `${t.metric} ${t.expression}`);
      assert.deepEqual(sorted, ['guest_throttled count==0']);
    });

    it(`${name}: dropped guest sockets count as sessions without goodbye, and the guests carry on`, async () => {
      const config = path.join(dir, 'drops.json');
      writeFileSync(config, JSON.stringify({ webMessaging: { faults: { dropSocket: 0.05 } } }));
      const r = await runOnEngine(
        engine,
        'web-messaging',
        { VUS: '10', DURATION: '8s', THINK_TIME: '0.7' },
        { emulatorArgs: ['--config', config] },
      );
      assert.equal(r.code, 99, show(r));
      assert.doesNotMatch(r.stderr, /TypeError|ReferenceError|GoError|panic|Uncaught/, show(r));
      const drops = guests(r).faults.dropSocket;
      const without = values(r, 'guest_sessions_without_goodbye').count ?? 0;
      assert.ok(drops > 0, 'the fault dropped sockets');
      assert.equal(without, drops, `one lost session per dropped socket\n${show(r)}`);
      assert.equal(values(r, 'guest_errors').count ?? 0, 0, 'a drop is not an error frame');
      const iterations = values(r, 'iterations').count ?? 0;
      assert.ok(iterations > drops, `guests went on after the drops: ${iterations} visits`);
      const failed = r.summary!.thresholds.filter((t) => !t.ok).map((t) => t.metric);
      assert.ok(failed.includes('guest_sessions_without_goodbye'), show(r));
    });
  }
});
