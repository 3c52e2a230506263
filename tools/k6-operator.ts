// `make k6-operator TEST=load PARALLELISM=4`: writes a ConfigMap holding the bundle and a k6-operator TestRun
// under build/k6-operator/, after checking that every instance gets a useful share of each scenario.
//
//   node tools/k6-operator.mjs <test> <parallelism>
//
// Environment: the suite's settings (RATE, DURATION, VUS, BOT_FLOW_ID, ... see suite-env.ts) go to every
// instance with -e, with INSTANCES=<parallelism> so the suite plans for one token per instance; K6_OPERATOR_IMAGE
// (pinned k6 image), K6_OPERATOR_SECRET (Secret with the Genesys credentials), K6_OPERATOR_NAMESPACE,
// SEPARATE=1 (one instance per node), K6_OPERATOR_OUT (another output folder than build/k6-operator).
// Exit 2: bad input; exit 1: the split does not fit.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { UsageError, locateBundle, root } from './bundle-path.ts';
import { BundleError, readBundleOptions, scenariosOf } from './bundle-options.ts';
import { splitScenarios, type Split } from './split.ts';
import { SETTINGS, settingsFrom } from './suite-env.ts';

/** The k6 release the suite is checked against; nightly.yml installs the same one. */
export const K6_VERSION = '2.2.0';
export const DEFAULT_IMAGE = `grafana/k6:${K6_VERSION}`;
export const DEFAULT_SECRET = 'genesys-cloud-credentials';
/** What the credentials Secret holds; the pods get every key of it as an environment variable. */
export const SECRET_KEYS = [
  'GENESYSCLOUD_REGION',
  'GENESYSCLOUD_OAUTHCLIENT_ID',
  'GENESYSCLOUD_OAUTHCLIENT_SECRET',
];
/** A ConfigMap holds at most 1 MiB, metadata included. */
export const CONFIGMAP_LIMIT = 1_048_576 - 16_384;

export interface OperatorInput {
  test: string;
  parallelism: number;
  bundleFile: string;
  bundle: string;
  sourceMap?: string;
  image: string;
  secret: string;
  namespace?: string;
  separate: boolean;
  /** -e values for every instance. */
  vars: Record<string, string>;
}

export function resourceName(test: string): string {
  return `genesys-k6-${test}`;
}

/** An image reference with an exact tag or a digest: `latest` or no tag would change under the test. */
export function checkImage(image: string): string {
  const pinned = /@sha256:[0-9a-f]{64}$/.test(image) || /:(v?\d+\.\d+\.\d+[\w.-]*)$/.test(image);
  if (!pinned) {
    throw new UsageError(
      `K6_OPERATOR_IMAGE=${image} is not pinned: give an exact version tag (grafana/k6:${K6_VERSION}) or a digest (@sha256:...)`,
    );
  }
  return image;
}

export function parseParallelism(text: string | undefined): number {
  if (text === undefined || text.trim() === '')
    throw new UsageError('PARALLELISM is not set: give the number of k6 instances, e.g. PARALLELISM=4');
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 1000) {
    throw new UsageError(`PARALLELISM must be a whole number from 1 to 1000, got "${text}"`);
  }
  return n;
}

/** The -e values every instance gets; the operator splits `arguments` on spaces, so none may hold one. */
export function passthroughVars(
  env: Record<string, string | undefined>,
  test: string,
  parallelism = 1,
): Record<string, string> {
  const vars: Record<string, string> = { TEST_NAME: test, INSTANCES: String(parallelism) };
  for (const [name, v] of Object.entries(settingsFrom(env, SETTINGS))) {
    if (!/^[\w.:/%+-]+$/.test(v)) {
      throw new UsageError(
        `${name}="${v}" cannot be passed to the instances: use letters, digits and . : / % + - only`,
      );
    }
    vars[name] = v;
  }
  return vars;
}

/** The bundle without its closing `//# sourceMappingURL=` comment. */
export function withoutMapLink(bundle: string): string {
  return bundle.replace(/\n\/\/# sourceMappingURL=[^\n]*\n?$/, '\n');
}

export function buildManifests(input: OperatorInput): { configMap: object; testRun: object } {
  const name = resourceName(input.test);
  const file = `${input.test}.js`;
  const metadata = (extra: object = {}) => ({
    name,
    ...(input.namespace ? { namespace: input.namespace } : {}),
    labels: { 'app.kubernetes.io/part-of': 'genesys-cloud-k6-suite', 'genesys-k6/test': input.test },
    ...extra,
  });
  // A bundle naming a map that is not beside it makes k6 log `level=warning ... error="..."`, and k6-operator's
  // initializer fails on any log line matching `level.*error`: without its map, the bundle goes in unlinked.
  const data: Record<string, string> = {
    [file]: input.sourceMap === undefined ? withoutMapLink(input.bundle) : input.bundle,
  };
  if (input.sourceMap !== undefined) data[`${file}.map`] = input.sourceMap;
  const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: metadata(), data };
  const args = [
    '--tag',
    `test=${input.test}`,
    ...Object.entries(input.vars).flatMap(([k, v]) => ['-e', `${k}=${v}`]),
  ];
  const testRun = {
    apiVersion: 'k6.io/v1alpha1',
    kind: 'TestRun',
    metadata: metadata(),
    spec: {
      parallelism: input.parallelism,
      separate: input.separate,
      script: { configMap: { name, file } },
      arguments: args.join(' '),
      runner: {
        image: input.image,
        // Every key of the Secret becomes a variable: region and client credentials never enter a manifest.
        envFrom: [{ secretRef: { name: input.secret } }],
      },
    },
  };
  return { configMap, testRun };
}

function table(split: Split): string[] {
  const lines: string[] = [];
  for (const s of split.scenarios) {
    const rate = s.rates?.length ? ` at ${s.rates.join(' → ')} per ${s.timeUnit}` : '';
    lines.push(`  ${s.name} (${s.executor}${rate}):`);
    for (const i of s.instances) {
      const parts = [
        `${i.vus} VU${i.vus === 1 ? '' : 's'}${i.maxVUs !== i.vus ? ` (up to ${i.maxVUs})` : ''}`,
      ];
      if (i.rates) parts.push(`${i.rates.join(' → ')} iterations per ${s.timeUnit}`);
      if (i.iterations !== undefined) parts.push(`${i.iterations} iteration${i.iterations === 1 ? '' : 's'}`);
      lines.push(`    instance ${i.instance}: ${parts.join(', ')}`);
    }
  }
  return lines;
}

function kubectlCommands(input: OperatorInput, files: { configMap: string; testRun: string }): string[] {
  const ns = input.namespace ? ` -n ${input.namespace}` : '';
  const name = resourceName(input.test);
  return [
    `# once per cluster/namespace: the Genesys credentials, read from this shell's variables`,
    `kubectl create secret generic ${input.secret}${ns} \\`,
    ...SECRET_KEYS.map((k, i) => `  --from-literal=${k}="$${k}"${i < SECRET_KEYS.length - 1 ? ' \\' : ''}`),
    `# the bundle (server-side apply: a client-side apply annotation cannot hold a large script)`,
    `kubectl apply --server-side -f ${files.configMap}`,
    `kubectl apply -f ${files.testRun}`,
    `kubectl get testrun ${name}${ns} -w`,
    `kubectl logs${ns} -l k6_cr=${name} --prefix --tail=-1`,
    `kubectl delete -f ${files.testRun}   # before the next run of the same test`,
  ];
}

export async function main(argv: string[], env: Record<string, string | undefined>): Promise<number> {
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const fail = (line: string) => process.stderr.write(`k6-operator: ${line}\n`);
  try {
    const [target, parallelismText] = argv;
    const { test, bundleFile, bundlePath } = locateBundle(
      target,
      'node tools/k6-operator.mjs <test> <parallelism> (make k6-operator TEST=load PARALLELISM=4)',
    );
    const parallelism = parseParallelism(parallelismText);
    const image = checkImage(env.K6_OPERATOR_IMAGE?.trim() || DEFAULT_IMAGE);
    const separate = /^(1|true|yes)$/i.test(env.SEPARATE?.trim() ?? '');
    const vars = passthroughVars(env, test, parallelism);

    // Options as k6-operator's initializer computes them: `k6 archive` gives init the -e values and not the
    // pod's environment (the Secret's keys), and the runners' init reads no credential either.
    const options = await readBundleOptions(bundlePath, vars).catch((err: Error) => {
      // The instances would stop the same way; the fix is a variable in this shell, passed on with -e.
      throw err instanceof BundleError
        ? new BundleError(
            `${err.message} (the instances would read the same settings, passed on from this shell)`,
          )
        : err;
    });
    const split = splitScenarios(scenariosOf(options), parallelism);

    say(
      `${test} over ${parallelism} k6 instance${parallelism > 1 ? 's' : ''} (k6 execution segments, striped):`,
    );
    for (const line of table(split)) say(line);
    if (split.problems.length > 0) {
      for (const p of split.problems) fail(p);
      fail(`nothing written: lower PARALLELISM or raise the load so every instance has work`);
      return 1;
    }

    const bundle = readFileSync(bundlePath, 'utf8');
    if (Buffer.byteLength(bundle) > CONFIGMAP_LIMIT) {
      fail(
        `${bundleFile} is ${Buffer.byteLength(bundle)} bytes; a ConfigMap holds about ${CONFIGMAP_LIMIT}: use a volumeClaim`,
      );
      return 1;
    }
    let sourceMap: string | undefined;
    if (existsSync(`${bundlePath}.map`)) {
      const map = readFileSync(`${bundlePath}.map`, 'utf8');
      // Stack traces point into tests/ and lib/ when it fits; the test runs the same without it.
      if (Buffer.byteLength(bundle) + Buffer.byteLength(map) <= CONFIGMAP_LIMIT) sourceMap = map;
    }
    const input: OperatorInput = {
      test,
      parallelism,
      bundleFile,
      bundle,
      sourceMap,
      image,
      secret: env.K6_OPERATOR_SECRET?.trim() || DEFAULT_SECRET,
      namespace: env.K6_OPERATOR_NAMESPACE?.trim() || undefined,
      separate,
      vars,
    };
    const { configMap, testRun } = buildManifests(input);
    // Relative to the repository, as printed in the kubectl commands.
    const outDir = env.K6_OPERATOR_OUT?.trim() || path.join('build', 'k6-operator');
    mkdirSync(path.resolve(root, outDir), { recursive: true });
    const files = {
      configMap: path.join(outDir, `${test}-configmap.yaml`),
      testRun: path.join(outDir, `${test}-testrun.yaml`),
    };
    writeFileSync(path.resolve(root, files.configMap), YAML.stringify(configMap, { lineWidth: 0 }));
    writeFileSync(path.resolve(root, files.testRun), YAML.stringify(testRun, { lineWidth: 0 }));

    say(
      `wrote ${files.configMap} and ${files.testRun} (image ${image}${separate ? ', one instance per node' : ''})`,
    );
    if (parallelism > 1) {
      say(
        `setup() runs on each of the ${parallelism} instances, so the test holds ${parallelism} OAuth tokens: ` +
          `per-token rate limits add up ${parallelism}x, per-org limits do not grow.`,
      );
    }
    say('');
    for (const line of kubectlCommands(input, files)) say(line);
    return 0;
  } catch (err) {
    if (err instanceof UsageError || err instanceof BundleError) {
      fail(err.message);
      return 2;
    }
    throw err;
  }
}
