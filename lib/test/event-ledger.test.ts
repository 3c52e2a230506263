// The notifications test's bookkeeping: topic names, frames, lags, the polls an event saves, what a drop
// leaves unexplained, and subscriptions kept within a channel's topic limit.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  classifyFrame,
  conversationOfTopic,
  conversationStartTopic,
  EventLedger,
  pollsFor,
  queueConversationsTopic,
} from '../core/event-ledger.ts';
import { notificationsPlan, profileFor } from '../core/profiles.ts';

describe('topics', () => {
  it("names a queue's conversations topic", () => {
    assert.equal(queueConversationsTopic('q-1'), 'v2.routing.queues.q-1.conversations');
  });

  it("names a conversation's customer.start detail topic and reads it back", () => {
    const t = conversationStartTopic('c-1');
    assert.equal(t, 'v2.detail.events.conversation.c-1.customer.start');
    assert.equal(conversationOfTopic(t), 'c-1');
    assert.equal(conversationOfTopic('v2.detail.events.conversation.c-1.customer.end'), undefined);
    assert.equal(conversationOfTopic('v2.detail.events.conversation.a.b.customer.start'), undefined);
    assert.equal(conversationOfTopic('v2.users.u.conversations'), undefined);
  });
});

describe('frames', () => {
  it('tells heartbeats, pongs, socket_closing and topic events apart', () => {
    const meta = (message: string) =>
      JSON.stringify({ topicName: 'channel.metadata', eventBody: { message } });
    assert.deepEqual(classifyFrame(meta('WebSocket Heartbeat')), { kind: 'heartbeat' });
    assert.deepEqual(classifyFrame(meta('pong')), { kind: 'pong' });
    assert.deepEqual(
      classifyFrame(JSON.stringify({ topicName: 'v2.system.socket_closing', eventBody: { channelId: 'x' } })),
      { kind: 'closing' },
    );
    const topic = conversationStartTopic('c-9');
    assert.deepEqual(classifyFrame(JSON.stringify({ topicName: topic, eventBody: {} })), {
      kind: 'event',
      topic,
      conversationId: 'c-9',
    });
    // A queue or user topic carries the whole conversation: its id is the body's `id`.
    assert.deepEqual(
      classifyFrame(
        JSON.stringify({
          topicName: 'v2.routing.queues.q.conversations',
          eventBody: { id: 'c-2', participants: [] },
        }),
      ),
      { kind: 'event', topic: 'v2.routing.queues.q.conversations', conversationId: 'c-2' },
    );
    assert.deepEqual(classifyFrame('not json'), { kind: 'other' });
    assert.deepEqual(classifyFrame('{"message":"x"}'), { kind: 'other' });
  });
});

describe('polls saved', () => {
  it('counts the poll at once plus one per whole interval of lag', () => {
    assert.equal(pollsFor(0, 5), 1);
    assert.equal(pollsFor(520, 5), 1);
    assert.equal(pollsFor(4999, 5), 1);
    assert.equal(pollsFor(5000, 5), 2);
    assert.equal(pollsFor(12_000, 5), 3);
    assert.equal(pollsFor(520, 0.25), 3);
    assert.equal(pollsFor(-3, 1), 1);
  });
});

describe('EventLedger', () => {
  it('gives the lag once per conversation and tells duplicates from strangers', () => {
    const l = new EventLedger();
    l.sent('a', 1000);
    l.sent('b', 1500);
    assert.equal(l.created, 2);
    assert.equal(l.waiting, 2);
    assert.deepEqual(l.received('a', 1600), { lagMs: 600 });
    assert.deepEqual(l.received('a', 1700), { duplicate: true });
    assert.deepEqual(l.received('zz', 1700), { unknown: true });
    assert.equal(l.seenCount, 1);
    assert.equal(l.waiting, 1);
    assert.deepEqual(l.missed(), { afterOutage: 0, other: 1 });
  });

  it('marks what was due when a socket went down, and keeps counting across it', () => {
    const l = new EventLedger();
    l.sent('a', 0);
    l.sent('b', 0);
    l.received('a', 10);
    l.socketDown();
    l.sent('c', 20);
    // b may still come on the next socket: only what never came is missed.
    assert.deepEqual(l.received('b', 30), { lagMs: 30 });
    l.sent('d', 40);
    l.socketDown();
    assert.deepEqual(l.missed(), { afterOutage: 2, other: 0 });
    assert.equal(l.created, 4);
    assert.equal(l.seenCount, 2);
    assert.deepEqual(l.pendingTopics(), [conversationStartTopic('c'), conversationStartTopic('d')]);
  });

  it('adds topics while the channel has room, then keeps only the waiting ones', () => {
    const l = new EventLedger();
    const t = conversationStartTopic;
    for (const id of ['a', 'b', 'c']) {
      l.sent(id, 0);
      const how = l.planSubscribe(t(id), 3);
      assert.deepEqual(how, { method: 'POST', topics: [t(id)] });
      l.subscribed(how.method, how.topics);
    }
    l.received('a', 1);
    l.received('c', 1);
    l.sent('d', 2);
    const how = l.planSubscribe(t('d'), 3)!;
    assert.deepEqual(how, { method: 'PUT', topics: [t('b'), t('d')] });
    l.subscribed(how.method, how.topics);
    assert.deepEqual(l.topics, [t('b'), t('d')]);
    l.sent('e', 3);
    l.subscribed('POST', [t('e')]);
    l.sent('f', 4);
    // b, d, e and f all wait: four topics cannot fit in three.
    assert.equal(l.planSubscribe(t('f'), 3), undefined);
  });
});

describe('notifications plan', () => {
  const ctx = {
    tokenLimitPerMinute: 300,
    timeScale: 1,
    tokens: 1,
    targetUtilization: 0.8,
    requestsPerIteration: 2,
  };

  it('defaults to 20 conversations at one a platform second, and scales with the clock', () => {
    assert.deepEqual(notificationsPlan({}, 1), {
      conversations: 20,
      ratePerS: 1,
      eventTimeoutS: 30,
      pingIntervalS: 10,
      maxTopics: 1000,
      watch: 'conversations',
    });
    const fast = notificationsPlan({}, 20);
    assert.equal(fast.ratePerS, 20);
    assert.equal(fast.eventTimeoutS, 5);
    assert.equal(fast.pingIntervalS, 1);
  });

  it('reads its knobs and refuses bad ones', () => {
    const p = notificationsPlan(
      { CONVERSATIONS: '5', RATE: '0.5', EVENT_TIMEOUT: '1m', PING_INTERVAL: '2', MAX_TOPICS: '3' },
      1,
    );
    assert.deepEqual(p, {
      conversations: 5,
      ratePerS: 0.5,
      eventTimeoutS: 60,
      pingIntervalS: 2,
      maxTopics: 3,
      watch: 'conversations',
    });
    assert.throws(
      () => notificationsPlan({ CONVERSATIONS: '1.5' }, 1),
      /CONVERSATIONS must be an integer >= 1/,
    );
    assert.throws(() => notificationsPlan({ MAX_TOPICS: '0' }, 1), /MAX_TOPICS must be an integer >= 1/);
    assert.equal(notificationsPlan({ WATCH: 'queue' }, 1).watch, 'queue');
    assert.throws(
      () => notificationsPlan({ WATCH: 'users' }, 1),
      /WATCH must be one of conversations, queue, got "users"$/,
    );
  });

  it('is one VU, one iteration, long enough for every create call and the last events', () => {
    const p = profileFor('notifications', { CONVERSATIONS: '40', RATE: '2' }, ctx);
    assert.deepEqual(p.scenarios, {
      notifications: { executor: 'per-vu-iterations', vus: 1, iterations: 1, maxDuration: '2m20s' },
    });
    assert.deepEqual(p.plan, {
      startRate: 2,
      stages: [{ durationS: 20, target: 2 }],
      requestsPerIteration: 2,
    });
    assert.match(p.describe, /1 channel watching 40 conversation\(s\) created at 2\.00\/s/);
  });
});
