// Option consolidation as k6 v0.49 does it: defaults < script `options` < K6_* env < CLI flags, the execution
// shortcuts (vus/duration/iterations/stages) turned into scenarios, and validation. Config errors exit 104.
import { HostOverrides } from './modules/hosts.ts';
import { TLSOptions } from './modules/tls-options.ts';
import { parseDNS } from './modules/dns.ts';
import { parseDuration } from './duration.ts';
import { checkTrendStats } from './summary/data.ts';

export const EXIT_INVALID_CONFIG = 104;

export class ConfigError extends Error {
  readonly exitCode = EXIT_INVALID_CONFIG;
}

export interface StageOption {
  duration: string | number;
  target: number;
}

/** Options as a user writes them (script `options`, env, flags); durations stay strings. */
export interface Options {
  vus?: number;
  duration?: string | number;
  iterations?: number;
  stages?: StageOption[];
  scenarios?: Record<string, Record<string, unknown>>;
  thresholds?: Record<string, unknown>;
  tags?: Record<string, string>;
  summaryTrendStats?: string[];
  summaryTimeUnit?: string;
  setupTimeout?: string | number;
  teardownTimeout?: string | number;
  noSetup?: boolean;
  noTeardown?: boolean;
  minIterationDuration?: string | number;
  [key: string]: unknown;
}

export const DEFAULT_TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'];

export const DEFAULTS: Options = {
  vus: 1,
  summaryTrendStats: DEFAULT_TREND_STATS,
  setupTimeout: '60s',
  teardownTimeout: '60s',
  noSetup: false,
  noTeardown: false,
};

// A layer that sets any of these clears all of them from the layers below (`-d 10s` replaces `scenarios`).
const SHORTCUTS = ['duration', 'iterations', 'stages', 'scenarios'] as const;

/** Merge layers, lowest precedence first. Keys set to `undefined` in a layer are not set. */
export function consolidate(layers: Options[]): Options {
  const out: Options = {};
  for (const layer of layers) {
    if (SHORTCUTS.some((k) => layer[k] !== undefined && layer[k] !== null)) {
      for (const k of SHORTCUTS) delete out[k];
    }
    for (const [k, v] of Object.entries(layer)) if (v !== undefined) out[k] = v;
  }
  return out;
}

export type ExecutorName =
  | 'shared-iterations'
  | 'per-vu-iterations'
  | 'constant-vus'
  | 'ramping-vus'
  | 'constant-arrival-rate'
  | 'ramping-arrival-rate';

export const EXECUTORS: ExecutorName[] = [
  'shared-iterations',
  'per-vu-iterations',
  'constant-vus',
  'ramping-vus',
  'constant-arrival-rate',
  'ramping-arrival-rate',
];

export interface Stage {
  /** ms */
  duration: number;
  target: number;
}

/** One validated scenario; times in ms. Fields an executor does not use are 0 / empty. */
export interface Scenario {
  name: string;
  executor: ExecutorName;
  startTime: number;
  gracefulStop: number;
  exec: string;
  env: Record<string, string>;
  tags: Record<string, string>;
  vus: number;
  iterations: number;
  maxDuration: number;
  duration: number;
  startVUs: number;
  stages: Stage[];
  gracefulRampDown: number;
  rate: number;
  startRate: number;
  timeUnit: number;
  preAllocatedVUs: number;
  maxVUs: number;
}

/** The execution shortcuts turned into `scenarios`, first match wins; warnings go to `warn`. */
export function deriveScenarios(
  opts: Options,
  warn: (msg: string) => void = () => {},
): Record<string, Record<string, unknown>> {
  const hasStages = Array.isArray(opts.stages) && opts.stages.length > 0;
  const vus = opts.vus ?? 1;
  if (opts.iterations !== undefined && opts.iterations !== null) {
    if (hasStages)
      throw new ConfigError(
        'using multiple execution config shortcuts (iterations and stages) simultaneously is not allowed',
      );
    if (opts.scenarios)
      throw new ConfigError(
        'using multiple execution config shortcuts (iterations and scenarios) simultaneously is not allowed',
      );
    const s: Record<string, unknown> = { executor: 'shared-iterations', vus, iterations: opts.iterations };
    if (opts.duration !== undefined) s.maxDuration = opts.duration;
    return { default: s };
  }
  if (opts.duration !== undefined && opts.duration !== null) {
    if (hasStages)
      throw new ConfigError(
        'using multiple execution config shortcuts (duration and stages) simultaneously is not allowed',
      );
    if (opts.scenarios)
      throw new ConfigError(
        'using multiple execution config shortcuts (duration and scenarios) simultaneously is not allowed',
      );
    const ms = durationOf('duration', opts.duration);
    if (ms <= 0) throw new ConfigError(`duration must be more than 0, got ${String(opts.duration)}`);
    return { default: { executor: 'constant-vus', vus, duration: opts.duration } };
  }
  if (hasStages) {
    if (opts.scenarios)
      throw new ConfigError(
        'using multiple execution config shortcuts (stages and scenarios) simultaneously is not allowed',
      );
    return { default: { executor: 'ramping-vus', startVUs: vus, stages: opts.stages } };
  }
  if (opts.scenarios && Object.keys(opts.scenarios).length > 0) {
    if (opts.vus !== undefined && opts.vus !== 1) {
      warn(
        'the `vus` option is ignored when `scenarios` are defined; set `vus` inside each scenario instead',
      );
    }
    return opts.scenarios;
  }
  return { default: { executor: 'per-vu-iterations', vus, iterations: 1 } };
}

function durationOf(what: string, v: unknown): number {
  try {
    return parseDuration(v);
  } catch {
    throw new ConfigError(`invalid ${what}: ${JSON.stringify(v)} is not a duration`);
  }
}

function intOf(where: string, key: string, v: unknown, dflt?: number): number {
  if (v === undefined || v === null) {
    if (dflt === undefined) throw new ConfigError(`${where}: ${key} is required`);
    return dflt;
  }
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw new ConfigError(`${where}: ${key} must be an integer, got ${JSON.stringify(v)}`);
  }
  return v;
}

function stringMap(where: string, key: string, v: unknown): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new ConfigError(`${where}: ${key} must be an object`);
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) out[k] = String(val);
  return out;
}

function stagesOf(where: string, v: unknown): Stage[] {
  if (!Array.isArray(v) || v.length === 0) throw new ConfigError(`${where}: at least one stage is required`);
  return v.map((s, i) => {
    if (!s || typeof s !== 'object') throw new ConfigError(`${where}: stage ${i} must be an object`);
    const st = s as Record<string, unknown>;
    if (st.duration === undefined) throw new ConfigError(`${where}: stage ${i} has no duration`);
    if (st.target === undefined) throw new ConfigError(`${where}: stage ${i} has no target`);
    const duration = durationOf(`${where} stage ${i} duration`, st.duration);
    if (duration < 0) throw new ConfigError(`${where}: stage ${i} duration must not be negative`);
    const target = intOf(where, `stage ${i} target`, st.target);
    if (target < 0) throw new ConfigError(`${where}: stage ${i} target must not be negative`);
    return { duration, target };
  });
}

const KNOWN_KEYS: Record<ExecutorName, string[]> = {
  'shared-iterations': ['vus', 'iterations', 'maxDuration'],
  'per-vu-iterations': ['vus', 'iterations', 'maxDuration'],
  'constant-vus': ['vus', 'duration'],
  'ramping-vus': ['startVUs', 'stages', 'gracefulRampDown'],
  'constant-arrival-rate': ['rate', 'timeUnit', 'duration', 'preAllocatedVUs', 'maxVUs'],
  'ramping-arrival-rate': ['startRate', 'timeUnit', 'stages', 'preAllocatedVUs', 'maxVUs'],
};
const COMMON_KEYS = ['executor', 'startTime', 'gracefulStop', 'exec', 'env', 'tags'];

/** Validate one scenario's raw options into a Scenario; `exported` = the script's exported function names. */
export function normalizeScenario(
  name: string,
  raw: Record<string, unknown>,
  exported?: string[],
  warn: (msg: string) => void = () => {},
): Scenario {
  const where = `scenario "${name}"`;
  if (!/^[0-9a-zA-Z_-]+$/.test(name)) {
    throw new ConfigError(`${where}: a scenario name may only contain letters, digits, "_" and "-"`);
  }
  if (!raw || typeof raw !== 'object') throw new ConfigError(`${where}: must be an object`);
  const executor = raw.executor;
  if (executor === undefined) throw new ConfigError(`${where}: executor is required`);
  if (!EXECUTORS.includes(executor as ExecutorName)) {
    throw new ConfigError(`${where}: unknown executor "${String(executor)}"`);
  }
  const ex = executor as ExecutorName;
  // k6 ignores keys an executor does not know; say so, since it is usually a typo or a copied option.
  for (const k of Object.keys(raw)) {
    if (!COMMON_KEYS.includes(k) && !KNOWN_KEYS[ex].includes(k))
      warn(`${where}: option "${k}" is not used by ${ex}`);
  }
  const exec = raw.exec === undefined ? 'default' : String(raw.exec);
  if (exported && !exported.includes(exec)) {
    throw new ConfigError(`${where}: exec function "${exec}" is not exported by the script`);
  }
  const sc: Scenario = {
    name,
    executor: ex,
    startTime: raw.startTime === undefined ? 0 : durationOf(`${where} startTime`, raw.startTime),
    gracefulStop:
      raw.gracefulStop === undefined ? 30_000 : durationOf(`${where} gracefulStop`, raw.gracefulStop),
    exec,
    env: stringMap(where, 'env', raw.env),
    tags: stringMap(where, 'tags', raw.tags),
    vus: 0,
    iterations: 0,
    maxDuration: 0,
    duration: 0,
    startVUs: 0,
    stages: [],
    gracefulRampDown: 0,
    rate: 0,
    startRate: 0,
    timeUnit: 1000,
    preAllocatedVUs: 0,
    maxVUs: 0,
  };
  if (sc.startTime < 0) throw new ConfigError(`${where}: startTime must not be negative`);
  if (sc.gracefulStop < 0) throw new ConfigError(`${where}: gracefulStop must not be negative`);
  const bad = (msg: string) => new ConfigError(`${where}: ${msg}`);
  switch (ex) {
    case 'shared-iterations':
    case 'per-vu-iterations': {
      sc.vus = intOf(where, 'vus', raw.vus, 1);
      sc.iterations = intOf(where, 'iterations', raw.iterations, 1);
      sc.maxDuration =
        raw.maxDuration === undefined ? 600_000 : durationOf(`${where} maxDuration`, raw.maxDuration);
      if (sc.vus <= 0) throw bad('vus must be more than 0');
      if (sc.iterations <= 0) throw bad('iterations must be more than 0');
      if (ex === 'shared-iterations' && sc.iterations < sc.vus) {
        throw bad(`iterations (${sc.iterations}) must not be less than vus (${sc.vus})`);
      }
      if (sc.maxDuration < 1000) throw bad('maxDuration must be at least 1s');
      break;
    }
    case 'constant-vus': {
      sc.vus = intOf(where, 'vus', raw.vus, 1);
      if (raw.duration === undefined) throw bad('duration is required');
      sc.duration = durationOf(`${where} duration`, raw.duration);
      if (sc.vus <= 0) throw bad('vus must be more than 0');
      if (sc.duration < 1000) throw bad('duration must be at least 1s');
      break;
    }
    case 'ramping-vus': {
      sc.startVUs = intOf(where, 'startVUs', raw.startVUs, 1);
      if (sc.startVUs < 0) throw bad('startVUs must not be negative');
      sc.stages = stagesOf(where, raw.stages);
      sc.gracefulRampDown =
        raw.gracefulRampDown === undefined
          ? 30_000
          : durationOf(`${where} gracefulRampDown`, raw.gracefulRampDown);
      if (sc.gracefulRampDown < 0) throw bad('gracefulRampDown must not be negative');
      if (sc.stages.reduce((a, s) => a + s.duration, 0) === 0)
        throw bad('the total duration of the stages must be more than 0');
      if (Math.max(sc.startVUs, ...sc.stages.map((s) => s.target)) === 0)
        throw bad('at least one stage needs a target above 0');
      break;
    }
    case 'constant-arrival-rate':
    case 'ramping-arrival-rate': {
      sc.timeUnit = raw.timeUnit === undefined ? 1000 : durationOf(`${where} timeUnit`, raw.timeUnit);
      if (sc.timeUnit <= 0) throw bad('timeUnit must be more than 0');
      sc.preAllocatedVUs = intOf(where, 'preAllocatedVUs', raw.preAllocatedVUs);
      if (sc.preAllocatedVUs < 0) throw bad('preAllocatedVUs must not be negative');
      sc.maxVUs = intOf(where, 'maxVUs', raw.maxVUs, sc.preAllocatedVUs);
      if (sc.maxVUs < sc.preAllocatedVUs) throw bad('maxVUs must not be less than preAllocatedVUs');
      if (sc.maxVUs === 0) throw bad('maxVUs must be more than 0');
      if (ex === 'constant-arrival-rate') {
        sc.rate = intOf(where, 'rate', raw.rate);
        if (sc.rate <= 0) throw bad('rate must be more than 0');
        if (raw.duration === undefined) throw bad('duration is required');
        sc.duration = durationOf(`${where} duration`, raw.duration);
        if (sc.duration < 1000) throw bad('duration must be at least 1s');
      } else {
        sc.startRate = intOf(where, 'startRate', raw.startRate, 0);
        if (sc.startRate < 0) throw bad('startRate must not be negative');
        sc.stages = stagesOf(where, raw.stages);
        if (sc.stages.reduce((a, s) => a + s.duration, 0) === 0)
          throw bad('the total duration of the stages must be more than 0');
      }
      break;
    }
  }
  return sc;
}

/** Consolidated options -> validated scenarios, in declaration order. */
export function scenariosOf(opts: Options, exported?: string[], warn?: (msg: string) => void): Scenario[] {
  const raw = deriveScenarios(opts, warn);
  return Object.entries(raw).map(([name, s]) => normalizeScenario(name, s, exported, warn));
}

/** Checks of options outside the scenarios. */
export function validateOptions(opts: Options): void {
  if (opts.vus !== undefined && (!Number.isInteger(opts.vus) || opts.vus < 0)) {
    throw new ConfigError(`vus must be a non-negative integer, got ${JSON.stringify(opts.vus)}`);
  }
  if (opts.iterations !== undefined && (!Number.isInteger(opts.iterations) || opts.iterations < 0)) {
    throw new ConfigError(
      `iterations must be a non-negative integer, got ${JSON.stringify(opts.iterations)}`,
    );
  }
  for (const k of ['setupTimeout', 'teardownTimeout', 'minIterationDuration'] as const) {
    if (opts[k] !== undefined) durationOf(k, opts[k]);
  }
  const unit = opts.summaryTimeUnit;
  if (unit !== undefined && unit !== '' && !['s', 'ms', 'us'].includes(unit)) {
    throw new ConfigError(`summaryTimeUnit must be one of s, ms, us; got "${unit}"`);
  }
  const stats = opts.summaryTrendStats;
  if (stats !== undefined) {
    if (!Array.isArray(stats)) throw new ConfigError('summaryTrendStats must be a list');
    const bad = checkTrendStats(stats);
    if (bad) throw new ConfigError(`summaryTrendStats: ${bad}`);
  }
  if (
    opts.thresholds !== undefined &&
    (typeof opts.thresholds !== 'object' || Array.isArray(opts.thresholds))
  ) {
    throw new ConfigError('thresholds must be an object');
  }
  if (opts.scenarios !== undefined && opts.scenarios !== null && typeof opts.scenarios !== 'object') {
    throw new ConfigError('scenarios must be an object');
  }
  // The hosts, TLS and DNS settings are checked by building them, as each VU thread will.
  try {
    new HostOverrides((opts as { hosts?: unknown }).hosts);
    new TLSOptions(opts as Record<string, unknown>);
    parseDNS(opts.dns);
  } catch (e) {
    throw new ConfigError((e as Error).message);
  }
}

/** Parse a stage string from `-s` / K6_STAGES: "30s:10" (the target defaults to 0). */
export function parseStage(text: string): StageOption {
  const [d, t, ...rest] = text.split(':');
  if (rest.length > 0 || d === undefined || d.trim() === '') throw new Error(`invalid stage "${text}"`);
  try {
    parseDuration(d.trim());
  } catch {
    throw new Error(`invalid stage "${text}": bad duration`);
  }
  const target = t === undefined || t.trim() === '' ? 0 : Number(t);
  if (!Number.isInteger(target) || target < 0) throw new Error(`invalid stage "${text}": bad target`);
  return { duration: d.trim(), target };
}
