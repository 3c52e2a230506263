// bot-conversation: the end-to-end bot journey as a customer lives it. Each VU opens a text bot flow
// session and chats (opening hours, an order lookup, goodbye) with THINK_TIME between turns until the bot
// exits; checks that it ends with Exit/Complete after the expected number of turns.
import { check } from 'k6';
import { thinkTime } from '../lib/core/profiles.ts';
import { botConversation, ORDER_DIALOG } from '../lib/genesys/botflows.ts';
import { defineTest, type SetupData } from '../lib/suite.ts';
import thresholds from '../thresholds/bot-conversation.json';

export { handleSummary } from '../lib/summary/index.ts';

const test = defineTest('bot-conversation', { thresholds, requestsPerIteration: ORDER_DIALOG.length + 2 });
export const options = test.options;
const think = thinkTime(__ENV);

export function setup(): SetupData {
  return test.setup();
}

export default function (data: SetupData): void {
  test.begin(data);
  const c = botConversation(ORDER_DIALOG, { thinkTimeS: think });
  check(c, {
    'bot conversation completed': (r) => r.outcome === 'Exit',
    'bot answered every turn': (r) => r.turns === ORDER_DIALOG.length + 1,
  });
}
