// The Web Messaging guest API on the emulator's port: sessions, the bot dialog, the platform's limits and
// error codes, and the guest's conversation as the REST side sees it.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { GREETING } from '../bot.ts';
import { defaultConfig, type ConfigOverrides } from '../config.ts';
import type { Emulator } from '../server.ts';
import { api, emulator, sleep, token } from './helpers.ts';
import { Client, refusal, wsUrl } from './ws-client.ts';

const DEPLOYMENT = defaultConfig().webMessaging.deployments[0].id;
const RATE_KEY = 'messages.per.session.rate.per.second';

async function guest(emu: Emulator, deploymentId = DEPLOYMENT): Promise<Client> {
  return Client.open(wsUrl(emu.url, `/v1?deploymentId=${deploymentId}`));
}

/** A guest socket with a configured session; answers the SessionResponse body. */
async function session(emu: Emulator, guestToken = randomUUID()) {
  const c = await guest(emu);
  c.send({ action: 'configureSession', token: guestToken, deploymentId: DEPLOYMENT, tracingId: 't-0' });
  const r = await c.next();
  assert.equal(r.class, 'SessionResponse', JSON.stringify(r));
  return { c, token: guestToken, response: r };
}

const say = (guestToken: string, text: string, tracingId?: string) => ({
  action: 'onMessage',
  token: guestToken,
  message: { type: 'Text', text },
  tracingId,
});

async function conversationOf(emu: Emulator, guestToken: string): Promise<string> {
  const r = await api(
    emu.url,
    'GET',
    `/__emulator/webmessaging/sessions?deploymentId=${DEPLOYMENT}&token=${guestToken}`,
    null,
  );
  assert.equal(r.status, 200);
  return r.body.conversationId;
}

const stats = (emu: Emulator) => emu.stats() as any;

/** Waits for the server to have seen what the client already has (a close, say). */
async function eventually(check: () => boolean, timeoutMs = 2000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('the condition did not hold in time');
    await sleep(5);
  }
}

describe('web messaging sessions', async () => {
  const emu = await emulator();

  it('configures a new session and resumes it on another socket', async () => {
    const { c, token: t, response } = await session(emu);
    assert.deepEqual(
      { type: response.type, code: response.code, tracingId: response.tracingId },
      { type: 'response', code: 200, tracingId: 't-0' },
    );
    assert.equal(response.body.connected, true);
    assert.equal(response.body.newSession, true);
    assert.equal(response.body.readOnly, false);
    assert.equal(response.body.durationSeconds, 86400);
    assert.ok(Math.abs(response.body.expirationDate - (Date.now() / 1000 + 86400)) < 5);
    c.ws.close();
    await c.closed;

    const again = await session(emu, t);
    assert.equal(again.response.body.newSession, false);
    const s = stats(emu).webMessaging;
    assert.equal(s.sessionsCreated, 1);
    assert.equal(s.sessionsResumed, 1);
    assert.equal(s.sessionsOpen, 1);
  });

  it('refuses an unknown deploymentId before the handshake (403) and in configureSession (400)', async () => {
    const unknown = await refusal(wsUrl(emu.url, `/v1?deploymentId=${randomUUID()}`));
    assert.equal(unknown.status, 403);
    assert.equal(unknown.body.code, 'not.authorized');
    assert.equal((await refusal(wsUrl(emu.url, '/v1'))).status, 403);
    assert.equal((await refusal(wsUrl(emu.url, '/elsewhere'))).status, 404);

    const c = await guest(emu);
    c.send({ action: 'configureSession', token: randomUUID(), deploymentId: randomUUID() });
    assert.deepEqual(await c.next(), {
      type: 'response',
      class: 'string',
      code: 400,
      body: 'Deployment not found',
    });
  });

  it('answers 4007 without a configured session and 400 to frames that are not requests', async () => {
    const c = await guest(emu);
    c.send(say(randomUUID(), 'hello', 'x-1'));
    const r = await c.next();
    assert.deepEqual(r, {
      type: 'response',
      class: 'string',
      code: 4007,
      body: 'Session not found',
      tracingId: 'x-1',
    });
    c.send('not json');
    assert.equal((await c.next()).code, 400);
    c.send({ action: 'getJwt', token: 'x' });
    assert.equal((await c.next()).code, 400);
    const { c: other } = await session(emu);
    other.send(say(randomUUID(), 'a token this socket did not configure'));
    assert.equal((await other.next()).code, 4007);
  });

  it('answers echo with the session duration, outside the message rate limit', async () => {
    const { c, token: t } = await session(emu);
    for (let i = 0; i < 4; i++) {
      c.send({ action: 'echo', token: t, message: { type: 'Text', text: 'ping' }, tracingId: 'hc' });
      const r = await c.next();
      assert.equal(r.type, 'response');
      assert.equal(r.class, 'StructuredMessage');
      assert.equal(r.tracingId, 'hc');
      assert.equal(r.body.text, 'ping');
      assert.equal(r.body.direction, 'Inbound');
      assert.equal(r.body.metadata.durationSeconds, '86400');
    }
  });

  it('lists the configured deployments over REST', async () => {
    const bearer = await token(emu.url);
    const list = await api(emu.url, 'GET', '/api/v2/webdeployments/deployments', bearer);
    assert.equal(list.status, 200);
    assert.deepEqual(
      list.body.entities.map((d: { id: string }) => d.id),
      [DEPLOYMENT],
    );
    const one = await api(emu.url, 'GET', `/api/v2/webdeployments/deployments/${DEPLOYMENT}`, bearer);
    assert.equal(one.body.flow.id, 'demo-bot-flow');
    const none = await api(emu.url, 'GET', `/api/v2/webdeployments/deployments/${randomUUID()}`, bearer);
    assert.equal(none.status, 404);
  });
});

describe('web messaging dialog', async () => {
  const think = { median: 120, p99: 160 };
  // The dialog sends faster than 2 messages a second; the limit has its own test.
  const emu = await emulator({
    webMessaging: { botThinkTime: think },
    analytics: { lagSeconds: 0.3 },
    limits: { webmessaging: { [RATE_KEY]: 100 } },
  } as ConfigOverrides);

  it('echoes the message, then the bot greets and answers after its think time', async () => {
    const { c, token: t } = await session(emu);
    c.send(say(t, 'what are your opening hours?', 'm-1'));
    const echo = await c.nextAt();
    assert.equal(echo.msg.type, 'message');
    assert.equal(echo.msg.class, 'StructuredMessage');
    assert.equal(echo.msg.tracingId, 'm-1');
    assert.equal(echo.msg.body.direction, 'Inbound');
    assert.equal(echo.msg.body.text, 'what are your opening hours?');

    const greeting = await c.nextAt();
    assert.ok(greeting.at - echo.at >= 60, `greeting ${greeting.at - echo.at} ms after the echo`);
    assert.equal(greeting.msg.body.direction, 'Outbound');
    assert.equal(greeting.msg.body.originatingEntity, 'Bot');
    assert.equal(greeting.msg.body.type, 'Structured');
    assert.equal(greeting.msg.body.text, GREETING);
    assert.deepEqual(
      greeting.msg.body.content.map((q: any) => q.quickReply.payload),
      ['hours', 'order', 'agent'],
    );
    const hours = await c.nextAt();
    assert.ok(hours.at - greeting.at >= 60, `answer ${hours.at - greeting.at} ms after the greeting`);
    assert.equal(hours.msg.body.type, 'Text');
    assert.match(hours.msg.body.text, /9am to 5pm/);

    // The guest's conversation is an inbound message conversation the REST side can read.
    const id = await conversationOf(emu, t);
    const bearer = await token(emu.url);
    const conv = await api(emu.url, 'GET', `/api/v2/conversations/${id}`, bearer);
    assert.equal(conv.status, 200);
    assert.equal(conv.body.state, 'connected');
    assert.deepEqual(
      conv.body.participants.map((p: any) => p.purpose),
      ['customer', 'bot'],
    );

    // A quick reply is answered like the text it carries; "bye" ends the conversation.
    c.send({
      action: 'onMessage',
      token: t,
      message: {
        type: 'Structured',
        content: [
          {
            contentType: 'ButtonResponse',
            buttonResponse: { text: 'bye', payload: 'bye', type: 'QuickReply' },
          },
        ],
      },
    });
    assert.equal((await c.next()).body.direction, 'Inbound');
    assert.equal((await c.next()).body.text, 'Thanks for chatting. Goodbye!');
    const end = await c.next();
    assert.equal(end.body.type, 'Event');
    assert.deepEqual(end.body.events, [{ eventType: 'Presence', presence: { type: 'Disconnect' } }]);
    const ended = await api(emu.url, 'GET', `/api/v2/conversations/${id}`, bearer);
    assert.equal(ended.body.state, 'disconnected');

    // Analytics has it once the lag has passed.
    const details = `/api/v2/analytics/conversations/${id}/details`;
    assert.equal((await api(emu.url, 'GET', details, bearer)).status, 404);
    await sleep(350);
    const a = await api(emu.url, 'GET', details, bearer);
    assert.equal(a.status, 200);
    assert.equal(a.body.originatingDirection, 'inbound');

    // The next message starts a new conversation with a new greeting.
    c.send(say(t, 'hello'));
    await c.next();
    assert.equal((await c.next()).body.text, GREETING);
    assert.match((await c.next()).body.text, /Hello again/);
    assert.notEqual(await conversationOf(emu, t), id);
    const s = stats(emu).webMessaging;
    assert.equal(s.messagesIn, 3);
    assert.equal(s.messagesOut, 6);
  });
});

describe('web messaging limits', async () => {
  const emu = await emulator({
    webMessaging: { maxMessageLength: 50, maxSessions: 2 },
    limits: { webmessaging: { [RATE_KEY]: 2 } },
  } as ConfigOverrides);

  it('throttles the third message within a second with 4029 and retryAfter', async () => {
    const { c, token: t } = await session(emu);
    c.send({ action: 'onMessage', token: t, message: { type: 'Event', events: [{ eventType: 'Typing' }] } });
    c.send(say(t, 'order'));
    c.send(say(t, 'third', 'm-3'));
    const frames = [];
    for (let i = 0; i < 3; i++) frames.push(await c.next());
    const throttled = frames.find((f) => f.class === 'TooManyRequestsErrorMessage');
    assert.ok(throttled, JSON.stringify(frames));
    assert.deepEqual(throttled, {
      type: 'response',
      class: 'TooManyRequestsErrorMessage',
      code: 429,
      body: { retryAfter: 1, errorCode: 4029, errorMessage: 'Message rate too high for this session' },
      tracingId: 'm-3',
    });
    await sleep(1000);
    c.send(say(t, '12345'));
    assert.equal((await c.until((m) => m.body?.direction === 'Inbound')).msg.body.text, '12345');
    const s = stats(emu);
    assert.equal(s.webMessaging.throttled, 1);
    assert.equal(s.limiters[RATE_KEY].throttled, 1);
    assert.equal(s.limiters[RATE_KEY].limit, 2);
    c.ws.close();
    await c.closed;
  });

  it('refuses a message over the length limit with 4011', async () => {
    const { c, token: t } = await session(emu);
    c.send(say(t, 'x'.repeat(51), 'long'));
    assert.deepEqual(await c.next(), {
      type: 'response',
      class: 'string',
      code: 4011,
      body: 'Message text is longer than 50 characters',
      tracingId: 'long',
    });
    c.send(say(t, 'y'.repeat(50)));
    assert.equal((await c.next()).body.text, 'y'.repeat(50));
    c.ws.close();
    await c.closed;
  });

  it('caps open sessions; a closed socket frees its place', async () => {
    const a = await session(emu);
    await session(emu);
    const third = await guest(emu);
    third.send({ action: 'configureSession', token: randomUUID(), deploymentId: DEPLOYMENT });
    const refused = await third.next();
    assert.equal(refused.code, 429);
    assert.equal(refused.body, 'The limit of 2 open sessions is reached');
    // A second socket on an open session is not another session.
    const tab = await guest(emu);
    tab.send({ action: 'configureSession', token: a.token, deploymentId: DEPLOYMENT });
    assert.equal((await tab.next()).body.newSession, false);
    assert.equal(stats(emu).webMessaging.sessionsOpen, 2);
    a.c.ws.close();
    tab.ws.close();
    await Promise.all([a.c.closed, tab.closed]);
    await eventually(() => stats(emu).webMessaging.sessionsOpen === 1);
    third.send({ action: 'configureSession', token: randomUUID(), deploymentId: DEPLOYMENT });
    assert.equal((await third.next()).class, 'SessionResponse');
    assert.equal(stats(emu).webMessaging.refused.sessionCap, 1);
  });
});

describe('web messaging session expiry', async () => {
  // 2 emulated seconds are 500 ms: room for a loaded machine between the keep-alive messages.
  const emu = await emulator({
    timeScale: 4,
    webMessaging: { sessionInactivitySeconds: 2 },
    limits: { webmessaging: { [RATE_KEY]: 100 } },
  } as ConfigOverrides);

  it('expires an idle session: SessionExpiredEvent, then 4006, and its conversation ends', async () => {
    const { c, token: t, response } = await session(emu);
    assert.equal(response.body.durationSeconds, 1);
    c.send(say(t, 'hi'));
    await c.next();
    await c.next();
    const id = await conversationOf(emu, t);
    const expired = await c.until((m) => m.class === 'SessionExpiredEvent');
    assert.deepEqual(expired.msg, { type: 'response', class: 'SessionExpiredEvent', code: 200, body: {} });
    c.send(say(t, 'still there?', 'late'));
    assert.deepEqual(await c.next(), {
      type: 'response',
      class: 'string',
      code: 4006,
      body: 'Session has expired',
      tracingId: 'late',
    });
    const again = await guest(emu);
    again.send({ action: 'configureSession', token: t, deploymentId: DEPLOYMENT });
    assert.equal((await again.next()).code, 4006);
    const bearer = await token(emu.url);
    assert.equal(
      (await api(emu.url, 'GET', `/api/v2/conversations/${id}`, bearer)).body.state,
      'disconnected',
    );
    assert.equal(stats(emu).webMessaging.sessionsExpired, 1);
  });

  it('keeps a session alive while messages come', async () => {
    const { c, token: t } = await session(emu);
    for (let i = 0; i < 4; i++) {
      await sleep(120);
      c.send(say(t, `message ${i}`));
      await c.until((m) => m.body?.direction === 'Inbound');
    }
    c.send({ action: 'echo', token: t, message: { type: 'Text', text: 'ping' } });
    assert.equal((await c.until((m) => m.type === 'response')).msg.class, 'StructuredMessage');
  });
});

describe('web messaging faults', async () => {
  const emu = await emulator({ webMessaging: { faults: { dropSocket: 1 } } } as ConfigOverrides);

  it('drops the guest socket instead of a bot reply, with no close frame, and the session resumes', async () => {
    const { c, token: t } = await session(emu);
    c.send(say(t, 'hours?', 'm-1'));
    // The echo is not a reply: it still arrives.
    assert.equal((await c.next()).body.direction, 'Inbound');
    assert.equal((await c.closed).code, 1006);
    await eventually(() => stats(emu).webMessaging.sessionsOpen === 0);
    assert.equal(stats(emu).webMessaging.faults.dropSocket, 1);
    const again = await session(emu, t);
    assert.equal(again.response.body.newSession, false);
  });
});
