// Reads the exported `options` of a built k6 bundle (build/tests/*.js) under Node, without k6.
//
// The bundle imports k6 modules, which do not exist here: esbuild re-bundles it with every `k6*` and remote
// import pointed at a module whose exports (the names the bundle imports) are one stand-in that accepts any
// use (new Counter(...), http.expectedStatuses(...)); the result runs once in a fresh V8 context with __ENV,
// __VU = 0 and open(), as k6's options pass does.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';

export type Options = Record<string, unknown>;
export type Scenario = Record<string, unknown> & { executor: string };

export class BundleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BundleError';
  }
}

/** Callable, constructible, every property another stand-in; turns into 0 or '' when used as a value. */
function standIn(): unknown {
  const target = function () {};
  return new Proxy(target, {
    get(_t, prop) {
      if (prop === Symbol.toPrimitive) return (hint: string) => (hint === 'number' ? 0 : '');
      if (prop === 'then') return undefined;
      if (prop === 'length') return 0;
      return standIn();
    },
    apply: () => standIn(),
    construct: () => standIn() as object,
  });
}

const STAND_IN = /^(k6(\/.*)?|https?:\/\/.*)$/;

/** Names the bundle imports from each stand-in module (esbuild writes imports in a regular form). */
export function importedNames(code: string): Map<string, Set<string>> {
  const names = new Map<string, Set<string>>();
  for (const m of code.matchAll(/\bimport\s+([\w$\s{},*]+?)\s+from\s*["']([^"']+)["']/g)) {
    const [, clause, spec] = m;
    if (!STAND_IN.test(spec)) continue;
    const set = names.get(spec) ?? new Set<string>();
    names.set(spec, set);
    for (const part of /\{([^}]*)\}/.exec(clause)?.[1].split(',') ?? []) {
      const name = part.trim().split(/\s+as\s+/)[0];
      if (name && name !== 'default') set.add(name);
    }
  }
  return names;
}

export async function readBundleOptions(bundle: string, env: Record<string, string>): Promise<Options> {
  let code: string;
  try {
    const names = importedNames(readFileSync(bundle, 'utf8'));
    const out = await build({
      entryPoints: [bundle],
      bundle: true,
      write: false,
      format: 'cjs',
      platform: 'neutral',
      logLevel: 'silent',
      plugins: [
        {
          name: 'k6-stand-in',
          setup(b) {
            b.onResolve({ filter: STAND_IN }, (a) => ({ path: a.path, namespace: 'k6' }));
            b.onLoad({ filter: /.*/, namespace: 'k6' }, (a) => ({
              contents: [
                'const s = globalThis.__k6StandIn;',
                'export default s;',
                ...[...(names.get(a.path) ?? [])].map((n) => `export const ${n} = s;`),
              ].join('\n'),
              loader: 'js',
            }));
          },
        },
      ],
    });
    code = out.outputFiles[0].text;
  } catch (err) {
    throw new BundleError(`cannot read ${bundle}: ${(err as Error).message.split('\n')[0]}`);
  }
  const module = { exports: {} as Record<string, unknown> };
  const dir = path.dirname(path.resolve(bundle));
  const context = vm.createContext({
    module,
    exports: module.exports,
    __ENV: { ...env },
    __VU: 0,
    __ITER: 0,
    __k6StandIn: standIn(),
    open: (file: string) => readFileSync(path.resolve(dir, file), 'utf8'),
    console: { log() {}, info() {}, warn() {}, error() {}, debug() {} },
  });
  try {
    vm.runInContext(code, context, { filename: bundle, timeout: 5000 });
  } catch (err) {
    throw new BundleError(`${bundle} failed in its init code: ${(err as Error).message}`);
  }
  const options = module.exports.options;
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null)
    throw new BundleError(`${bundle} exports options that are not an object`);
  return JSON.parse(JSON.stringify(options)) as Options;
}

/** The scenarios k6 derives from options, shortcuts (iterations, duration, stages) included. */
export function scenariosOf(options: Options): Record<string, Scenario> {
  if (options.scenarios && typeof options.scenarios === 'object') {
    return options.scenarios as Record<string, Scenario>;
  }
  const vus = typeof options.vus === 'number' ? options.vus : 1;
  if (options.iterations !== undefined) {
    const s: Scenario = { executor: 'shared-iterations', vus, iterations: options.iterations };
    if (options.duration !== undefined) s.maxDuration = options.duration;
    return { default: s };
  }
  if (options.duration !== undefined)
    return { default: { executor: 'constant-vus', vus, duration: options.duration } };
  if (Array.isArray(options.stages) && options.stages.length > 0) {
    return { default: { executor: 'ramping-vus', startVUs: vus, stages: options.stages } };
  }
  return { default: { executor: 'shared-iterations', vus, iterations: 1 } };
}
