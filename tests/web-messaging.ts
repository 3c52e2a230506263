// web-messaging: Web Messaging guests as a Messenger widget drives them. Each VU is one guest at a time: it
// opens the guest socket for DEPLOYMENT_ID, configures a session with a fresh guest token, chats with the
// deployment's bot at a human pace (THINK_TIME), and leaves when the bot says goodbye. Guests need no OAuth
// client: on a real org only GENESYSCLOUD_REGION and DEPLOYMENT_ID. A deployment the platform refuses stops
// the run in setup() with one line.
import { check } from 'k6';
import { readDuration } from '../lib/core/config.ts';
import { parseDuration } from '../lib/core/duration.ts';
import { readGuestTarget, type GuestTarget } from '../lib/core/guest-target.ts';
import { guestThinkTime } from '../lib/core/profiles.ts';
import { GUEST_DIALOG, guestConversation, probeDeployment } from '../lib/genesys/webmessaging.ts';
import { abortOnError, orStop, stopTest } from '../lib/settings.ts';
import { defineTest, settings } from '../lib/suite.ts';
import thresholds from '../thresholds/web-messaging.json';

export { handleSummary } from '../lib/summary/index.ts';

const test = defineTest('web-messaging', { thresholds, requestsPerIteration: 1 });
export const options = test.options;
const think = orStop(() => guestThinkTime(__ENV, settings.timeScale));
const replyTimeoutMs = parseDuration(orStop(() => readDuration(__ENV, 'REPLY_TIMEOUT', '30s'))) ?? 30_000;

export interface GuestSetup {
  target: GuestTarget;
  preflight: string;
}

export function setup(): GuestSetup {
  const target = abortOnError(() => readGuestTarget(__ENV));
  const probe = probeDeployment(target);
  if (!probe.ok) stopTest(`web-messaging: ${probe.message}`);
  // The one platform limit a guest meets is per session, so the plan is each guest's pace against it.
  const preflight = `pre-flight: each guest sends a line every ~${Number(think.toFixed(3))}s (jittered ±50 %); the platform takes 2 per session per second`;
  console.log(`web-messaging: ${test.profile.describe} against ${target.where}`);
  return { target, preflight };
}

export default function (data: GuestSetup): void {
  const r = guestConversation(data.target, GUEST_DIALOG, {
    thinkTimeS: think,
    retry: settings.retry,
    replyTimeoutMs,
  });
  check(r, {
    'guest session opened': (g) => g.status === 101,
    'bot answered every line': (g) => g.answered === g.sent && g.sent === GUEST_DIALOG.length,
    'bot said goodbye': (g) => g.outcome === 'goodbye',
  });
}
