// Everything the suite reads from __ENV, checked once in init: a bad value stops the test before any
// load with one line naming the variable. Secrets stay in __ENV and are read at run time, never bundled.
import {
  ConfigError,
  readConnection,
  readDuration,
  readFlag,
  readNumber,
  readString,
  type Connection,
  type Env,
} from './core/config.ts';
import { parseDuration } from './core/duration.ts';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './core/retry-policy.ts';

export interface Settings {
  connection: Connection;
  retry: RetryPolicy;
  /** STRICT_LIMITS=1: fail in setup() when the plan will cross a rate limit. */
  strictLimits: boolean;
  /** The emulator's --time-scale: a platform minute lasts 60 / timeScale real seconds. 1 for a real org. */
  timeScale: number;
  /** k6 instances sharing the run (k6-operator parallelism, cloud load generators). */
  instances: number;
  botFlowId: string;
  /** Share of the per-token limit the load test aims at (0.97 = 97 %). */
  targetUtilization: number;
  /** Agentless messages send real SMS/WhatsApp on an org: off there unless the addresses are given. */
  messaging?: { fromAddress: string; toAddress: string; messengerType: string };
  /** Callbacks land in a real queue on an org: off there unless the queue is given. */
  callbackQueueId?: string;
}

export function readSettings(env: Env): Settings {
  const connection = readConnection(env);
  const realOrg = env.GENESYSCLOUD_API_URL === undefined || env.GENESYSCLOUD_API_URL === '';
  const botFlowId = readString(env, 'BOT_FLOW_ID', realOrg ? '' : 'demo-bot-flow');
  if (botFlowId === '') {
    throw new ConfigError('BOT_FLOW_ID is not set: give the id of a published bot flow in the org');
  }
  const budget = readDuration(env, 'RETRY_BUDGET', `${DEFAULT_RETRY_POLICY.budgetMs / 1000}s`);
  return {
    connection,
    retry: {
      maxAttempts: readNumber(env, 'RETRY_MAX_ATTEMPTS', DEFAULT_RETRY_POLICY.maxAttempts, {
        min: 1,
        max: 20,
        integer: true,
      }),
      budgetMs: parseDuration(budget) ?? DEFAULT_RETRY_POLICY.budgetMs,
      baseMs: DEFAULT_RETRY_POLICY.baseMs,
      capMs: DEFAULT_RETRY_POLICY.capMs,
    },
    strictLimits: readFlag(env, 'STRICT_LIMITS'),
    timeScale: readNumber(env, 'TIME_SCALE', 1, { min: 0.001 }),
    instances: readNumber(env, 'INSTANCES', 1, { min: 1, integer: true }),
    botFlowId,
    targetUtilization: readNumber(env, 'TARGET_UTILIZATION', 0.97, { min: 0.01, max: 1 }),
    messaging: messaging(env, realOrg),
    callbackQueueId: readString(env, 'CALLBACK_QUEUE_ID', realOrg ? '' : 'demo-queue') || undefined,
  };
}

function messaging(env: Env, realOrg: boolean): Settings['messaging'] {
  const from = readString(env, 'MESSAGING_FROM_ADDRESS', realOrg ? '' : '+13175550100');
  const to = readString(env, 'MESSAGING_TO_ADDRESS', realOrg ? '' : '+13175550199');
  if (from === '' && to === '') return undefined;
  if (from === '' || to === '') {
    throw new ConfigError('MESSAGING_FROM_ADDRESS and MESSAGING_TO_ADDRESS go together: set both or neither');
  }
  const messengerType = readString(env, 'MESSAGING_TYPE', 'sms');
  if (!['sms', 'whatsapp', 'open'].includes(messengerType)) {
    throw new ConfigError(`MESSAGING_TYPE must be one of sms, whatsapp, open, got "${messengerType}"`);
  }
  return { fromAddress: from, toAddress: to, messengerType };
}

/** Reads the settings or stops init with the single line that says what to fix. */
export function loadSettings(env: Env): Settings {
  try {
    return readSettings(env);
  } catch (err) {
    if (err instanceof ConfigError) throw new Error(err.message);
    throw err;
  }
}
