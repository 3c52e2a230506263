// load: bot conversations at a constant arrival rate just under the per-token limit (TARGET_UTILIZATION,
// 97 % by default), the traffic a healthy integration sends. Each iteration is one short bot conversation:
// session, opening turn, two user turns (4 requests).
import { botConversation, SHORT_DIALOG } from '../lib/genesys/botflows.ts';
import { defineTest, type SetupData } from '../lib/suite.ts';
import thresholds from '../thresholds/load.json';

export { handleSummary } from '../lib/summary/index.ts';

const test = defineTest('load', { thresholds, requestsPerIteration: 4 });
export const options = test.options;

export function setup(): SetupData {
  return test.setup();
}

export default function (data: SetupData): void {
  test.begin(data);
  botConversation(SHORT_DIALOG);
}
