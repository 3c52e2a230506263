// Everything the suite reads from __ENV, in two parts that are read at different times.
//
// The shape (rate, duration, retries, time scale, instances) is read in init: k6 needs it to build the
// options, and a bad value stops the test there with one line. The target (where the org is, its OAuth
// clients, bot flow, queue and messaging addresses) is read when setup() starts and in a VU when it first
// needs it: `k6 inspect`, `k6 archive`, `k6 cloud` and k6-operator's initializer evaluate init with no
// credentials, and those must accept the bundle. Secrets stay in __ENV and are never bundled.
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
import exec from 'k6/execution';
import { parseDuration } from './core/duration.ts';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './core/retry-policy.ts';

/** What init may read: the load shape, nothing secret, nothing org-specific. */
export interface Shape {
  retry: RetryPolicy;
  /** STRICT_LIMITS=1: fail in setup() when the plan will cross a rate limit. */
  strictLimits: boolean;
  /** The emulator's --time-scale: a platform minute lasts 60 / timeScale real seconds. 1 for a real org. */
  timeScale: number;
  /** k6 instances sharing the run (k6-operator parallelism, cloud load generators). */
  instances: number;
  /** OAuth clients the load is planned over (OAUTH_CLIENTS, else the entries of GENESYSCLOUD_OAUTHCLIENTS). */
  oauthClients: number;
  /** Share of the per-token limit the load test aims at (0.97 = 97 %). */
  targetUtilization: number;
}

/** What setup() and the VUs read: the org and how to log in to it. */
export interface Target {
  connection: Connection;
  botFlowId: string;
  /** Agentless messages send real SMS/WhatsApp on an org: off there unless the addresses are given. */
  messaging?: { fromAddress: string; toAddress: string; messengerType: string };
  /** Callbacks land in a real queue on an org: off there unless the queue is given. */
  callbackQueueId?: string;
}

export type Settings = Shape & Target;

export function readShape(env: Env): Shape {
  const budget = readDuration(env, 'RETRY_BUDGET', `${DEFAULT_RETRY_POLICY.budgetMs / 1000}s`);
  // Counting the list's entries reads no secret; the entries themselves are checked in setup().
  const listed = (env.GENESYSCLOUD_OAUTHCLIENTS ?? '').split(',').filter((e) => e.trim() !== '').length;
  return {
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
    oauthClients: readNumber(env, 'OAUTH_CLIENTS', Math.max(1, listed), { min: 1, integer: true }),
    targetUtilization: readNumber(env, 'TARGET_UTILIZATION', 0.97, { min: 0.01, max: 1 }),
  };
}

export function readTarget(env: Env): Target {
  const connection = readConnection(env);
  const realOrg = env.GENESYSCLOUD_API_URL === undefined || env.GENESYSCLOUD_API_URL === '';
  const botFlowId = readString(env, 'BOT_FLOW_ID', realOrg ? '' : 'demo-bot-flow');
  if (botFlowId === '') {
    throw new ConfigError('BOT_FLOW_ID is not set: give the id of a published bot flow in the org');
  }
  return {
    connection,
    botFlowId,
    messaging: messaging(env, realOrg),
    callbackQueueId: readString(env, 'CALLBACK_QUEUE_ID', realOrg ? '' : 'demo-queue') || undefined,
  };
}

/** Shape and target at once, for code that runs where both are known. */
export function readSettings(env: Env): Settings {
  return { ...readShape(env), ...readTarget(env) };
}

function messaging(env: Env, realOrg: boolean): Target['messaging'] {
  const from = readString(env, 'MESSAGING_FROM_ADDRESS', realOrg ? '' : '+13175550100');
  const to = readString(env, 'MESSAGING_TO_ADDRESS', realOrg ? '' : '+13175550199');
  if (from === '' && to === '') return undefined;
  if (from === '' || to === '') {
    throw new ConfigError('MESSAGING_FROM_ADDRESS and MESSAGING_TO_ADDRESS go together: set both or neither');
  }
  const messengerType = readString(env, 'MESSAGING_TYPE', 'sms');
  // The platform takes a WhatsApp agentless message only as an approved messagingTemplate, never as text.
  if (messengerType === 'whatsapp') {
    throw new ConfigError(
      'MESSAGING_TYPE=whatsapp needs an approved messaging template, and the suite sends text: use sms or open',
    );
  }
  if (!['sms', 'open'].includes(messengerType)) {
    throw new ConfigError(`MESSAGING_TYPE must be sms or open, got "${messengerType}"`);
  }
  return { fromAddress: from, toAddress: to, messengerType };
}

/** Runs a reader; a ConfigError becomes the plain one-line Error that k6 prints and stops on. */
export function orStop<T>(read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof ConfigError) throw new Error(err.message);
    throw err;
  }
}

/**
 * Runs a reader in setup() or a VU; a ConfigError stops the test with test.abort(): k6 prints its message
 * as the one line "test aborted: <message>" (exit 108), where a thrown error would carry JS stack frames.
 */
export function abortOnError<T>(read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof ConfigError) stopTest(err.message);
    throw err;
  }
}

/** Stops the test from setup() or a VU with one line; test.abort() does not return. */
export function stopTest(message: string): never {
  exec.test.abort(message);
  throw new Error(message);
}

/**
 * The settings a bundle uses: the shape read now (init), the target read on first use and kept. Reading a
 * target field in init would bring back the failure this split exists to avoid, so only setup() and the
 * default function may touch connection, botFlowId, messaging and callbackQueueId.
 */
export function lazySettings(env: Env): Settings {
  const shape = orStop(() => readShape(env));
  let target: Target | undefined;
  const read = (): Target => (target ??= abortOnError(() => readTarget(env)));
  return {
    ...shape,
    get connection() {
      return read().connection;
    },
    get botFlowId() {
      return read().botFlowId;
    },
    get messaging() {
      return read().messaging;
    },
    get callbackQueueId() {
      return read().callbackQueueId;
    },
  };
}
