// `runner run` flags and the K6_* environment variables, each turned into an options layer plus the runtime
// settings that are not script options (summary export, outputs, colours).
import { parseDuration } from './duration.ts';
import { ConfigError, DEFAULT_TREND_STATS, parseStage, type Options } from './options.ts';
import { dnsFields } from './modules/dns.ts';

/** Unknown flags and unparsable flag values: k6 (cobra) exits with -1, i.e. 255. */
export class UsageError extends Error {
  readonly exitCode = 255;
}

export interface Runtime {
  /** -e K=V, applied over the system environment */
  env: Record<string, string>;
  includeSystemEnv: boolean;
  summaryExport?: string;
  out: string[];
  noThresholds: boolean;
  noSummary: boolean;
  quiet: boolean;
  noColor: boolean;
  webDashboard: boolean;
  webDashboardExport?: string;
  /** K6_WEB_DASHBOARD_PORT as given: k6 serves the live dashboard there unless it is -1 */
  webDashboardPort?: string;
}

export interface Parsed {
  options: Options;
  runtime: Partial<Runtime> & { env: Record<string, string>; out: string[] };
  args: string[];
}

type Kind = 'int' | 'duration' | 'string' | 'bool' | 'stage' | 'kv' | 'list';
interface Spec {
  long: string;
  short?: string;
  kind: Kind;
  apply: (p: Parsed, v: unknown) => void;
}

const opt =
  (key: string) =>
  (p: Parsed, v: unknown): void => {
    p.options[key] = v;
  };
const rt =
  (key: keyof Runtime) =>
  (p: Parsed, v: unknown): void => {
    (p.runtime as Record<string, unknown>)[key] = v;
  };

const ENV_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

// K6_DNS and --dns as the option's fields; a malformed value stays text, to fail with the other options.
function dnsOption(text: string): Record<string, string> | string {
  try {
    return dnsFields(text);
  } catch {
    return text;
  }
}

const SPECS: Spec[] = [
  { long: 'vus', short: 'u', kind: 'int', apply: opt('vus') },
  { long: 'duration', short: 'd', kind: 'duration', apply: opt('duration') },
  { long: 'iterations', short: 'i', kind: 'int', apply: opt('iterations') },
  {
    long: 'stage',
    short: 's',
    kind: 'stage',
    apply: (p, v) => {
      p.options.stages = [...((p.options.stages as unknown[]) ?? []), v] as Options['stages'];
    },
  },
  {
    long: 'env',
    short: 'e',
    kind: 'kv',
    apply: (p, v) => {
      const [k, val] = v as [string, string];
      if (!ENV_NAME.test(k)) throw new UsageError(`invalid environment variable name "${k}" in --env`);
      p.runtime.env[k] = val;
    },
  },
  {
    long: 'tag',
    kind: 'kv',
    apply: (p, v) => {
      const [k, val] = v as [string, string];
      p.options.tags = { ...(p.options.tags ?? {}), [k]: val };
    },
  },
  { long: 'summary-export', kind: 'string', apply: rt('summaryExport') },
  {
    long: 'out',
    short: 'o',
    kind: 'string',
    apply: (p, v) => {
      p.runtime.out.push(v as string);
    },
  },
  { long: 'no-thresholds', kind: 'bool', apply: rt('noThresholds') },
  { long: 'no-summary', kind: 'bool', apply: rt('noSummary') },
  { long: 'summary-trend-stats', kind: 'list', apply: opt('summaryTrendStats') },
  { long: 'summary-time-unit', kind: 'string', apply: opt('summaryTimeUnit') },
  { long: 'quiet', short: 'q', kind: 'bool', apply: rt('quiet') },
  { long: 'no-color', kind: 'bool', apply: rt('noColor') },
  { long: 'no-setup', kind: 'bool', apply: opt('noSetup') },
  { long: 'no-teardown', kind: 'bool', apply: opt('noTeardown') },
  { long: 'include-system-env-vars', kind: 'bool', apply: rt('includeSystemEnv') },
  { long: 'no-connection-reuse', kind: 'bool', apply: opt('noConnectionReuse') },
  { long: 'no-vu-connection-reuse', kind: 'bool', apply: opt('noVUConnectionReuse') },
  { long: 'insecure-skip-tls-verify', kind: 'bool', apply: opt('insecureSkipTLSVerify') },
  { long: 'discard-response-bodies', kind: 'bool', apply: opt('discardResponseBodies') },
  { long: 'user-agent', kind: 'string', apply: opt('userAgent') },
  { long: 'dns', kind: 'string', apply: (p, v) => (p.options.dns = dnsOption(String(v))) },
  { long: 'system-tags', kind: 'list', apply: opt('systemTags') },
  { long: 'max-redirects', kind: 'int', apply: opt('maxRedirects') },
  { long: 'batch', kind: 'int', apply: opt('batch') },
  { long: 'batch-per-host', kind: 'int', apply: opt('batchPerHost') },
  { long: 'throw', short: 'w', kind: 'bool', apply: opt('throw') },
  { long: 'min-iteration-duration', kind: 'duration', apply: opt('minIterationDuration') },
];

function convert(spec: Spec, raw: string, label: string): unknown {
  const bad = (why: string) => new UsageError(`invalid argument "${raw}" for "${label}" flag: ${why}`);
  switch (spec.kind) {
    case 'int': {
      if (!/^-?\d+$/.test(raw.trim())) throw bad('not an integer');
      return Number(raw);
    }
    case 'duration': {
      try {
        parseDuration(raw);
      } catch {
        throw bad('not a duration');
      }
      return raw;
    }
    case 'stage':
      try {
        return parseStage(raw);
      } catch (e) {
        throw bad((e as Error).message);
      }
    case 'kv': {
      const i = raw.indexOf('=');
      if (i <= 0) throw bad('expected KEY=VALUE');
      return [raw.slice(0, i), raw.slice(i + 1)];
    }
    case 'list':
      return raw === '' ? [] : raw.split(',').map((s) => s.trim());
    case 'bool': {
      if (raw === 'true' || raw === '1') return true;
      if (raw === 'false' || raw === '0') return false;
      throw bad('not a boolean');
    }
    default:
      return raw;
  }
}

/** Parse the arguments after the sub-command. Positional arguments are returned in `args`. */
export function parseFlags(argv: string[]): Parsed {
  const p: Parsed = { options: {}, runtime: { env: {}, out: [] }, args: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      p.args.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      p.args.push(a);
      continue;
    }
    let spec: Spec | undefined;
    let inline: string | undefined;
    let label: string;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      inline = eq >= 0 ? a.slice(eq + 1) : undefined;
      spec = SPECS.find((s) => s.long === name);
      if (!spec) throw new UsageError(`unknown flag: --${name}`);
    } else {
      const name = a[1];
      spec = SPECS.find((s) => s.short === name);
      if (!spec) throw new UsageError(`unknown shorthand flag: '${name}' in ${a}`);
      if (a.length > 2) inline = a[2] === '=' ? a.slice(3) : a.slice(2);
    }
    label = spec.short ? `-${spec.short}, --${spec.long}` : `--${spec.long}`;
    let raw: string;
    if (spec.kind === 'bool') {
      raw = inline ?? 'true';
    } else if (inline !== undefined) {
      raw = inline;
    } else {
      if (i + 1 >= argv.length) throw new UsageError(`flag needs an argument: ${label}`);
      raw = argv[++i];
    }
    spec.apply(p, convert(spec, raw, label));
  }
  return p;
}

function envBool(name: string, v: string): boolean {
  if (/^(true|1)$/i.test(v)) return true;
  if (/^(false|0|)$/i.test(v)) return false;
  throw new ConfigError(`${name}: "${v}" is not a boolean`);
}

function envInt(name: string, v: string): number {
  if (!/^-?\d+$/.test(v.trim())) throw new ConfigError(`${name}: "${v}" is not an integer`);
  return Number(v);
}

/** The QuickJS builds RUNNER_QUICKJS picks from (runner/README.md). */
export const QUICKJS_BUILDS = ['bytecode', 'published', 'asyncify'];

/** K6_* variables: an options layer (between the script and the flags) and runtime settings. */
export function parseEnv(env: Record<string, string | undefined>): Parsed {
  const p: Parsed = { options: {}, runtime: { env: {}, out: [] }, args: [] };
  const get = (k: string): string | undefined => env[k];
  // Read when the VM modules load (vu/engine-jspi.ts, vu/vm.ts); a misspelt build would run the default.
  const build = get('RUNNER_QUICKJS');
  if (build !== undefined && !QUICKJS_BUILDS.includes(build)) {
    throw new ConfigError(`RUNNER_QUICKJS: "${build}" is not one of ${QUICKJS_BUILDS.join(', ')}`);
  }
  const ints: [string, string][] = [
    ['K6_VUS', 'vus'],
    ['K6_ITERATIONS', 'iterations'],
    ['K6_MAX_REDIRECTS', 'maxRedirects'],
    ['K6_BATCH', 'batch'],
    ['K6_BATCH_PER_HOST', 'batchPerHost'],
  ];
  for (const [name, key] of ints) {
    const v = get(name);
    if (v !== undefined) p.options[key] = envInt(name, v);
  }
  const durations: [string, string][] = [
    ['K6_DURATION', 'duration'],
    ['K6_SETUP_TIMEOUT', 'setupTimeout'],
    ['K6_TEARDOWN_TIMEOUT', 'teardownTimeout'],
    ['K6_MIN_ITERATION_DURATION', 'minIterationDuration'],
  ];
  for (const [name, key] of durations) {
    const v = get(name);
    if (v === undefined) continue;
    try {
      parseDuration(v);
    } catch {
      throw new ConfigError(`${name}: "${v}" is not a duration`);
    }
    p.options[key] = v;
  }
  const stages = get('K6_STAGES');
  if (stages !== undefined && stages !== '') {
    try {
      p.options.stages = stages.split(',').map((s) => parseStage(s.trim()));
    } catch (e) {
      throw new ConfigError(`K6_STAGES: ${(e as Error).message}`);
    }
  }
  const bools: [string, string][] = [
    ['K6_NO_SETUP', 'noSetup'],
    ['K6_NO_TEARDOWN', 'noTeardown'],
    ['K6_NO_CONNECTION_REUSE', 'noConnectionReuse'],
    ['K6_NO_VU_CONNECTION_REUSE', 'noVUConnectionReuse'],
    ['K6_INSECURE_SKIP_TLS_VERIFY', 'insecureSkipTLSVerify'],
    ['K6_DISCARD_RESPONSE_BODIES', 'discardResponseBodies'],
    ['K6_THROW', 'throw'],
  ];
  for (const [name, key] of bools) {
    const v = get(name);
    if (v !== undefined) p.options[key] = envBool(name, v);
  }
  const ua = get('K6_USER_AGENT');
  if (ua !== undefined) p.options.userAgent = ua;
  const dnsText = get('K6_DNS');
  if (dnsText !== undefined) p.options.dns = dnsOption(dnsText);
  const st = get('K6_SUMMARY_TREND_STATS');
  if (st !== undefined)
    p.options.summaryTrendStats = st === '' ? DEFAULT_TREND_STATS : st.split(',').map((s) => s.trim());
  const tu = get('K6_SUMMARY_TIME_UNIT');
  if (tu !== undefined) p.options.summaryTimeUnit = tu;
  const sys = get('K6_SYSTEM_TAGS');
  if (sys !== undefined) p.options.systemTags = sys === '' ? [] : sys.split(',').map((s) => s.trim());
  const tags = get('K6_TAGS');
  if (tags !== undefined && tags !== '') {
    const out: Record<string, string> = {};
    for (const pair of tags.split(',')) {
      const i = pair.indexOf(':') >= 0 ? pair.indexOf(':') : pair.indexOf('=');
      if (i <= 0) throw new ConfigError(`K6_TAGS: "${pair}" is not key:value`);
      out[pair.slice(0, i).trim()] = pair.slice(i + 1).trim();
    }
    p.options.tags = out;
  }
  // The common NO_COLOR convention, which K6_NO_COLOR overrides either way.
  if (get('NO_COLOR')) p.runtime.noColor = true;
  const rtBools: [string, keyof Runtime][] = [
    ['K6_NO_THRESHOLDS', 'noThresholds'],
    ['K6_NO_SUMMARY', 'noSummary'],
    ['K6_QUIET', 'quiet'],
    ['K6_NO_COLOR', 'noColor'],
    ['K6_INCLUDE_SYSTEM_ENV_VARS', 'includeSystemEnv'],
    ['K6_WEB_DASHBOARD', 'webDashboard'],
  ];
  for (const [name, key] of rtBools) {
    const v = get(name);
    if (v !== undefined) (p.runtime as Record<string, unknown>)[key] = envBool(name, v);
  }
  const exp = get('K6_SUMMARY_EXPORT');
  if (exp) p.runtime.summaryExport = exp;
  const out = get('K6_OUT');
  if (out) p.runtime.out = out.split(',').map((s) => s.trim());
  const dash = get('K6_WEB_DASHBOARD_EXPORT');
  if (dash) p.runtime.webDashboardExport = dash;
  const port = get('K6_WEB_DASHBOARD_PORT');
  if (port) p.runtime.webDashboardPort = port.trim();
  return p;
}

/** Runtime settings: defaults < env < flags (a flag's `--out` replaces K6_OUT). */
export function runtimeOf(fromEnv: Parsed, fromFlags: Parsed): Runtime {
  const base: Runtime = {
    env: {},
    includeSystemEnv: true,
    out: [],
    noThresholds: false,
    noSummary: false,
    quiet: false,
    noColor: false,
    webDashboard: false,
  };
  const merged: Runtime = { ...base };
  for (const layer of [fromEnv.runtime, fromFlags.runtime]) {
    for (const [k, v] of Object.entries(layer)) {
      if (k === 'env' || k === 'out') continue;
      if (v !== undefined) (merged as unknown as Record<string, unknown>)[k] = v;
    }
  }
  merged.env = { ...fromEnv.runtime.env, ...fromFlags.runtime.env };
  merged.out = fromFlags.runtime.out.length > 0 ? fromFlags.runtime.out : fromEnv.runtime.out;
  return merged;
}
