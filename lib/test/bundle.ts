// Evaluates a k6 entry script under Node the way k6's options pass does (__VU = 0, init code only), with
// stand-ins for the k6 modules that record what init declares (custom metrics) and refuse what init may
// not do (requests, sleeps). Lets node:test check options, exports and metrics without a k6 binary.
import { build, type Plugin } from 'esbuild';
import vm from 'node:vm';

export interface DeclaredMetric {
  name: string;
  type: 'counter' | 'gauge' | 'rate' | 'trend';
  isTime: boolean;
}

export interface Evaluated {
  exports: Record<string, unknown>;
  /** `options` as k6 reads it: through JSON. */
  options: Record<string, unknown>;
  metrics: DeclaredMetric[];
  /** The k6 modules the script imports. */
  modules: string[];
  logs: string[];
}

const STUBS: Record<string, string> = {
  k6: `
    const notInInit = (what) => () => { throw new Error(what + ' is not allowed in init code'); };
    export const check = notInInit('check');
    export const sleep = notInInit('sleep');
    export const group = notInInit('group');
    export const fail = (m) => { throw new Error(m); };
    export default { check, sleep, group, fail };`,
  'k6/metrics': `
    const declare = (type) => class {
      constructor(name, isTime = false) { this.name = name; globalThis.__k6.metrics.push({ name, type, isTime: !!isTime }); }
      add() { throw new Error('Metric.add is not allowed in init code'); }
    };
    export const Counter = declare('counter');
    export const Gauge = declare('gauge');
    export const Rate = declare('rate');
    export const Trend = declare('trend');`,
  'k6/http': `
    const http = {
      expectedStatuses: (...s) => ({ expectedStatuses: s }),
      setResponseCallback: () => {},
      request: () => { throw new Error('http.request is not allowed in init code'); },
    };
    export const expectedStatuses = http.expectedStatuses;
    export default http;`,
  'k6/execution': `
    const noVU = () => { throw new Error('k6/execution: no VU in init code'); };
    export default {
      get vu() { return noVU(); },
      get scenario() { return noVU(); },
      test: { abort: (m) => { throw new Error('test aborted: ' + m); }, options: {} },
    };`,
  'k6/encoding': `export default { b64encode: (s) => btoa(s) };`,
};

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

/** Bundles `entry` (a tests/*.ts file) with the stand-ins and runs its init code with `env` as __ENV. */
export async function evaluate(entry: string, env: Record<string, string>): Promise<Evaluated> {
  const modules = new Set<string>();
  const out = await build({
    entryPoints: [entry],
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
    __k6: { metrics: [] as DeclaredMetric[] },
    console: { log, info: log, warn: log, error: log, debug: log },
    btoa,
  });
  vm.runInContext(out.outputFiles[0].text, context, { filename: entry });
  const exports = { ...(context.__script as Record<string, unknown>) };
  return {
    exports,
    options: exports.options === undefined ? {} : JSON.parse(JSON.stringify(exports.options)),
    metrics: JSON.parse(JSON.stringify(context.__k6.metrics)) as DeclaredMetric[],
    modules: [...modules].sort(),
    logs,
  };
}
