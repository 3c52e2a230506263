// stress: ramps the arrival rate of short bot conversations from a quarter of the per-token limit to twice
// it (RATE, conversations/s), then holds: shows where 429s start and what honouring Retry-After costs.
import { botConversation, SHORT_DIALOG } from '../lib/genesys/botflows.ts';
import { defineTest, type SetupData } from '../lib/suite.ts';
import thresholds from '../thresholds/stress.json';

export { handleSummary } from '../lib/summary/index.ts';

const test = defineTest('stress', { thresholds, requestsPerIteration: 4 });
export const options = test.options;

export function setup(): SetupData {
  return test.setup();
}

export default function (data: SetupData): void {
  test.begin(data);
  botConversation(SHORT_DIALOG);
}
