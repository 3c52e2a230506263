// How a cluster takes what `make k6-operator` writes: each TestRun (made with no GENESYSCLOUD_* in the shell)
// against the operator's CRD schema.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { DEFAULT_IMAGE, DEFAULT_SECRET, buildManifests } from '../k6-operator.ts';
import { loadCrd, testRunProblems } from './k6-operator-crd.ts';
import { unknownKeywords } from './openapi-schema.ts';

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

interface Generated {
  testRun: { spec: Record<string, unknown> } & Record<string, unknown>;
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
