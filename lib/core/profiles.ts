// Load shapes for each test, from RATE / DURATION / VUS and the per-token rate limit. Pure: returns plain
// k6 scenario objects plus the rate plan the pre-flight checks.
import { ConfigError, readDuration, readNumber, readString, type Env } from './config.ts';
import { formatSeconds, parseDuration } from './duration.ts';
import type { RatePlan, RateStage } from './plan.ts';

export type Scenario = Record<string, unknown> & { executor: string };

export interface Profile {
  scenarios: Record<string, Scenario>;
  plan: RatePlan;
  /** What the test drives, for the start-of-test line. */
  describe: string;
}

export interface ProfileContext {
  /** token.rate.per.minute as planned before the org is asked (the documented 300 unless overridden). */
  tokenLimitPerMinute: number;
  /** The emulator's --time-scale (1 for a real org). */
  timeScale: number;
  /** Tokens the load spreads over: OAuth clients × k6 instances. */
  tokens: number;
  /** Share of the limit the load test aims at. */
  targetUtilization: number;
  /** Platform API requests in one iteration of this test. */
  requestsPerIteration: number;
}

export const TESTS = [
  'smoke',
  'load',
  'stress',
  'spike',
  'soak',
  'breakpoint',
  'bot-conversation',
  'analytics-lag',
  'notifications',
  'web-messaging',
] as const;
export type TestName = (typeof TESTS)[number];

// k6 arrival rates are integers per timeUnit: plan per minute for sub-1/s precision.
const TIME_UNIT = '1m';

function perMinute(itPerSecond: number): number {
  return Math.max(1, Math.floor(itPerSecond * 60));
}

function seconds(text: string): number {
  return (parseDuration(text) ?? 0) / 1000;
}

/** Iterations per second that use the whole per-token limit. */
export function limitIterationRate(ctx: ProfileContext): number {
  return ((ctx.tokenLimitPerMinute / 60) * ctx.timeScale * ctx.tokens) / ctx.requestsPerIteration;
}

function rateFromEnv(env: Env, fallback: number): number {
  return readNumber(env, 'RATE', fallback, { min: 0.001 });
}

/** VUs a plan may hold unless MAX_VUS raises it: more than one machine runs comfortably (k6 or the runner). */
export const DEFAULT_MAX_VUS = 5000;

/** Refuses a VU count past MAX_VUS before anything starts, saying where it came from and how to go on. */
function capped(env: Env, vus: number, from: string): number {
  const max = readNumber(env, 'MAX_VUS', DEFAULT_MAX_VUS, { min: 1, integer: true });
  if (vus > max) {
    throw new ConfigError(
      `${from} needs ${vus} VUs, above MAX_VUS=${max}: lower it, or set MAX_VUS=${vus} if this machine (or INSTANCES) can hold them`,
    );
  }
  return vus;
}

function vusFor(env: Env, peakItPerSecond: number): number {
  // Room for iterations held up by Retry-After waits; VUS sets it outright.
  const planned = Math.max(5, Math.ceil(peakItPerSecond * 4));
  const vus = readNumber(env, 'VUS', planned, { min: 1, integer: true });
  const from = env.VUS?.trim() ? `VUS=${vus}` : `a peak of ${peakItPerSecond.toFixed(2)} iterations/s`;
  return capped(env, vus, env.RATE?.trim() && !env.VUS?.trim() ? `RATE=${env.RATE.trim()} (${from})` : from);
}

function arrival(startPerMin: number, stages: Array<{ s: number; perMin: number }>, vus: number): Scenario {
  return {
    executor: 'ramping-arrival-rate',
    startRate: startPerMin,
    timeUnit: TIME_UNIT,
    preAllocatedVUs: vus,
    maxVUs: vus,
    stages: stages.map((st) => ({ duration: formatSeconds(st.s), target: st.perMin })),
  };
}

function planOf(startPerMin: number, stages: Array<{ s: number; perMin: number }>, rpi: number): RatePlan {
  const out: RateStage[] = stages.map((st) => ({ durationS: Math.round(st.s), target: st.perMin / 60 }));
  return { startRate: startPerMin / 60, stages: out, requestsPerIteration: rpi };
}

export function profileFor(test: TestName, env: Env, ctx: ProfileContext): Profile {
  const rpi = ctx.requestsPerIteration;
  const limit = limitIterationRate(ctx);
  switch (test) {
    case 'smoke': {
      const vus = capped(env, readNumber(env, 'VUS', 1, { min: 1, integer: true }), 'VUS');
      const iterations = readNumber(env, 'ITERATIONS', 1, { min: 1, integer: true });
      return {
        scenarios: { smoke: { executor: 'per-vu-iterations', vus, iterations, maxDuration: '2m' } },
        // Roughly: every iteration's requests within ten seconds.
        plan: {
          startRate: (vus * iterations) / 10,
          stages: [{ durationS: 10, target: (vus * iterations) / 10 }],
          requestsPerIteration: rpi,
        },
        describe: `${vus} VU × ${iterations} iteration(s) of every helper`,
      };
    }
    case 'load':
    case 'soak': {
      const share = test === 'load' ? ctx.targetUtilization : 0.7;
      const rate = perMinute(rateFromEnv(env, limit * share));
      const d = seconds(readDuration(env, 'DURATION', '1m'));
      const vus = vusFor(env, rate / 60);
      return {
        scenarios: {
          [test]: {
            executor: 'constant-arrival-rate',
            rate,
            timeUnit: TIME_UNIT,
            duration: formatSeconds(d),
            preAllocatedVUs: vus,
            maxVUs: vus,
          },
        },
        plan: planOf(rate, [{ s: d, perMin: rate }], rpi),
        describe: `${(rate / 60).toFixed(2)} conversations/s for ${formatSeconds(d)}`,
      };
    }
    case 'stress': {
      const peak = perMinute(rateFromEnv(env, limit * 2));
      const start = perMinute(limit * 0.25);
      const d = seconds(readDuration(env, 'DURATION', '1m'));
      const stages = [
        { s: d * 0.75, perMin: peak },
        { s: d * 0.25, perMin: peak },
      ];
      return {
        scenarios: { stress: arrival(start, stages, vusFor(env, peak / 60)) },
        plan: planOf(start, stages, rpi),
        describe: `ramp ${(start / 60).toFixed(2)} → ${(peak / 60).toFixed(2)} conversations/s over ${formatSeconds(d * 0.75)}, hold ${formatSeconds(d * 0.25)}`,
      };
    }
    case 'spike': {
      const peak = perMinute(rateFromEnv(env, limit * 4));
      const base = perMinute(limit * 0.3);
      const d = seconds(readDuration(env, 'DURATION', '1m'));
      const stages = [
        { s: d * 0.2, perMin: base },
        { s: 3, perMin: peak },
        { s: d * 0.15, perMin: peak },
        { s: 3, perMin: base },
        { s: Math.max(1, d * 0.65 - 6), perMin: base },
      ];
      return {
        scenarios: { spike: arrival(base, stages, vusFor(env, peak / 60)) },
        plan: planOf(base, stages, rpi),
        describe: `${(base / 60).toFixed(2)} conversations/s with a spike to ${(peak / 60).toFixed(2)}/s`,
      };
    }
    case 'breakpoint': {
      const peak = perMinute(rateFromEnv(env, limit * 4));
      const start = perMinute(limit * 0.25);
      const d = seconds(readDuration(env, 'DURATION', '1m'));
      const stages = [{ s: d, perMin: peak }];
      return {
        scenarios: { breakpoint: arrival(start, stages, vusFor(env, peak / 60)) },
        plan: planOf(start, stages, rpi),
        describe: `ramp ${(start / 60).toFixed(2)} → ${(peak / 60).toFixed(2)} conversations/s until the thresholds stop it`,
      };
    }
    case 'bot-conversation': {
      const vus = capped(env, readNumber(env, 'VUS', 3, { min: 1, integer: true }), 'VUS');
      const d = seconds(readDuration(env, 'DURATION', '1m'));
      const think = thinkTime(env);
      // Closed model: at most one request per VU per think time.
      const rps = vus / Math.max(think, 0.05);
      return {
        scenarios: { bot_conversation: { executor: 'constant-vus', vus, duration: formatSeconds(d) } },
        plan: { startRate: rps, stages: [{ durationS: d, target: rps }], requestsPerIteration: 1 },
        describe: `${vus} VUs each chatting with the bot for ${formatSeconds(d)}, ${think}s think time`,
      };
    }
    case 'analytics-lag': {
      const vus = capped(env, readNumber(env, 'VUS', 2, { min: 1, integer: true }), 'VUS');
      const iterations = readNumber(env, 'ITERATIONS', 1, { min: 1, integer: true });
      const poll = analyticsPoll(env, ctx.timeScale);
      const maxS = iterations * (poll.timeoutS + 60) + 30;
      return {
        scenarios: {
          analytics_lag: {
            executor: 'per-vu-iterations',
            vus,
            iterations,
            maxDuration: formatSeconds(maxS),
          },
        },
        plan: {
          startRate: vus / poll.intervalS,
          stages: [{ durationS: maxS, target: vus / poll.intervalS }],
          requestsPerIteration: 1,
        },
        describe: `${vus} VU(s) × ${iterations} conversation(s), polling analytics every ${poll.intervalS}s`,
      };
    }
    case 'notifications': {
      const n = notificationsPlan(env, ctx.timeScale);
      const sendS = n.conversations / n.ratePerS;
      // Room for the last events, a reconnect or two, and setup's token.
      const maxS = Math.ceil(sendS + n.eventTimeoutS * 2 + 60);
      return {
        scenarios: {
          notifications: {
            executor: 'per-vu-iterations',
            vus: 1,
            iterations: 1,
            maxDuration: formatSeconds(maxS),
          },
        },
        // A create call and a subscription per conversation.
        plan: {
          startRate: n.ratePerS,
          stages: [{ durationS: Math.max(1, Math.round(sendS)), target: n.ratePerS }],
          requestsPerIteration: rpi,
        },
        describe: `1 channel watching ${n.conversations} conversation(s) created at ${n.ratePerS.toFixed(2)}/s`,
      };
    }
    case 'web-messaging': {
      const vus = capped(env, readNumber(env, 'VUS', 200, { min: 1, integer: true }), 'VUS');
      const d = seconds(readDuration(env, 'DURATION', '2m'));
      const think = guestThinkTime(env, ctx.timeScale);
      // Closed model: a guest sends at most one line per think time, on its own socket, no OAuth token.
      const perS = vus / Math.max(think, 0.05);
      return {
        scenarios: { web_messaging: { executor: 'constant-vus', vus, duration: formatSeconds(d) } },
        plan: { startRate: perS, stages: [{ durationS: d, target: perS }], requestsPerIteration: 1 },
        describe: `${vus} web messaging guests chatting with the bot for ${formatSeconds(d)}, ~${Number(think.toFixed(3))}s think time`,
      };
    }
    default:
      throw new ConfigError(`unknown test "${String(test)}"; valid: ${TESTS.join(', ')}`);
  }
}

/** THINK_TIME: seconds a bot user takes to answer (default 1). */
export function thinkTime(env: Env, fallback = 1): number {
  return readNumber(env, 'THINK_TIME', fallback, { min: 0 });
}

/**
 * THINK_TIME for web messaging guests: the mean seconds a person takes to read the bot's answer and type
 * (each pause jittered ±50 %). The default of 3 platform seconds shrinks with the emulator's time scale, as
 * the guest rate limit's window does; a THINK_TIME given is real seconds.
 */
export function guestThinkTime(env: Env, timeScale: number): number {
  return thinkTime(env, 3 / timeScale);
}

/** Analytics polling in real seconds: the platform's lag shrinks with the emulator's time scale. */
export function analyticsPoll(env: Env, timeScale: number): { intervalS: number; timeoutS: number } {
  const interval = readNumber(env, 'POLL_INTERVAL', Math.max(0.2, 5 / timeScale), { min: 0.05 });
  const timeout = seconds(
    readDuration(env, 'ANALYTICS_TIMEOUT', formatSeconds(Math.max(10, 300 / timeScale))),
  );
  return { intervalS: interval, timeoutS: timeout };
}

export interface NotificationsPlan {
  conversations: number;
  /** Create calls per second. */
  ratePerS: number;
  eventTimeoutS: number;
  pingIntervalS: number;
  maxTopics: number;
  /** conversations: each one's own detail topic; queue: one queue topic, and callbacks into that queue. */
  watch: 'conversations' | 'queue';
}

const WATCH = ['conversations', 'queue'] as const;

/** The notifications test's knobs, in real seconds (the emulator's clock divides the platform's). */
export function notificationsPlan(env: Env, timeScale: number): NotificationsPlan {
  return {
    conversations: readNumber(env, 'CONVERSATIONS', 20, { min: 1, integer: true }),
    // Two calls per conversation at one conversation a (platform) second: 40 % of one token's limit.
    ratePerS: rateFromEnv(env, timeScale),
    eventTimeoutS: seconds(readDuration(env, 'EVENT_TIMEOUT', formatSeconds(Math.max(5, 30 / timeScale)))),
    pingIntervalS: readNumber(env, 'PING_INTERVAL', Math.max(1, 10 / timeScale), { min: 0.1 }),
    maxTopics: readNumber(env, 'MAX_TOPICS', 1000, { min: 1, integer: true }),
    watch: readWatch(env),
  };
}

function readWatch(env: Env): NotificationsPlan['watch'] {
  const v = readString(env, 'WATCH', 'conversations');
  const found = WATCH.find((w) => w === v);
  if (!found) throw new ConfigError(`WATCH must be one of ${WATCH.join(', ')}, got "${v}"`);
  return found;
}
