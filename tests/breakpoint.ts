// breakpoint: ramps short bot conversations up to four times the per-token limit (RATE) until an
// abortOnFail threshold stops the run. When a VU sees its first 429 it records the planned request rate
// averaged over the last limit window (a minute, or 60 / TIME_SCALE s): the summary's breakpoint_rate min
// is the rate the platform sustained before it started refusing.
import exec from 'k6/execution';
import { averageRate } from '../lib/core/plan.ts';
import { botConversation, SHORT_DIALOG } from '../lib/genesys/botflows.ts';
import { whenRateLimited } from '../lib/http.ts';
import { breakpointRate } from '../lib/metrics.ts';
import { defineTest, settings, type SetupData } from '../lib/suite.ts';
import thresholds from '../thresholds/breakpoint.json';

export { handleSummary } from '../lib/summary/index.ts';

const test = defineTest('breakpoint', { thresholds, requestsPerIteration: 4 });
export const options = test.options;

export function setup(): SetupData {
  return test.setup();
}

// A VU reports the planned request rate once, when its first 429 arrives (not after the retry's wait:
// the abortOnFail gate may end the run first).
let reported = false;
const window = 60 / settings.timeScale;
whenRateLimited(() => {
  if (reported) return;
  reported = true;
  // What the plan had sent over the last limit window, per second: the rate the platform sustained.
  const t = (Date.now() - exec.scenario.startTime) / 1000;
  breakpointRate.add(averageRate(test.profile.plan, t - window, t) * 4);
});

export default function (data: SetupData): void {
  test.begin(data);
  botConversation(SHORT_DIALOG);
}
