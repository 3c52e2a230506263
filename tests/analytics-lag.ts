// analytics-lag: how long after a conversation its analytics details can be read. Each iteration sends an
// agentless message, polls GET .../analytics/conversations/{id}/details until it stops answering 404
// (time_to_analytics), then runs a details job over the same interval and finds the conversation in it.
import { check } from 'k6';
import { analyticsPoll } from '../lib/core/profiles.ts';
import {
  createDetailsJob,
  jobConversationIds,
  waitForAnalytics,
  waitForJob,
} from '../lib/genesys/analytics.ts';
import { sendAgentlessMessage } from '../lib/genesys/conversations.ts';
import { stopTest } from '../lib/settings.ts';
import { defineTest, settings, type SetupData } from '../lib/suite.ts';
import thresholds from '../thresholds/analytics-lag.json';

export { handleSummary } from '../lib/summary/index.ts';

const test = defineTest('analytics-lag', { thresholds, requestsPerIteration: 1 });
export const options = test.options;
const poll = analyticsPoll(__ENV, settings.timeScale);

// Read in setup() and the VUs, not init: the addresses are the org's, and init runs where they are not set.
function messaging(): NonNullable<typeof settings.messaging> {
  if (!settings.messaging) {
    stopTest(
      'analytics-lag sends agentless messages: set MESSAGING_FROM_ADDRESS and MESSAGING_TO_ADDRESS (a test number)',
    );
  }
  return settings.messaging;
}

export function setup(): SetupData {
  messaging();
  return test.setup();
}

export default function (data: SetupData): void {
  test.begin(data);
  const started = Date.now();
  const conversationId = sendAgentlessMessage({ ...messaging(), text: 'Your order 12345 has shipped.' });
  if (!conversationId) return;
  const lag = waitForAnalytics(conversationId, started, poll);
  if (lag === undefined) return;
  // The job interval must contain the conversation's start; pad it by a minute on both sides.
  const jobId = createDetailsJob(started - 60_000, Date.now() + 60_000);
  if (!jobId) return;
  if (waitForJob(jobId, poll) !== 'FULFILLED') return;
  const ids = jobConversationIds(jobId);
  check(ids, { 'details job lists the conversation': (l) => l.includes(conversationId) });
}
