// Emulator configuration: the JSON defaults in the repo, overlaid by a config file, EMULATOR_* env and flags.
import { readFileSync } from 'node:fs';
import defaults from './config.default.json' with { type: 'json' };
import { checkConfig, checkSource, ConfigError, type Where } from './config-schema.ts';
import { didYouMean, nearest } from './suggest.ts';

export { ConfigError };

export interface OAuthClient {
  id: string;
  secret: string;
  name?: string;
  /** Emulated seconds; the platform allows 300 s to 48 h per client. */
  tokenLifetimeSeconds: number;
  /** Permission strings as the platform names them; "*" grants all. */
  permissions: string[];
}

/** A median and a 99th percentile in milliseconds; samples follow a log-normal between them. */
export interface LatencySpec {
  median: number;
  p99: number;
}

/** Shares (0..1) of admitted requests that get each fault. */
export interface FaultSpec {
  '502': number;
  '503': number;
  '504': number;
  reset: number;
  slow: number;
  slowMs: number;
  revokeToken: number;
}

/** Shares (0..1) of notification deliveries (topic events and heartbeats) that get each fault. */
export interface StreamFaultSpec {
  /** The socket is destroyed instead of the delivery, with no close frame, as a network drop looks. */
  dropSocket: number;
  /** The delivery waits `delayMs` more (real milliseconds, like slowMs). */
  delayEvent: number;
  delayMs: number;
}

/** A web messaging deployment guests may connect to, and the bot flow that answers them. */
export interface WebDeploymentSpec {
  id: string;
  name?: string;
  flowId: string;
  /** The queue a guest's conversation is transferred to when the bot hands over to an agent. */
  queueId?: string;
}

/** A lower limit for one route, counted per OAuth client; its value lives in `limits`. */
export interface EndpointLimit {
  route: string;
  namespace: string;
  key: string;
}

export interface EmulatorConfig {
  host: string;
  port: number;
  seed: number;
  /** N times faster clock for limit windows, token lifetimes, analytics lag, job delays, conversation lengths. */
  timeScale: number;
  clients: OAuthClient[];
  /** namespace -> key -> value, reported by GET /api/v2/organizations/limits/namespaces/{ns} and enforced. */
  limits: Record<string, Record<string, number>>;
  endpointLimits: EndpointLimit[];
  latency: { default: LatencySpec; routes: Record<string, LatencySpec> };
  faults: { default: FaultSpec; routes: Record<string, Partial<FaultSpec>> };
  analytics: {
    lagSeconds: number;
    jobDelaySeconds: number;
    maxPageSize: number;
    defaultPageSize: number;
    /** Share (0..1) of details jobs that end FAILED instead of FULFILLED. */
    jobFailureShare: number;
    /** Emulated seconds after completion when a job's results are gone (EXPIRED). */
    jobExpirySeconds: number;
  };
  /** What GET /api/v2/organizations/me answers. */
  organization: { id: string; name: string };
  /** The queues that exist: other queue ids are refused as the platform refuses them. */
  queues: { id: string; name?: string }[];
  /** The flows that exist, e.g. the bot flows sessions may start; type as Architect names it (digitalbot). */
  flows: { id: string; name?: string; type: string }[];
  conversations: { durationSeconds: number; max: number };
  bot: { maxTurns: number };
  notifications: {
    channelLifetimeSeconds: number;
    maxTopicsPerChannel: number;
    heartbeatSeconds: number;
    /** Emulated seconds between a conversation change and its topic events. */
    eventLagSeconds: number;
    /** Emulated seconds after which the server closes a connected socket; 0: only at channel expiry. */
    closeAfterSeconds: number;
    /** Emulated seconds between v2.system.socket_closing and the close it announces. */
    closingNoticeSeconds: number;
    faults: StreamFaultSpec;
  };
  webMessaging: {
    deployments: WebDeploymentSpec[];
    /** Guest sessions that may have a connected socket at once. */
    maxSessions: number;
    maxMessageLength: number;
    /** Emulated seconds without a message after which a guest session expires. */
    sessionInactivitySeconds: number;
    /** Real milliseconds before each bot reply, log-normal like latency. */
    botThinkTime: LatencySpec;
    faults: {
      /** Share of bot replies whose guest socket is destroyed instead, with no close frame. */
      dropSocket: number;
    };
  };
}

/** Anything a caller may override: nested objects merge, arrays and scalars replace. */
export type ConfigOverrides = { [K in keyof EmulatorConfig]?: DeepPartial<EmulatorConfig[K]> };
type DeepPartial<T> = T extends unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

/** One source of overrides and how its errors name it. */
export interface ConfigSource {
  overrides: unknown;
  where?: Where;
}

export function defaultConfig(): EmulatorConfig {
  return structuredClone(defaults) as EmulatorConfig;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function merge(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over === undefined ? base : structuredClone(over);
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = merge(base[k], v);
  return out;
}

/**
 * Merges the sources in order over `base`, refusing anything the emulator could not honour: each source is
 * checked on its own first, so an error names the file, variable or flag the bad key came from.
 */
export function mergeSources(base: EmulatorConfig, sources: ConfigSource[]): EmulatorConfig {
  let out: unknown = base;
  for (const s of sources) out = merge(out, s.overrides);
  for (const s of sources) checkSource(s.overrides, out, s.where);
  checkConfig(out);
  return out as EmulatorConfig;
}

export function mergeConfig(
  base: EmulatorConfig,
  ...overrides: (ConfigOverrides | undefined)[]
): EmulatorConfig {
  return mergeSources(
    base,
    overrides.filter((o) => o !== undefined).map((o) => ({ overrides: o })),
  );
}

export function readConfigFile(file: string): ConfigOverrides {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`config file ${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (!isPlainObject(parsed)) throw new ConfigError(`config file ${file} must hold a JSON object`);
  return parsed as ConfigOverrides;
}

type SettingKey = 'host' | 'port' | 'timeScale' | 'seed' | 'config';
const FLAGS: Record<string, { key: SettingKey; env: string }> = {
  '--host': { key: 'host', env: 'EMULATOR_HOST' },
  '--port': { key: 'port', env: 'EMULATOR_PORT' },
  '--config': { key: 'config', env: 'EMULATOR_CONFIG' },
  '--time-scale': { key: 'timeScale', env: 'EMULATOR_TIME_SCALE' },
  '--seed': { key: 'seed', env: 'EMULATOR_SEED' },
};
const ENV_PREFIX = 'EMULATOR_';

export const USAGE =
  'usage: emulator [--host HOST] [--port PORT] [--config FILE] [--time-scale N] [--seed N]\n' +
  '       (env: EMULATOR_HOST, EMULATOR_PORT, EMULATOR_CONFIG, EMULATOR_TIME_SCALE, EMULATOR_SEED)';

/** A setting's raw text as the override it stands for; text that is not a number stays text for the check. */
function overridesOf(picked: Partial<Record<SettingKey, string>>): ConfigOverrides {
  const out: Record<string, unknown> = {};
  if (picked.host !== undefined) out.host = picked.host;
  for (const key of ['port', 'timeScale', 'seed'] as const) {
    const raw = picked[key];
    if (raw === undefined) continue;
    const n = Number(raw);
    out[key] = raw.trim() !== '' && Number.isFinite(n) ? n : raw;
  }
  return out as ConfigOverrides;
}

/** The flag or variable that set a top-level key, for errors. */
function namer(kind: 'flag' | 'env'): Where {
  return (path) => {
    const entry = Object.entries(FLAGS).find(([, spec]) => spec.key === path[0]);
    if (!entry) return '';
    return kind === 'flag' ? ` (flag ${entry[0]})` : ` (env ${entry[1].env})`;
  };
}

/** Compared without the shared prefix, which would make every name look close. */
function nearestEnv(name: string, known: string[]): string {
  const n = nearest(
    name.slice(ENV_PREFIX.length),
    known.map((k) => k.slice(ENV_PREFIX.length)),
  );
  return n === undefined ? '' : ` (did you mean "${ENV_PREFIX}${n}"?)`;
}

/** defaults < config file < EMULATOR_* env < flags. Throws ConfigError with one clear line on bad input. */
export function resolveConfig(argv: string[], env: NodeJS.ProcessEnv): EmulatorConfig {
  const fromEnv: Partial<Record<SettingKey, string>> = {};
  const envNames = Object.values(FLAGS).map((s) => s.env);
  for (const [name, v] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || v === undefined || v === '') continue;
    const spec = Object.values(FLAGS).find((s) => s.env === name);
    if (!spec) {
      throw new ConfigError(
        `environment variable ${name} is unknown${nearestEnv(name, envNames)}; known: ${envNames.join(', ')}`,
      );
    }
    fromEnv[spec.key] = v;
  }
  const fromFlags: Partial<Record<SettingKey, string>> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const spec = FLAGS[name];
    if (!spec) throw new ConfigError(`unknown argument "${arg}"${didYouMean(name, Object.keys(FLAGS))}`);
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || value === '') throw new ConfigError(`${name} needs a value`);
    fromFlags[spec.key] = value;
  }
  const file = fromFlags.config ?? fromEnv.config;
  const sources: ConfigSource[] = [];
  if (file) sources.push({ overrides: readConfigFile(file), where: () => ` (config file ${file})` });
  sources.push({ overrides: overridesOf(fromEnv), where: namer('env') });
  sources.push({ overrides: overridesOf(fromFlags), where: namer('flag') });
  return mergeSources(defaultConfig(), sources);
}
