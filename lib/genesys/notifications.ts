// The notification stream: a channel, its topic subscriptions over REST, and one k6/ws session at a time on
// its connectUri. The session itself drives the load: k6/ws blocks the VU inside ws.connect, so the create
// calls run from the socket's own timer, and each event is matched to its call in this VU's memory.
import { check, sleep } from 'k6';
import ws from 'k6/ws';
import { api, json } from '../api.ts';
import { ENDPOINTS } from '../core/endpoints.ts';
import { classifyFrame, conversationStartTopic, EventLedger, pollsFor } from '../core/event-ledger.ts';
import {
  eventLag,
  eventsMissed,
  eventsReceived,
  pollingRequestsSaved,
  streamReconnects,
  streamRequests,
} from '../metrics.ts';

export interface Channel {
  id: string;
  connectUri: string;
}

export function createChannel(): Channel | undefined {
  // Not repeated after a 5xx: a second channel would count against the client's 20.
  const res = api('POST', '/api/v2/notifications/channels', undefined, { name: ENDPOINTS.channels });
  streamRequests.add(1);
  const body = json<{ id?: string; connectUri?: string }>(res);
  const ok = check(res, {
    'notification channel created': (r) =>
      r.status === 200 && typeof body?.id === 'string' && typeof body?.connectUri === 'string',
  });
  return ok && body ? { id: body.id!, connectUri: body.connectUri! } : undefined;
}

/**
 * POST adds topics, PUT replaces them; both are safe to repeat. `full` is a 400 to a POST: the channel
 * holds fewer topics than the plan assumed, and the caller can make room with a PUT.
 */
export function subscribe(
  channelId: string,
  method: 'POST' | 'PUT',
  topics: string[],
): 'ok' | 'full' | 'failed' {
  const res = api(
    method,
    `/api/v2/notifications/channels/${channelId}/subscriptions`,
    topics.map((id) => ({ id })),
    {
      name: method === 'POST' ? ENDPOINTS.subscriptionsAdd : ENDPOINTS.subscriptionsSet,
      safe: true,
      expect: method === 'POST' ? [400] : undefined,
    },
  );
  streamRequests.add(1);
  if (method === 'POST' && res.status === 400) return 'full';
  return check(res, { 'topics subscribed': (r) => r.status === 200 }) ? 'ok' : 'failed';
}

export interface WatchPlan {
  conversations: number;
  /** Create calls per second. */
  ratePerS: number;
  /** How long after the last create call the test still waits for events. */
  eventTimeoutS: number;
  pingIntervalS: number;
  /** Topics one channel may hold (the platform's 1,000). */
  maxTopics: number;
  /** The analytics-lag test's poll interval, for polling_requests_saved. */
  pollIntervalS: number;
  /**
   * A topic with every conversation the test creates (a queue's), subscribed once per channel before the
   * first create call; without it each conversation's own customer.start topic is, right after its call.
   */
  sharedTopic?: string;
  /** One create call; returns the conversation it made. */
  create(): string | undefined;
}

export interface WatchOutcome {
  created: number;
  received: number;
  missed: number;
  reconnects: number;
}

const PING = JSON.stringify({ message: 'ping' });
/** Consecutive failed connects (no 101, channel alive) before the test gives the stream up. */
const MAX_CONNECT_FAILURES = 5;

type EndReason = 'done' | 'socket_closing' | 'dropped' | 'closed' | 'silent';

/**
 * Opens one channel, creates `plan.conversations` conversations at `plan.ratePerS` from inside its socket,
 * subscribes each one's customer.start topic right after its create call (an event is matched to
 * subscribers when it is published, within the platform's lag) unless a shared topic covers them all, and
 * records event_lag when a conversation's first event arrives. A socket_closing notice renews the channel
 * (the same topics again) and pauses the creates until the events already due have arrived; then the VU
 * reconnects to the same connectUri (the channel and its subscriptions live on). A dropped or silent socket
 * is reconnected at once, and a channel that is gone is created again with the waiting topics.
 */
export function watchConversations(plan: WatchPlan): WatchOutcome {
  const ledger = new EventLedger();
  /** A new channel, holding what is still due (or the shared topic); undefined when it cannot be had. */
  const openChannel = (): Channel | undefined => {
    const ch = createChannel();
    ledger.subscribed('PUT', []);
    if (!ch) return undefined;
    const topics = plan.sharedTopic ? [plan.sharedTopic] : ledger.pendingTopics();
    if (topics.length === 0) return ch;
    if (subscribe(ch.id, 'PUT', topics) !== 'ok') return plan.sharedTopic ? undefined : ch;
    ledger.subscribed('PUT', topics);
    return ch;
  };
  let channel = openChannel();
  let attempted = 0;
  let lastCreateAt = Date.now();
  let reconnects = 0;
  let failures = 0;
  let maxTopics = plan.maxTopics;
  const periodMs = 1000 / plan.ratePerS;
  const pingMs = plan.pingIntervalS * 1000;
  const allSent = () => attempted >= plan.conversations;
  const timedOut = () => allSent() && Date.now() - lastCreateAt > plan.eventTimeoutS * 1000;

  const createOne = (): void => {
    attempted++;
    const started = Date.now();
    lastCreateAt = started;
    const id = plan.create();
    if (!id || !channel) return;
    ledger.sent(id, started);
    if (plan.sharedTopic) return;
    const topic = conversationStartTopic(id);
    let how = ledger.planSubscribe(topic, maxTopics);
    let outcome = how ? subscribe(channel.id, how.method, how.topics) : 'failed';
    if (outcome === 'full') {
      // The platform's limit is what the channel holds now: plan with that from here on.
      maxTopics = Math.max(1, ledger.topics.length);
      how = ledger.planSubscribe(topic, maxTopics);
      outcome = how ? subscribe(channel.id, how.method, how.topics) : 'failed';
    }
    if (!how) check(null, { 'topics fit the channel': () => false });
    else if (outcome === 'ok') ledger.subscribed(how.method, how.topics);
  };

  while (channel) {
    // An object: the handlers set it, and TypeScript would narrow a plain `let` to its first value.
    const end: { reason: EndReason } = { reason: 'closed' };
    const res = ws.connect(channel.connectUri, { tags: { name: 'notification channel' } }, (socket) => {
      let lastFrameAt = Date.now();
      let drainUntil: number | undefined;
      const finishIfDone = (): void => {
        if (allSent() && (ledger.waiting === 0 || timedOut())) {
          end.reason = 'done';
          socket.close(1000);
        }
      };
      socket.on('message', (text: string) => {
        lastFrameAt = Date.now();
        const frame = classifyFrame(text);
        if (frame.kind === 'closing' && drainUntil === undefined) {
          end.reason = 'socket_closing';
          drainUntil = Date.now() + plan.eventTimeoutS * 1000;
          // The notice comes before a channel's expiry as well as before a maintenance close: a subscription
          // change renews the channel, so the reconnect finds it alive either way.
          const ch = channel;
          if (ch && ledger.topics.length > 0) subscribe(ch.id, 'PUT', ledger.topics);
        } else if (frame.kind === 'event' && frame.conversationId) {
          const seen = ledger.received(frame.conversationId, lastFrameAt);
          if ('lagMs' in seen) {
            eventLag.add(seen.lagMs);
            eventsReceived.add(1);
            pollingRequestsSaved.add(pollsFor(seen.lagMs, plan.pollIntervalS));
          }
        }
        finishIfDone();
      });
      socket.on('close', (code: number) => {
        if (code === 1006 && end.reason !== 'done') end.reason = 'dropped';
      });
      socket.setInterval(() => {
        finishIfDone();
        if (end.reason === 'done') return;
        if (drainUntil !== undefined) {
          // The server closes this socket soon: creates wait for the new one, so none is due meanwhile.
          if (ledger.waiting === 0 || Date.now() >= drainUntil) socket.close(1000);
          return;
        }
        if (!allSent()) createOne();
        finishIfDone();
      }, periodMs);
      socket.setInterval(() => {
        if (Date.now() - lastFrameAt > 3 * pingMs) {
          end.reason = 'silent';
          socket.close(1000);
          return;
        }
        socket.send(PING);
      }, pingMs);
    });

    if (res.status === 101) failures = 0;
    if (end.reason === 'done' || (res.status === 101 && allSent() && timedOut())) break;
    if (res.status !== 101) {
      if (res.status === 404) {
        // The channel expired or was evicted: a new one.
        channel = openChannel();
      } else if (++failures >= MAX_CONNECT_FAILURES || timedOut()) {
        check(res, { 'notification stream connects': () => false });
        break;
      } else {
        sleep(Math.min(5, 0.5 * 2 ** failures));
      }
    }
    ledger.socketDown();
    reconnects++;
    streamReconnects.add(1, { reason: res.status === 101 ? end.reason : `connect_${res.status}` });
  }

  const missed = ledger.missed();
  // Zeros too, so the summary and the thresholds show the counts even when nothing was missed.
  eventsMissed.add(missed.afterOutage, { after_outage: 'true' });
  eventsMissed.add(missed.other, { after_outage: 'false' });
  if (reconnects === 0) streamReconnects.add(0);
  return {
    created: ledger.created,
    received: ledger.seenCount,
    missed: missed.afterOutage + missed.other,
    reconnects,
  };
}
