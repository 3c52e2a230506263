// spike: a steady 30 % of the per-token limit with a sudden burst to four times it (RATE) for a few
// seconds: do the retries absorb the burst, and how long do queued conversations wait?
import { botConversation, SHORT_DIALOG } from '../lib/genesys/botflows.ts';
import { defineTest, type SetupData } from '../lib/suite.ts';
import thresholds from '../thresholds/spike.json';

export { handleSummary } from '../lib/summary/index.ts';

const test = defineTest('spike', { thresholds, requestsPerIteration: 4 });
export const options = test.options;

export function setup(): SetupData {
  return test.setup();
}

export default function (data: SetupData): void {
  test.begin(data);
  botConversation(SHORT_DIALOG);
}
