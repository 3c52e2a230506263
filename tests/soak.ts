// soak: 70 % of the per-token limit for a long time (DURATION, 1m by default; hours against an org):
// tokens expire and are refreshed mid-run, latency and failures must not drift.
import { botConversation, SHORT_DIALOG } from '../lib/genesys/botflows.ts';
import { defineTest, type SetupData } from '../lib/suite.ts';
import thresholds from '../thresholds/soak.json';

export { handleSummary } from '../lib/summary/index.ts';

const test = defineTest('soak', { thresholds, requestsPerIteration: 4 });
export const options = test.options;

export function setup(): SetupData {
  return test.setup();
}

export default function (data: SetupData): void {
  test.begin(data);
  botConversation(SHORT_DIALOG);
}
