// smoke: one pass over everything the suite drives, quickly: token, limits and pre-flight (setup), a whole
// bot conversation, an agentless message and reading its conversation back, a callback, one analytics
// details read (404 while it lags is fine) and a details job. Run it before any heavier test.
import { check } from 'k6';
import { botConversation, SHORT_DIALOG } from '../lib/genesys/botflows.ts';
import { conversationDetails, createDetailsJob, waitForJob } from '../lib/genesys/analytics.ts';
import { createCallback, getConversation, sendAgentlessMessage } from '../lib/genesys/conversations.ts';
import { defineTest, settings, type SetupData } from '../lib/suite.ts';
import thresholds from '../thresholds/smoke.json';

export { handleSummary } from '../lib/summary/index.ts';

const test = defineTest('smoke', { thresholds, requestsPerIteration: 12 });
export const options = test.options;

export function setup(): SetupData {
  const data = test.setup();
  if (!settings.messaging)
    console.log('smoke: MESSAGING_FROM_ADDRESS/MESSAGING_TO_ADDRESS unset, skipping agentless messages');
  if (!settings.callbackQueueId) console.log('smoke: CALLBACK_QUEUE_ID unset, skipping callbacks');
  return data;
}

export default function (data: SetupData): void {
  test.begin(data);
  const started = Date.now();
  const bot = botConversation(SHORT_DIALOG);
  check(bot, { 'bot conversation exited': (c) => c.outcome === 'Exit' });

  if (settings.messaging) {
    const conversationId = sendAgentlessMessage({ ...settings.messaging, text: 'k6 smoke test' });
    if (conversationId) {
      getConversation(conversationId);
      conversationDetails(conversationId);
    }
  }
  if (settings.callbackQueueId) createCallback(settings.callbackQueueId, '+13175550123');

  const jobId = createDetailsJob(started - 60_000, Date.now());
  if (jobId) waitForJob(jobId, { intervalS: 1, timeoutS: 30 });
}
