// The guest client (lib/genesys/webmessaging.ts) against the fake guest socket: the dialog's order, the
// retry after a 4029, what a dropped socket, a silent bot and a refused deployment count.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { evaluate, type Evaluated } from './bundle.ts';
import { fakeGuestSocket, type FakeGuestOptions } from './fake-guest.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const GLUE = `
  import { GUEST_DIALOG, guestConversation, probeDeployment } from '../genesys/webmessaging.ts';
  const target = { socketUrl: 'ws://127.0.0.1:9/v1?deploymentId=d-1', deploymentId: 'd-1', where: 'ws://127.0.0.1:9/v1' };
  export const lines = GUEST_DIALOG.length;
  export const visit = (opts) => guestConversation(target, GUEST_DIALOG, opts);
  export const probe = () => probeDeployment(target);
`;
const retry = { maxAttempts: 5, budgetMs: 120_000, baseMs: 500, capMs: 20_000 };

async function guest(fake: FakeGuestOptions, opts: Record<string, unknown> = {}) {
  const ev: Evaluated = await evaluate({ source: GLUE, resolveDir: here }, {});
  const socket = fakeGuestSocket(fake);
  ev.enterVU({
    id: 1,
    scenarioStart: Date.now(),
    request: () => {
      throw new Error('a guest makes no HTTP request');
    },
    sleep: () => {
      throw new Error('a sleep would hold the socket loop');
    },
    connect: socket.connect,
  });
  const visit = ev.exports.visit as (o: unknown) => Record<string, unknown>;
  const result = visit({ thinkTimeS: 3, retry, replyTimeoutMs: 30_000, ...opts });
  const sum = (metric: string) =>
    ev.recorded.samples.filter((s) => s.metric === metric).reduce((a, s) => a + s.value, 0);
  const samples = (metric: string) => ev.recorded.samples.filter((s) => s.metric === metric);
  return { ev, result, log: socket.log, sum, samples, lines: ev.exports.lines as number };
}

describe('web messaging guest client', () => {
  it('configures a session, says each line after the answer to the last, and leaves at the goodbye', async () => {
    const g = await guest({});
    assert.equal(g.result.outcome, 'goodbye');
    assert.equal(g.result.sent, g.lines);
    assert.equal(g.result.answered, g.lines);
    const actions = g.log.sent.map((f) => f.action);
    assert.deepEqual(actions, ['configureSession', ...Array(g.lines).fill('onMessage')]);
    assert.equal(g.log.sent[0].deploymentId, 'd-1');
    const token = g.log.sent[0].token;
    assert.match(String(token), /^[0-9a-f-]{36}$/);
    assert.ok(
      g.log.sent.every((f) => f.token === token),
      'one guest token for the whole visit',
    );
    const quick = g.log.sent[2].message as { type: string; content: Array<{ contentType: string }> };
    assert.equal(quick.type, 'Structured');
    assert.equal(quick.content[0].contentType, 'ButtonResponse');
    // The pauses: a jittered 3 s after the session and after each bot message but the goodbye's text
    // (the greeting and the first answer each start it again).
    const pauses = g.log.timers.filter((ms) => ms !== 30_000);
    assert.equal(pauses.length, g.lines + 1);
    assert.ok(
      pauses.every((ms) => ms >= 1500 && ms <= 4500),
      String(pauses),
    );
    assert.equal(g.sum('guest_messages'), g.lines);
    // Greeting + one answer per line.
    assert.equal(g.sum('guest_replies'), g.lines + 1);
    assert.equal(g.samples('bot_reply_time').length, g.lines);
    assert.equal(g.samples('guest_session_time').length, 1);
    assert.equal(g.sum('guest_sessions_without_goodbye'), 0);
    assert.equal(g.sum('guest_errors'), 0);
    assert.deepEqual(g.log.closes, [1000]);
  });

  it('takes neither the bot typing for an answer nor needs the echo to carry the tracingId', async () => {
    const g = await guest({ typing: true, untracedEcho: true });
    assert.equal(g.result.outcome, 'goodbye');
    assert.equal(g.result.answered, g.lines);
    assert.equal(g.sum('guest_replies'), g.lines + 1, 'Typing events are not replies');
    const pauses = g.log.timers.filter((ms) => ms !== 30_000);
    assert.equal(pauses.length, g.lines + 1, 'typing starts no pause');
  });

  it('goes on after one reply a line, for a bot flow that does not greet', async () => {
    const g = await guest({ noGreeting: true });
    assert.equal(g.result.outcome, 'goodbye');
    assert.equal(g.result.answered, g.lines);
    assert.equal(g.sum('guest_replies'), g.lines);
    assert.equal(g.samples('bot_reply_time').length, g.lines);
  });

  it('resends a throttled line after retryAfter plus jitter, and the line is still answered', async () => {
    const g = await guest({ throttleFirst: 2, retryAfter: 1 });
    assert.equal(g.result.outcome, 'goodbye');
    assert.equal(g.result.answered, g.lines);
    assert.equal(g.result.throttled, 2 * g.lines);
    assert.equal(g.sum('guest_throttled'), 2 * g.lines);
    const waits = g.samples('guest_retry_wait').map((s) => s.value);
    assert.equal(waits.length, 2 * g.lines);
    assert.ok(
      waits.every((w) => w >= 1000 && w < 3000),
      `every wait honours retryAfter, with bounded jitter: ${waits}`,
    );
    for (const w of waits) assert.ok(g.log.timers.includes(w), 'the wait recorded is the wait armed');
    assert.equal(g.sum('guest_retry_exhausted'), 0);
    // A resend carries a new tracingId: its echo is told from a late answer to the refused attempt.
    const ids = g.log.sent.filter((f) => f.action === 'onMessage').map((f) => f.tracingId);
    assert.equal(new Set(ids).size, ids.length);
  });

  it('gives up on a line the platform keeps throttling, within the attempts', async () => {
    const g = await guest({ throttleFirst: 100, retryAfter: 1 }, { retry: { ...retry, maxAttempts: 3 } });
    assert.equal(g.result.outcome, 'failed');
    assert.equal(g.result.reason, 'retry_exhausted');
    assert.equal(g.sum('guest_throttled'), 3);
    assert.equal(g.sum('guest_retry_exhausted'), 1);
    assert.deepEqual(
      g.samples('guest_errors').map((s) => s.tags.reason),
      ['retry_exhausted'],
    );
    assert.equal(g.sum('guest_sessions_without_goodbye'), 1);
  });

  it('counts a dropped socket as a session without goodbye, with its close code', async () => {
    const g = await guest({ dropAtReply: 3 });
    assert.equal(g.result.outcome, 'closed');
    assert.equal(g.result.closeCode, 1006);
    assert.deepEqual(
      g.samples('guest_sessions_without_goodbye').map((s) => s.tags.close_code),
      ['1006'],
    );
    assert.equal(g.sum('guest_errors'), 0, 'a drop is not an error frame');
  });

  it('gives up when the bot does not answer within REPLY_TIMEOUT', async () => {
    const g = await guest({ silent: true }, { replyTimeoutMs: 5000 });
    assert.equal(g.result.outcome, 'failed');
    assert.equal(g.result.reason, 'reply_timeout');
    assert.equal(g.result.sent, 1);
    assert.ok(g.log.timers.includes(5000));
  });

  it('records a refused dial once, and the probe explains a refused deployment', async () => {
    const g = await guest({ status: 403 });
    assert.equal(g.result.outcome, 'refused');
    assert.deepEqual(
      g.samples('guest_errors').map((s) => s.tags.reason),
      ['403'],
    );
    assert.equal(g.sum('guest_sessions_without_goodbye'), 0);
    const probe = (g.ev.exports.probe as () => { ok: boolean; message?: string })();
    assert.deepEqual(JSON.parse(JSON.stringify(probe)), {
      ok: false,
      message:
        'ws://127.0.0.1:9/v1 refused deployment "d-1" (403): DEPLOYMENT_ID must be a Messenger deployment of this org',
    });
  });
});
