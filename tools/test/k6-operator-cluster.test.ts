// How a cluster takes what `make k6-operator` writes: each TestRun (made with no GENESYSCLOUD_* in the shell)
// against the operator's CRD schema, and the operator's initializer job run as the cluster would run it, with
// each real k6, on every built bundle: its commands succeed, its log decodes as the operator decodes it, and
// the archive it makes holds no credential although the Secret is in the container's environment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import YAML from 'yaml';
import { DEFAULT_IMAGE, DEFAULT_SECRET, SECRET_KEYS, buildManifests } from '../k6-operator.ts';
import { loadCrd, testRunProblems } from './k6-operator-crd.ts';
import {
  archiveArgs,
  initializerJob,
  runInitializer,
  tarMember,
  type TestRun,
} from './k6-operator-initializer.ts';
import { durationMs, parseInspectOutput, type Inspected } from './inspect-output.ts';
import { unknownKeywords } from './openapi-schema.ts';
import { realK6sOrSkipReason } from './real-k6.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = path.join(root, 'tools', 'k6-operator.mjs');
const bundleDir = path.join(root, 'build', 'tests');
const bundles = existsSync(bundleDir)
  ? readdirSync(bundleDir)
      .filter((f) => f.endsWith('.js'))
      .map((f) => f.replace(/\.js$/, ''))
  : [];

// What the Secret holds, recognisable anywhere it could leak to. This process has it too, as the shell of
// someone who just created the Secret would: a helper handing its environment on would show as a leak.
const SECRET: Record<string, string> = {
  GENESYSCLOUD_REGION: 'mypurecloud.ie',
  GENESYSCLOUD_OAUTHCLIENT_ID: 'initializer-test-client-5c1e',
  GENESYSCLOUD_OAUTHCLIENT_SECRET: 'initializer-test-secret-7d2b',
};
Object.assign(process.env, SECRET);
const LEAKS = [SECRET.GENESYSCLOUD_OAUTHCLIENT_ID, SECRET.GENESYSCLOUD_OAUTHCLIENT_SECRET];

interface Generated {
  testRun: TestRun & Record<string, unknown>;
  configMap: { data: Record<string, string> };
}

/** make k6-operator with only PATH and HOME (and the settings given), at the first parallelism that fits. */
function generate(target: string, env: Record<string, string> = {}, tries = [4, 2, 1]): Generated {
  const out = mkdtempSync(path.join(os.tmpdir(), 'k6-operator-gen-'));
  const name = path.basename(target, '.js');
  for (const p of tries) {
    const r = spawnSync(process.execPath, [cli, target, String(p)], {
      cwd: root,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: os.homedir(), K6_OPERATOR_OUT: out, ...env },
      timeout: 60_000,
    });
    if (r.status === 1) continue; // the split leaves an instance idle: fewer instances
    assert.equal(r.status, 0, `make k6-operator ${name} ${p}: ${r.stderr}`);
    assert.equal(r.stderr, '', `make k6-operator ${name} ${p}`);
    const read = (f: string) => YAML.parse(readFileSync(path.join(out, `${name}-${f}.yaml`), 'utf8'));
    const generated = { testRun: read('testrun'), configMap: read('configmap') };
    rmSync(out, { recursive: true });
    return generated;
  }
  throw new Error(`${name} fits no parallelism of ${tries.join(', ')}`);
}

const generated = new Map<string, Generated>();
function generatedFor(test: string): Generated {
  if (!generated.has(test)) generated.set(test, generate(test));
  return generated.get(test)!;
}

test('the CRD fixture is k6-operator’s TestRun schema, in keywords the validator understands', () => {
  const crd = loadCrd();
  assert.equal(crd.apiVersion, 'k6.io/v1alpha1');
  assert.equal(crd.kind, 'TestRun');
  assert.deepEqual(unknownKeywords(crd.schema), []);
  const spec = crd.schema.properties!.spec;
  assert.deepEqual(spec.required, ['parallelism', 'script']);
  assert.equal(spec.properties!.runner, spec.properties!.initializer, 'one pod schema, written once');
});

test('make k6-operator needs no GENESYSCLOUD_* and every TestRun it writes is one the CRD takes', (t) => {
  if (bundles.length === 0) return t.skip('no bundles in build/tests (make build)');
  for (const name of bundles) {
    const { testRun } = generatedFor(name);
    assert.deepEqual(testRunProblems(testRun), [], name);
    assert.ok(!JSON.stringify(testRun).includes(SECRET.GENESYSCLOUD_OAUTHCLIENT_SECRET), name);
  }
  const every = generate('load', {
    RATE: '40',
    DURATION: '5m',
    SEPARATE: '1',
    K6_OPERATOR_NAMESPACE: 'perf-tests',
    K6_OPERATOR_SECRET: 'genesys-prod',
    K6_OPERATOR_IMAGE: `grafana/k6@sha256:${'0'.repeat(64)}`,
  });
  assert.deepEqual(testRunProblems(every.testRun), []);
});

test('the validator refuses a TestRun the server would refuse', () => {
  const good = () =>
    buildManifests({
      test: 'load',
      parallelism: 4,
      bundleFile: 'build/tests/load.js',
      bundle: 'export default function () {}\n',
      image: DEFAULT_IMAGE,
      secret: DEFAULT_SECRET,
      separate: false,
      vars: { TEST_NAME: 'load', INSTANCES: '4' },
    }).testRun as any;
  assert.deepEqual(testRunProblems(good()), []);
  const cases: [string, (tr: any) => void, RegExp][] = [
    [
      'misspelt field',
      (tr) => ((tr.spec.paralelism = 4), delete tr.spec.parallelism),
      /spec\.paralelism: unknown field/,
    ],
    ['missing required', (tr) => delete tr.spec.parallelism, /spec\.parallelism: required/],
    [
      'string parallelism',
      (tr) => (tr.spec.parallelism = '4'),
      /spec\.parallelism: must be integer, got string/,
    ],
    ['beyond int32', (tr) => (tr.spec.parallelism = 2 ** 31), /out of int32 range/],
    ['string boolean', (tr) => (tr.spec.separate = 'true'), /spec\.separate: must be boolean/],
    ['outside the enum', (tr) => (tr.spec.cleanup = 'always'), /spec\.cleanup: must be one of "post"/],
    ['misspelt, deeper', (tr) => (tr.spec.runner.envfrom = []), /spec\.runner\.envfrom: unknown field/],
    [
      'wrong type, deeper',
      (tr) => (tr.spec.runner.envFrom[0].secretRef.name = 5),
      /secretRef\.name: must be string/,
    ],
    [
      'required, deeper',
      (tr) => delete tr.spec.script.configMap.name,
      /spec\.script\.configMap\.name: required/,
    ],
    ['not the CRD', (tr) => (tr.apiVersion = 'k6.io/v1'), /apiVersion: must be k6\.io\/v1alpha1/],
    ['bad name', (tr) => (tr.metadata.name = 'Genesys_K6'), /metadata\.name: "Genesys_K6" is not a DNS-1123/],
    [
      'long name',
      (tr) => (tr.metadata.name = `genesys-k6-${'x'.repeat(41)}`),
      /too long for k6-operator's job/,
    ],
    ['bad label', (tr) => (tr.metadata.labels['genesys-k6/test'] = 'a b'), /is not a label value/],
  ];
  for (const [what, change, message] of cases) {
    const tr = good();
    change(tr);
    const problems = testRunProblems(tr);
    assert.ok(
      problems.some((p) => message.test(p)),
      `${what}: ${problems.join('; ') || 'accepted'}`,
    );
  }
  // The fixture cuts subtrees the suite never writes: they take anything, as the comment in it says.
  const cut = good();
  cut.spec.runner.resources = { limits: { cpu: '2' } };
  assert.deepEqual(testRunProblems(cut), []);
});

test('the initializer’s commands for make k6-operator TEST=load PARALLELISM=4 are README’s', (t) => {
  if (!bundles.includes('load')) return t.skip('no build/tests/load.js (make build)');
  const { testRun } = generate('load', {}, [4]);
  const job = initializerJob(testRun);
  assert.equal(job.image, DEFAULT_IMAGE, 'no spec.initializer: it runs the runner image');
  assert.equal(
    job.archive,
    'k6 archive /test/load.js -O /tmp/load.js.archived.tar --tag test=load -e TEST_NAME=load -e INSTANCES=4',
  );
  assert.equal(job.inspect, 'k6 inspect --execution-requirements /tmp/load.js.archived.tar');
  assert.deepEqual(job.env, []);
  assert.deepEqual(job.envFrom, [{ secretRef: { name: DEFAULT_SECRET } }]);
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  for (const line of [job.archive, job.inspect]) assert.ok(readme.includes(line), `README lacks: ${line}`);
});

test('archive flags are picked from the arguments as k6-operator picks them', () => {
  const argv = '--tag a=b -e X=1 --out cloud -o json=x.json --linger --no-usage-report -v --vus 3'.split(' ');
  assert.deepEqual(archiveArgs(argv), ['--tag', 'a=b', '-e', 'X=1', '--vus', '3']);
  assert.deepEqual(archiveArgs(['--user-agent', 'x', '--log-output=loki', '-e', 'Y=2']), ['-e', 'Y=2']);
  assert.throws(() => archiveArgs(['load.js']), /refuses the argument "load.js"/);
});

test('inspect output is decoded with the operator’s types', () => {
  const ok = parseInspectOutput('{"totalDuration":"1m30s","maxVUs":20,"cloud":{"name":"load"},"x":[1]}\n');
  assert.deepEqual(ok, { totalDuration: 90_000, maxVUs: 20, testName: 'load', projectID: 0 });
  assert.equal(parseInspectOutput('{"ext":{"loadimpact":{"name":"n","projectID":7}}}').testName, 'n');
  assert.equal(durationMs('1d2h'), 93_600_000);
  assert.equal(durationMs('1.5s'), 1500);
  assert.equal(durationMs('250'), 250);
  assert.throws(() => parseInspectOutput('level=warning msg="x"\n{"maxVUs":1}'), /not one JSON document/);
  assert.throws(() => parseInspectOutput('{"maxVUs":"20"}'), /maxVUs \(uint64\)/);
  assert.throws(() => parseInspectOutput('{"maxVUs":-1}'), /maxVUs \(uint64\)/);
  assert.throws(() => parseInspectOutput('{"cloud":{"projectID":"12"}}'), /cloud\.projectID \(int64\)/);
  assert.throws(() => parseInspectOutput('{"totalDuration":"soon"}'), /invalid duration "soon"/);
  assert.throws(() => parseInspectOutput('{"thresholds":{"checks":"rate>0.9"}}'), /thresholds\.checks/);
});

/** Runs the initializer and checks everything the operator and a careful reviewer would check of it. */
async function initializerPasses(
  k6: string,
  { testRun, configMap }: Generated,
  what: string,
): Promise<Inspected> {
  const secretName = testRun.spec.runner!.envFrom![0].secretRef!.name;
  const run = await runInitializer(k6, testRun, configMap.data, { [secretName]: SECRET });
  assert.equal(run.code, 0, `${what}: the initializer failed:\n${run.log}${run.stderr}`);
  const inspected = parseInspectOutput(run.log);
  assert.ok(
    inspected.maxVUs >= testRun.spec.parallelism,
    `${what}: maxVUs ${inspected.maxVUs} < parallelism`,
  );
  assert.ok(inspected.totalDuration !== null && inspected.totalDuration > 0, `${what}: totalDuration`);
  assert.ok(run.archive, `${what}: no archive`);
  const text = run.archive.toString('latin1');
  for (const leak of LEAKS) {
    assert.ok(!text.includes(leak), `${what}: the archive holds a credential`);
    assert.ok(!run.log.includes(leak), `${what}: the log holds a credential`);
  }
  const metadata = JSON.parse(tarMember(run.archive, 'metadata.json') ?? 'null');
  const passed = Object.fromEntries(
    [...testRun.spec.arguments!.matchAll(/-e (\w+)=(\S*)/g)].map((m) => [m[1], m[2]]),
  );
  assert.deepEqual(metadata?.env, passed, `${what}: the archive's environment is the -e values`);
  return inspected;
}

test(
  'the initializer’s commands pass with each real k6 on every built bundle',
  { timeout: 900_000 },
  async (t) => {
    const k6s = realK6sOrSkipReason();
    if (k6s.length === 0) return t.skip('no real k6');
    if (bundles.length === 0) return t.skip('no bundles in build/tests (make build)');
    // k6 before v0.52 runs every ES module through Babel: seconds a bundle, so two at a time on two cores.
    const slots = Math.max(1, Math.min(2, os.availableParallelism()));
    const queue = k6s.flatMap((k6) => bundles.map((name) => ({ k6, name })));
    const worker = async () => {
      for (let job = queue.shift(); job; job = queue.shift()) {
        const { k6, name } = job;
        const what = `k6 v${k6.version}, ${name}`;
        const inspected = await initializerPasses(k6.file, generatedFor(name), what);
        // With --out cloud the operator names the cloud test run by it (ext.loadimpact before k6 v0.51).
        assert.match(inspected.testName, new RegExp(`\\b${name}$`), `${what}: test name`);
      }
    };
    await Promise.all(Array.from({ length: slots }, worker));
  },
);

// A small bundle; `linked`, it names a source map that is not beside it (a map too big for the ConfigMap).
function smallBundle(linked = false): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'k6-operator-small-'));
  const entry = path.join(dir, 'small-src.ts');
  writeFileSync(
    entry,
    `import http from 'k6/http';
export const options = { scenarios: { s: { executor: 'constant-vus', vus: 4, duration: '10s' } } };
export default function () { http.get(__ENV.GENESYSCLOUD_API_URL || 'http://127.0.0.1:9/'); }
`,
  );
  const out = path.join(dir, 'small.js');
  buildSync({
    entryPoints: [entry],
    outfile: out,
    bundle: true,
    format: 'esm',
    sourcemap: linked ? 'linked' : false,
    external: ['k6', 'k6/*'],
  });
  if (linked) {
    rmSync(`${out}.map`);
    assert.match(readFileSync(out, 'utf8'), /\/\/# sourceMappingURL=small\.js\.map\n$/);
  }
  return out;
}

test('the leak check has teeth: --include-system-env-vars puts the Secret in the archive', async (t) => {
  const [k6] = realK6sOrSkipReason();
  if (!k6) return t.skip('no real k6');
  const made = generate(smallBundle());
  made.testRun.spec.arguments += ' --include-system-env-vars';
  const run = await runInitializer(k6.file, made.testRun, made.configMap.data, { [DEFAULT_SECRET]: SECRET });
  assert.equal(run.code, 0, run.log);
  const env = JSON.parse(tarMember(run.archive!, 'metadata.json')!).env;
  for (const key of SECRET_KEYS) assert.equal(env[key], SECRET[key]);
});

test('without its map, the bundle goes in unlinked: the initializer fails on k6’s warning', async (t) => {
  const [k6] = realK6sOrSkipReason();
  if (!k6) return t.skip('no real k6');
  const bundle = smallBundle(true);
  const made = generate(bundle);
  assert.ok(!made.configMap.data['small.js'].includes('sourceMappingURL'));
  assert.equal(made.configMap.data['small.js.map'], undefined);
  await initializerPasses(k6.file, made, `k6 v${k6.version}, no map`);
  // The same TestRun with the bundle as built: k6 warns it has no map, and the initializer's grep stops it.
  const linked = { 'small.js': readFileSync(bundle, 'utf8') };
  const run = await runInitializer(k6.file, made.testRun, linked, { [DEFAULT_SECRET]: SECRET });
  assert.equal(run.code, 1);
  assert.match(run.log, /level=warning.*source map.*error=/i);
});
