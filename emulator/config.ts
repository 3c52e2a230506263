// Emulator configuration: the JSON defaults in the repo, overlaid by a config file, EMULATOR_* env and flags.
import { readFileSync } from 'node:fs';
import defaults from './config.default.json' with { type: 'json' };

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
  analytics: { lagSeconds: number; jobDelaySeconds: number; maxPageSize: number; defaultPageSize: number };
  conversations: { durationSeconds: number; max: number };
  bot: { maxTurns: number };
  notifications: { channelLifetimeSeconds: number };
}

/** Anything a caller may override: nested objects merge, arrays and scalars replace. */
export type ConfigOverrides = { [K in keyof EmulatorConfig]?: DeepPartial<EmulatorConfig[K]> };
type DeepPartial<T> = T extends unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

export class ConfigError extends Error {}

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

export function mergeConfig(
  base: EmulatorConfig,
  ...overrides: (ConfigOverrides | undefined)[]
): EmulatorConfig {
  let out: unknown = base;
  for (const o of overrides) if (o) out = merge(out, o);
  return validateConfig(out as EmulatorConfig);
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

function requireNumber(v: unknown, name: string, min: number, max = Infinity): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    throw new ConfigError(`${name} must be a number from ${min}${max === Infinity ? '' : ` to ${max}`}`);
  }
}

function validateFaults(f: Partial<FaultSpec>, where: string): void {
  for (const k of ['502', '503', '504', 'reset', 'slow', 'revokeToken'] as const) {
    if (f[k] !== undefined) requireNumber(f[k], `${where}.${k}`, 0, 1);
  }
  if (f.slowMs !== undefined) requireNumber(f.slowMs, `${where}.slowMs`, 0);
}

function requireObject(v: unknown, name: string): void {
  if (!isPlainObject(v)) throw new ConfigError(`${name} must be an object`);
}

export function validateConfig(c: EmulatorConfig): EmulatorConfig {
  requireObject(c, 'the config');
  for (const section of [
    'limits',
    'latency',
    'faults',
    'analytics',
    'conversations',
    'bot',
    'notifications',
  ] as const) {
    requireObject(c[section], section);
  }
  requireObject(c.latency.default, 'latency.default');
  requireObject(c.latency.routes, 'latency.routes');
  for (const [route, l] of Object.entries(c.latency.routes)) requireObject(l, `latency.routes["${route}"]`);
  requireObject(c.faults.default, 'faults.default');
  requireObject(c.faults.routes, 'faults.routes');
  for (const [route, f] of Object.entries(c.faults.routes)) requireObject(f, `faults.routes["${route}"]`);
  if (!Array.isArray(c.endpointLimits)) throw new ConfigError('endpointLimits must be an array');
  if (typeof c.host !== 'string' || c.host === '') throw new ConfigError('host must be a non-empty string');
  requireNumber(c.port, 'port', 0, 65535);
  if (!Number.isInteger(c.port)) throw new ConfigError('port must be an integer');
  requireNumber(c.seed, 'seed', -Infinity);
  requireNumber(c.timeScale, 'timeScale', 0.001);
  if (!Array.isArray(c.clients)) throw new ConfigError('clients must be an array');
  for (const [i, cl] of c.clients.entries()) {
    requireObject(cl, `clients[${i}]`);
    if (typeof cl.id !== 'string' || typeof cl.secret !== 'string' || !cl.id) {
      throw new ConfigError(`clients[${i}] needs string id and secret`);
    }
    requireNumber(cl.tokenLifetimeSeconds, `clients[${i}].tokenLifetimeSeconds`, 1);
    if (!Array.isArray(cl.permissions)) throw new ConfigError(`clients[${i}].permissions must be an array`);
  }
  for (const [ns, keys] of Object.entries(c.limits)) {
    if (!isPlainObject(keys)) throw new ConfigError(`limits.${ns} must be an object`);
    for (const [k, v] of Object.entries(keys)) requireNumber(v, `limits.${ns}.${k}`, 0);
  }
  for (const [i, e] of c.endpointLimits.entries()) {
    if (typeof e?.route !== 'string' || !/^[A-Z]+ \//.test(e.route)) {
      throw new ConfigError(`endpointLimits[${i}].route must look like "POST /api/v2/..."`);
    }
    if (c.limits[e.namespace]?.[e.key] === undefined) {
      throw new ConfigError(`endpointLimits[${i}] refers to missing limit ${e.namespace}/${e.key}`);
    }
  }
  for (const [name, l] of [
    ['latency.default', c.latency.default],
    ...Object.entries(c.latency.routes),
  ] as const) {
    requireNumber(l.median, `${name}.median`, 0);
    requireNumber(l.p99, `${name}.p99`, l.median);
  }
  validateFaults(c.faults.default, 'faults.default');
  for (const [route, f] of Object.entries(c.faults.routes)) validateFaults(f, `faults.routes["${route}"]`);
  requireNumber(c.analytics.lagSeconds, 'analytics.lagSeconds', 0);
  requireNumber(c.analytics.jobDelaySeconds, 'analytics.jobDelaySeconds', 0);
  requireNumber(c.analytics.maxPageSize, 'analytics.maxPageSize', 1);
  requireNumber(c.analytics.defaultPageSize, 'analytics.defaultPageSize', 1);
  requireNumber(c.conversations.durationSeconds, 'conversations.durationSeconds', 0);
  requireNumber(c.conversations.max, 'conversations.max', 1);
  requireNumber(c.bot.maxTurns, 'bot.maxTurns', 1);
  requireNumber(c.notifications.channelLifetimeSeconds, 'notifications.channelLifetimeSeconds', 1);
  return c;
}

const FLAGS: Record<string, { key: 'host' | 'port' | 'timeScale' | 'seed' | 'config'; env: string }> = {
  '--host': { key: 'host', env: 'EMULATOR_HOST' },
  '--port': { key: 'port', env: 'EMULATOR_PORT' },
  '--config': { key: 'config', env: 'EMULATOR_CONFIG' },
  '--time-scale': { key: 'timeScale', env: 'EMULATOR_TIME_SCALE' },
  '--seed': { key: 'seed', env: 'EMULATOR_SEED' },
};

export const USAGE =
  'usage: emulator [--host HOST] [--port PORT] [--config FILE] [--time-scale N] [--seed N]\n' +
  '       (env: EMULATOR_HOST, EMULATOR_PORT, EMULATOR_CONFIG, EMULATOR_TIME_SCALE, EMULATOR_SEED)';

/** defaults < config file < EMULATOR_* env < flags. Throws ConfigError with one clear line on bad input. */
export function resolveConfig(argv: string[], env: NodeJS.ProcessEnv): EmulatorConfig {
  const picked: Partial<Record<'host' | 'port' | 'timeScale' | 'seed' | 'config', string>> = {};
  for (const spec of Object.values(FLAGS)) {
    const v = env[spec.env];
    if (v !== undefined && v !== '') picked[spec.key] = v;
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const spec = FLAGS[name];
    if (!spec) throw new ConfigError(`unknown argument "${arg}"`);
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || value === '') throw new ConfigError(`${name} needs a value`);
    picked[spec.key] = value;
  }
  const overrides: ConfigOverrides = {};
  if (picked.host !== undefined) overrides.host = picked.host;
  for (const key of ['port', 'timeScale', 'seed'] as const) {
    const raw = picked[key];
    if (raw === undefined) continue;
    const n = Number(raw);
    if (!Number.isFinite(n)) throw new ConfigError(`${key} must be a number, got "${raw}"`);
    overrides[key] = n;
  }
  const file = picked.config ? readConfigFile(picked.config) : undefined;
  return mergeConfig(defaultConfig(), file, overrides);
}
