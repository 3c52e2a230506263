// notifications: the stream counterpart of analytics-lag. One VU holds ONE notification channel and its
// socket; from the socket's timer it sends agentless messages (the same create call analytics-lag makes) at
// RATE per second, subscribes each new conversation's customer.start detail topic, and records event_lag
// (create call → its event on the stream). k6 VUs share no memory, so the create calls run inside the
// watcher's own socket session rather than in other VUs.
//
// - events_received counts conversations whose event arrived; events_missed those still waiting
//   EVENT_TIMEOUT after the last create call (tag after_outage: a socket went down while it was due).
// - polling_requests_saved: per event, the GETs the analytics-lag loop (one at once, then one every
//   POLL_INTERVAL) would have sent before it could see the same change: floor(event_lag / POLL_INTERVAL) + 1.
//   stream_requests counts what the stream spent instead (channel creations, subscription calls).
// - A channel holds at most MAX_TOPICS (the platform's 1,000) topics: past that, or from the first 400 a
//   subscription POST gets, the subscriptions are replaced by the topics of conversations still waiting
//   (seen ones are done with). WATCH=queue instead
//   subscribes CALLBACK_QUEUE_ID's conversations topic once, before the first call, and creates callbacks
//   into that queue: one topic for any number of conversations, and no subscription call per conversation.
// - socket_closing pauses the creates until what is due has arrived, then the VU reconnects to the same
//   connectUri (the channel and its subscriptions outlive the socket); a dropped socket (1006) or one
//   silent for three PING_INTERVALs reconnects at once; a channel that is gone (404) is created again with
//   the waiting topics. stream_reconnects counts them, by reason; the ledger of sent calls outlives them.
import { analyticsPoll, notificationsPlan } from '../lib/core/profiles.ts';
import { queueConversationsTopic } from '../lib/core/event-ledger.ts';
import { createCallback, sendAgentlessMessage } from '../lib/genesys/conversations.ts';
import { watchConversations } from '../lib/genesys/notifications.ts';
import { stopTest } from '../lib/settings.ts';
import { defineTest, settings, type SetupData } from '../lib/suite.ts';
import thresholds from '../thresholds/notifications.json';

export { handleSummary } from '../lib/summary/index.ts';

const test = defineTest('notifications', { thresholds, requestsPerIteration: 2 });
export const options = test.options;
const plan = notificationsPlan(__ENV, settings.timeScale);
const poll = analyticsPoll(__ENV, settings.timeScale);

const CALLBACK_NUMBER = '+13175550123';

function messaging(): NonNullable<typeof settings.messaging> {
  if (!settings.messaging) {
    stopTest(
      'notifications sends agentless messages: set MESSAGING_FROM_ADDRESS and MESSAGING_TO_ADDRESS (a test number)',
    );
  }
  return settings.messaging;
}

function queueId(): string {
  if (!settings.callbackQueueId)
    stopTest('notifications with WATCH=queue creates callbacks: set CALLBACK_QUEUE_ID');
  return settings.callbackQueueId;
}

export function setup(): SetupData {
  if (plan.watch === 'queue') queueId();
  else messaging();
  return test.setup();
}

export default function (data: SetupData): void {
  test.begin(data);
  const byQueue = plan.watch === 'queue';
  const queue = byQueue ? queueId() : '';
  const m = byQueue ? undefined : messaging();
  const out = watchConversations({
    ...plan,
    pollIntervalS: poll.intervalS,
    sharedTopic: byQueue ? queueConversationsTopic(queue) : undefined,
    create: m
      ? () => sendAgentlessMessage({ ...m, text: 'Your order 12345 has shipped.' })
      : () => createCallback(queue, CALLBACK_NUMBER),
  });
  console.log(
    `notifications: ${out.received} of ${out.created} conversations seen on the stream, ${out.missed} missed, ${out.reconnects} reconnect(s)`,
  );
}
