// breakpoint: ramps short bot conversations up to four times the per-token limit (RATE) until an
// abortOnFail threshold stops the run. The summary's breakpoint_rate (min) is the planned request rate at
// which the first 429 came back: the sustainable rate lies just below it.
import exec from 'k6/execution';
import { rateAt } from '../lib/core/plan.ts';
import { botConversation, SHORT_DIALOG } from '../lib/genesys/botflows.ts';
import { rateLimitedResponses } from '../lib/http.ts';
import { breakpointRate } from '../lib/metrics.ts';
import { defineTest, type SetupData } from '../lib/suite.ts';
import thresholds from '../thresholds/breakpoint.json';

export { handleSummary } from '../lib/summary/index.ts';

const test = defineTest('breakpoint', { thresholds, requestsPerIteration: 4 });
export const options = test.options;

export function setup(): SetupData {
  return test.setup();
}

let reported = false;

export default function (data: SetupData): void {
  test.begin(data);
  const plannedRps = rateAt(test.profile.plan, (Date.now() - exec.scenario.startTime) / 1000) * 4;
  const before = rateLimitedResponses();
  botConversation(SHORT_DIALOG);
  if (!reported && rateLimitedResponses() > before) {
    reported = true;
    breakpointRate.add(plannedRps);
  }
}
