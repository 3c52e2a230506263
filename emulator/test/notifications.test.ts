// The notification stream behind connectUri: topic events for the conversations the emulator creates, after
// the configured lag; heartbeats, ping/pong, the channel and topic limits, socket_closing before each close
// the server makes; dropped-socket and delayed-event faults.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConfigOverrides } from '../config.ts';
import type { Emulator } from '../server.ts';
import { api, emulator, SESSION_BODY, sleep, token } from './helpers.ts';
import { Client, refusal } from './ws-client.ts';

const QUEUE = 'demo-queue';
const isEvent = (topic: string) => (m: any) => m.topicName === topic;

async function channel(emu: Emulator, bearer: string, topics: string[] = []) {
  const ch = await api(emu.url, 'POST', '/api/v2/notifications/channels', bearer);
  assert.equal(ch.status, 200);
  if (topics.length) await subscribe(emu, bearer, ch.body.id, topics);
  return { id: ch.body.id as string, connectUri: ch.body.connectUri as string };
}

async function subscribe(emu: Emulator, bearer: string, id: string, topics: string[], method = 'PUT') {
  const path = `/api/v2/notifications/channels/${id}/subscriptions`;
  return api(
    emu.url,
    method,
    path,
    bearer,
    topics.map((t) => ({ id: t })),
  );
}

const callback = (emu: Emulator, bearer: string) =>
  api(emu.url, 'POST', '/api/v2/conversations/callbacks', bearer, {
    callbackNumbers: ['+15550100'],
    queueId: QUEUE,
  });

const stats = (emu: Emulator) => emu.stats() as any;

describe('notification events', async () => {
  const emu = await emulator({ notifications: { eventLagSeconds: 0.2 } });
  const bearer = await token(emu.url);

  it('refuses an upgrade to a channel that does not exist', async () => {
    const r = await refusal(`${emu.url.replace('http', 'ws')}/channels/nope`);
    assert.equal(r.status, 404);
    assert.equal(r.body.code, 'not.found');
  });

  it('delivers queue and detail events for a created conversation after the lag', async () => {
    const topic = `v2.routing.queues.${QUEUE}.conversations`;
    const ch = await channel(emu, bearer, [topic]);
    const c = await Client.open(ch.connectUri);
    const created = performance.now();
    const cb = await callback(emu, bearer);
    const id = cb.body.conversation.id;
    const started = await c.until(isEvent(topic));
    const lag = started.at - created;
    assert.ok(lag >= 150 && lag < 2000, `queue event after ${lag} ms`);
    assert.equal(started.msg.version, '2');
    assert.match(started.msg.metadata.CorrelationId, /^[0-9a-f-]{36}$/);
    assert.equal(started.msg.eventBody.id, id);
    const acd = started.msg.eventBody.participants.find((p: any) => p.purpose === 'acd');
    assert.equal(acd.queueId, QUEUE);
    assert.equal(acd.callbacks[0].state, 'connected');

    await subscribe(emu, bearer, ch.id, [`v2.detail.events.conversation.${id}.customer.end`], 'POST');
    assert.equal((await api(emu.url, 'DELETE', `/api/v2/conversations/${id}`, bearer)).status, 202);
    const ends = [];
    for (let i = 0; i < 2; i++) ends.push((await c.nextAt()).msg);
    const end = ends.find((m) => m.topicName.endsWith('.customer.end'));
    assert.ok(end, JSON.stringify(ends));
    assert.equal(end.eventBody.conversationId, id);
    assert.equal(end.eventBody.mediaType, 'CALLBACK');
    assert.equal(typeof end.eventBody.interactingDurationMs, 'number');
    const queueEnd = ends.find((m) => m.topicName === topic);
    assert.equal(queueEnd.eventBody.participants[0].callbacks[0].state, 'disconnected');
  });

  it('delivers flow events for a bot session', async () => {
    const session = await api(emu.url, 'POST', '/api/v2/textbots/botflows/sessions', bearer, SESSION_BODY);
    const turns = `/api/v2/textbots/botflows/sessions/${session.body.id}/turns`;
    const first = await api(emu.url, 'POST', turns, bearer, { inputEventType: 'NoOp' });
    const conversations = await api(emu.url, 'GET', '/api/v2/conversations', bearer);
    const id = conversations.body.entities.at(-1).id;
    const ch = await channel(emu, bearer, [`v2.detail.events.conversation.${id}.flow.end`]);
    const c = await Client.open(ch.connectUri);
    await api(emu.url, 'POST', turns, bearer, {
      previousTurn: { id: first.body.id },
      inputEventType: 'UserInput',
      inputEventUserInput: { mode: 'Text', alternatives: [{ transcript: { text: 'agent please' } }] },
    });
    const end = await c.next();
    assert.equal(end.topicName, `v2.detail.events.conversation.${id}.flow.end`);
    assert.equal(end.eventBody.flowId, 'demo-bot-flow');
    assert.equal(end.eventBody.exitReason, 'TransferToAgent');
  });

  it("delivers a user's conversations for a call to that user", async () => {
    const topic = 'v2.users.user-7.conversations';
    const ch = await channel(emu, bearer, [topic]);
    const c = await Client.open(ch.connectUri);
    const call = await api(emu.url, 'POST', '/api/v2/conversations/calls', bearer, { callUserId: 'user-7' });
    const e = await c.next();
    assert.equal(e.topicName, topic);
    assert.equal(e.eventBody.id, call.body.id);
    const user = e.eventBody.participants.find((p: any) => p.purpose === 'user');
    assert.equal(user.userId, 'user-7');
    assert.equal(user.calls[0].state, 'connected');
  });

  it('lists the topics it publishes', async () => {
    const r = await api(emu.url, 'GET', '/api/v2/notifications/availabletopics', bearer);
    assert.equal(r.status, 200);
    const ids = r.body.entities.map((t: { id: string }) => t.id);
    assert.ok(ids.includes('v2.detail.events.conversation.{id}.customer.start'));
    assert.ok(ids.includes('v2.routing.queues.{id}.conversations'));
  });
});

describe('notification conversations that end by themselves', async () => {
  const emu = await emulator({
    conversations: { durationSeconds: 0.3 },
    notifications: { eventLagSeconds: 0 },
  });
  const bearer = await token(emu.url);

  it('publishes the end when the conversation ends, without a request', async () => {
    const ch = await channel(emu, bearer);
    const c = await Client.open(ch.connectUri);
    const m = await api(emu.url, 'POST', '/api/v2/conversations/messages/agentless', bearer, {
      fromAddress: '+15550001',
      toAddress: '+15550002',
      toAddressMessengerType: 'sms',
      textBody: 'hello',
    });
    const topic = `v2.detail.events.conversation.${m.body.conversationId}.customer.end`;
    await subscribe(emu, bearer, ch.id, [topic]);
    const t0 = performance.now();
    const end = await c.nextAt();
    assert.equal(end.msg.topicName, topic);
    assert.equal(end.msg.eventBody.mediaType, 'MESSAGE');
    assert.ok(end.at - t0 > 150, `ended ${end.at - t0} ms after subscribing`);
  });
});

describe('notification socket keeping', async () => {
  const emu = await emulator({ timeScale: 100 });
  const bearer = await token(emu.url);

  it('answers ping with pong and sends heartbeats every 30 emulated seconds', async () => {
    const ch = await channel(emu, bearer);
    const c = await Client.open(ch.connectUri);
    c.send({ message: 'ping' });
    assert.deepEqual(await c.next(), { topicName: 'channel.metadata', eventBody: { message: 'pong' } });
    const a = await c.nextAt(1000);
    const b = await c.nextAt(1000);
    const heartbeat = { topicName: 'channel.metadata', eventBody: { message: 'WebSocket Heartbeat' } };
    assert.deepEqual(a.msg, heartbeat);
    assert.deepEqual(b.msg, heartbeat);
    // 30 s / 100 = 300 ms apart.
    assert.ok(b.at - a.at > 200 && b.at - a.at < 1000, `${b.at - a.at} ms apart`);
    assert.ok(stats(emu).notifications.heartbeats >= 2);
  });

  it('a second socket on a channel replaces the first', async () => {
    const ch = await channel(emu, bearer);
    const first = await Client.open(ch.connectUri);
    await Client.open(ch.connectUri);
    assert.equal((await first.closed).code, 1000);
  });
});

describe('notification limits', async () => {
  const emu = await emulator({
    limits: { notifications: { 'channels.max': 2 } },
    notifications: { maxTopicsPerChannel: 3 },
  } as ConfigOverrides);
  const bearer = await token(emu.url);

  it('refuses a subscription past the topic limit and keeps the channel as it was', async () => {
    const ch = await channel(emu, bearer, ['a', 'b']);
    const put = await subscribe(emu, bearer, ch.id, ['a', 'b', 'c', 'd']);
    assert.equal(put.status, 400);
    assert.equal(put.body.code, 'bad.request');
    assert.match(put.body.message, /at most 3/);
    assert.equal((await subscribe(emu, bearer, ch.id, ['c', 'd'], 'POST')).status, 400);
    assert.equal((await subscribe(emu, bearer, ch.id, ['a', 'a', 'c'], 'PUT')).status, 200);
    const got = await api(emu.url, 'GET', `/api/v2/notifications/channels/${ch.id}/subscriptions`, bearer);
    assert.deepEqual(got.body.entities, [{ id: 'a' }, { id: 'c' }]);
  });

  it('the channel past the limit evicts an unconnected one first, then the oldest, closing its socket', async () => {
    await api(emu.url, 'POST', '/__emulator/reset', null);
    const one = await channel(emu, bearer);
    const c1 = await Client.open(one.connectUri);
    const two = await channel(emu, bearer);
    const three = await channel(emu, bearer);
    const r = await refusal(two.connectUri);
    assert.equal(r.status, 404);
    await Client.open(three.connectUri);
    await channel(emu, bearer);
    const closed = await c1.closed;
    assert.deepEqual(closed, { code: 1000, reason: 'The channel was removed' });
    assert.equal((await refusal(one.connectUri)).status, 404);
  });
});

describe('notification closes', async () => {
  it('sends socket_closing, then closes, after closeAfterSeconds', async () => {
    const emu = await emulator({
      timeScale: 10,
      notifications: { closeAfterSeconds: 2, closingNoticeSeconds: 1 },
    });
    const bearer = await token(emu.url);
    const ch = await channel(emu, bearer);
    const t0 = performance.now();
    const c = await Client.open(ch.connectUri);
    const notice = await c.until(isEvent('v2.system.socket_closing'));
    assert.ok(notice.at - t0 >= 80, `notice after ${notice.at - t0} ms`);
    assert.equal(notice.msg.eventBody.channelId, ch.id);
    const closed = await c.closed;
    assert.ok(performance.now() - t0 >= 180);
    assert.equal(closed.code, 1001);
    // The channel outlives the socket: a client reconnects to it.
    await Client.open(ch.connectUri);
  });

  it('warns before the channel expires, and a resubscription keeps it', async () => {
    const emu = await emulator({
      timeScale: 10,
      notifications: { channelLifetimeSeconds: 3, closingNoticeSeconds: 1 },
    });
    const bearer = await token(emu.url);
    const kept = await channel(emu, bearer, ['x']);
    const lapsing = await channel(emu, bearer, ['x']);
    const k = await Client.open(kept.connectUri);
    const l = await Client.open(lapsing.connectUri);
    await k.until(isEvent('v2.system.socket_closing'));
    await subscribe(emu, bearer, kept.id, ['x']);
    await l.until(isEvent('v2.system.socket_closing'));
    assert.deepEqual(await l.closed, { code: 1000, reason: 'The channel expired' });
    assert.equal((await refusal(lapsing.connectUri)).status, 404);
    await sleep(100);
    assert.equal(k.ws.readyState, k.ws.OPEN);
  });
});

describe('notification faults', async () => {
  it('drops the socket without a close frame', async () => {
    const emu = await emulator({
      timeScale: 100,
      notifications: { faults: { dropSocket: 1 } },
    } as ConfigOverrides);
    const bearer = await token(emu.url);
    const ch = await channel(emu, bearer);
    const c = await Client.open(ch.connectUri);
    assert.equal((await c.closed).code, 1006);
    assert.equal(stats(emu).notifications.faults.dropSocket, 1);
    // The channel stays: the client reconnects.
    await Client.open(ch.connectUri);
  });

  it('delays events by delayMs', async () => {
    const emu = await emulator({
      notifications: { eventLagSeconds: 0, faults: { delayEvent: 1, delayMs: 300 } },
    } as ConfigOverrides);
    const bearer = await token(emu.url);
    const topic = `v2.routing.queues.${QUEUE}.conversations`;
    const ch = await channel(emu, bearer, [topic]);
    const c = await Client.open(ch.connectUri);
    const t0 = performance.now();
    await callback(emu, bearer);
    const e = await c.until(isEvent(topic));
    assert.ok(e.at - t0 >= 280, `event after ${e.at - t0} ms`);
    assert.equal(stats(emu).notifications.faults.delayEvent, 1);
  });
});
