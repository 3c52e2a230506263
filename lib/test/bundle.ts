// Evaluates a k6 entry script under Node the way k6's options pass does (__VU = 0, init code only), with
// stand-ins for the k6 modules that record what init declares (custom metrics) and refuse what init may
// not do (requests, sleeps). Lets node:test check options, exports and metrics without a k6 binary.
import { build, type Plugin } from 'esbuild';
import { createHmac, randomBytes } from 'node:crypto';
import vm from 'node:vm';

export interface DeclaredMetric {
  name: string;
  type: 'counter' | 'gauge' | 'rate' | 'trend';
  isTime: boolean;
}

export interface Evaluated {
  exports: Record<string, unknown>;
  /** Switches the stand-ins to VU mode; what they record lands in `recorded`. */
  enterVU(hooks: VUHooks): void;
  recorded: Recorded;
  /** `options` as k6 reads it: through JSON. */
  options: Record<string, unknown>;
  metrics: DeclaredMetric[];
  /** The k6 modules the script imports. */
  modules: string[];
  logs: string[];
}

// In init the stand-ins refuse what k6 refuses. Once a test sets `__k6.vu` (see VUHooks) they act as a VU:
// requests, sleeps and metric samples go to the hooks, checks are evaluated and recorded.
const STUBS: Record<string, string> = {
  k6: `
    const vu = (what) => { const h = globalThis.__k6.vu; if (!h) throw new Error(what + ' is not allowed in init code'); return h; };
    export const check = (val, sets, tags) => {
      vu('check');
      let all = true;
      for (const [name, fn] of Object.entries(sets)) {
        const ok = !!(typeof fn === 'function' ? fn(val) : fn);
        globalThis.__k6.checks.push({ name, ok });
        all = all && ok;
      }
      return all;
    };
    export const sleep = (s) => vu('sleep').sleep(s);
    export const group = (n, fn) => { vu('group'); return fn(); };
    export const fail = (m) => { throw new Error(m); };
    export default { check, sleep, group, fail };`,
  'k6/metrics': `
    const declare = (type) => class {
      constructor(name, isTime = false) { this.name = name; globalThis.__k6.metrics.push({ name, type, isTime: !!isTime }); }
      add(value, tags) {
        if (!globalThis.__k6.vu) throw new Error('Metric.add is not allowed in init code');
        globalThis.__k6.samples.push({ metric: this.name, value: Number(value), tags: { ...(tags || {}) } });
        return true;
      }
    };
    export const Counter = declare('counter');
    export const Gauge = declare('gauge');
    export const Rate = declare('rate');
    export const Trend = declare('trend');`,
  'k6/http': `
    const http = {
      expectedStatuses: (...s) => ({ expectedStatuses: s }),
      setResponseCallback: () => {},
      request: (method, url, body, params) => {
        const h = globalThis.__k6.vu;
        if (!h) throw new Error('http.request is not allowed in init code');
        return h.request(method, url, body, params);
      },
    };
    export const expectedStatuses = http.expectedStatuses;
    export default http;`,
  'k6/execution': `
    const hooks = () => { const h = globalThis.__k6.vu; if (!h) throw new Error('k6/execution: no VU in init code'); return h; };
    export default {
      get vu() { return { idInTest: hooks().id }; },
      get scenario() { return { startTime: hooks().scenarioStart }; },
      test: { abort: (m) => { throw new Error('test aborted: ' + m); }, options: {} },
    };`,
  'k6/ws': `
    export const connect = (url, params, fn) => {
      const h = globalThis.__k6.vu;
      if (!h) throw new Error('ws.connect is not allowed in init code');
      if (!h.connect) throw new Error('this test gave no ws.connect hook');
      return h.connect(url, params, fn);
    };
    export default { connect };`,
  'k6/encoding': `export default { b64encode: (s) => btoa(s) };`,
  // HMAC and random bytes come from node:crypto through __k6; bytes are rebuilt in the script's realm.
  'k6/crypto': `
    export const hmac = (alg, key, data, enc) => globalThis.__k6.hmac(alg, key, data, enc);
    export const randomBytes = (n) => new Uint8Array(globalThis.__k6.randomBytes(n)).buffer;
    export default { hmac, randomBytes };`,
};

/** What a test plugs in to run VU code (iterations, setup) under the stand-ins. */
export interface VUHooks {
  id: number;
  scenarioStart: number;
  request(method: string, url: string, body: unknown, params: Record<string, unknown>): unknown;
  sleep(seconds: number): void;
  /** k6/ws's connect; without it a dial throws. */
  connect?(url: string, params: unknown, fn: (socket: unknown) => void): unknown;
}

export interface Recorded {
  samples: Array<{ metric: string; value: number; tags: Record<string, string> }>;
  checks: Array<{ name: string; ok: boolean }>;
}

function stubPlugin(modules: Set<string>): Plugin {
  return {
    name: 'k6-stubs',
    setup(b) {
      b.onResolve({ filter: /^k6(\/.*)?$/ }, (args) => {
        modules.add(args.path);
        return { path: args.path, namespace: 'k6-stub' };
      });
      b.onLoad({ filter: /.*/, namespace: 'k6-stub' }, (args) => {
        const contents = STUBS[args.path];
        if (contents === undefined) return { errors: [{ text: `no stand-in for ${args.path}` }] };
        return { contents, loader: 'js' };
      });
    },
  };
}

/**
 * Bundles `entry` (a tests/*.ts file, or `{ source, resolveDir }` for a few lines of glue) with the
 * stand-ins and runs its init code with `env` as __ENV.
 */
export async function evaluate(
  entry: string | { source: string; resolveDir: string },
  env: Record<string, string>,
  /** Globals the k6 release under test has (k6 v0.51+ has setTimeout). */
  globals: Record<string, unknown> = {},
): Promise<Evaluated> {
  const modules = new Set<string>();
  const out = await build({
    ...(typeof entry === 'string'
      ? { entryPoints: [entry] }
      : { stdin: { contents: entry.source, resolveDir: entry.resolveDir, loader: 'ts' as const } }),
    bundle: true,
    write: false,
    format: 'iife',
    globalName: '__script',
    platform: 'neutral',
    target: 'es2017',
    plugins: [stubPlugin(modules)],
    logLevel: 'silent',
  });
  const logs: string[] = [];
  const log = (...a: unknown[]) => logs.push(a.map(String).join(' '));
  const context = vm.createContext({
    __ENV: { ...env },
    __VU: 0,
    __ITER: 0,
    __k6: {
      metrics: [] as DeclaredMetric[],
      samples: [],
      checks: [],
      vu: undefined as VUHooks | undefined,
      hmac: (alg: string, key: string, data: string, enc: string) => {
        if (alg !== 'sha256' || enc !== 'hex')
          throw new Error(`stand-in hmac supports sha256/hex, got ${alg}/${enc}`);
        return createHmac('sha256', key).update(data).digest('hex');
      },
      randomBytes: (n: number) => [...randomBytes(n)],
    },
    console: { log, info: log, warn: log, error: log, debug: log },
    btoa,
    ...globals,
  });
  vm.runInContext(out.outputFiles[0].text, context, {
    filename: typeof entry === 'string' ? entry : 'stdin.ts',
  });
  const exports = { ...(context.__script as Record<string, unknown>) };
  const k6 = context.__k6 as { vu?: VUHooks } & Recorded;
  return {
    exports,
    enterVU(hooks: VUHooks) {
      k6.vu = hooks;
    },
    recorded: k6,
    options: exports.options === undefined ? {} : JSON.parse(JSON.stringify(exports.options)),
    metrics: JSON.parse(JSON.stringify(context.__k6.metrics)) as DeclaredMetric[],
    modules: [...modules].sort(),
    logs,
  };
}
