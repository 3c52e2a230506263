// k6 execution segments, the per-instance split and its validation, and the k6-operator manifests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import YAML from 'yaml';
import {
  StripedSequence,
  equalSequence,
  formatFraction,
  instanceFlags,
  parseFraction,
  parseSequence,
} from '../segments.ts';
import { splitScenarios } from '../split.ts';
import { readBundleOptions, scenariosOf, type Scenario } from '../bundle-options.ts';
import {
  DEFAULT_IMAGE,
  buildManifests,
  checkImage,
  passthroughVars,
  type OperatorInput,
} from '../k6-operator.ts';
import { CLOUD, CONNECTION, SETTINGS, SET_BY_TOOLS } from '../suite-env.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = path.join(root, 'tools', 'k6-operator.mjs');

function bundleFrom(source: string, name = 'fixture'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'k6-operator-'));
  const entry = path.join(dir, `${name}-src.ts`);
  writeFileSync(entry, source);
  const out = path.join(dir, `${name}.js`);
  buildSync({
    entryPoints: [entry],
    outfile: out,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    external: ['k6', 'k6/*'],
  });
  return out;
}

// A bundle shaped like the suite's: k6 modules used at init, options read from __ENV.
const FIXTURE = `
import http from 'k6/http';
import { Counter, Trend } from 'k6/metrics';
import exec from 'k6/execution';
import { check, sleep } from 'k6';
const retries = new Counter('retries');
const wait = new Trend('retry_wait', true);
http.setResponseCallback(http.expectedStatuses({ min: 200, max: 399 }));
const rate = Number(__ENV.RATE || 8);
export const options = {
  cloud: { name: 'fixture' },
  scenarios: {
    steady: { executor: 'constant-arrival-rate', rate, timeUnit: '1s', duration: '30s', preAllocatedVUs: 8, maxVUs: 16 },
  },
  thresholds: { http_req_failed: ['rate<0.01'] },
};
export default function () {
  check(http.get('http://127.0.0.1:9/'), { ok: (r) => r.status === 200 });
  retries.add(0);
  wait.add(exec.vu.idInTest);
  sleep(0);
}
`;

function run(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [cli, ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', ...env },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('segment boundaries parse in the forms k6 accepts', () => {
  assert.deepEqual(parseFraction('1/4'), { num: 1, den: 4 });
  assert.deepEqual(parseFraction('0.25'), { num: 1, den: 4 });
  assert.deepEqual(parseFraction('25%'), { num: 1, den: 4 });
  assert.deepEqual(parseFraction('2/4'), { num: 1, den: 2 });
  assert.throws(() => parseFraction('5/4'), /between 0 and 1/);
  assert.throws(() => parseFraction('x'), /not a segment boundary/);
  assert.throws(() => parseSequence('0,1/2,1/4,1'), /increase strictly/);
  assert.deepEqual(parseSequence('1/2').map(formatFraction), ['0', '1/2', '1']);
});

test('k6-operator flags: segment i/N of the equal sequence', () => {
  assert.deepEqual(instanceFlags(1, 4), [
    '--execution-segment=0:1/4',
    '--execution-segment-sequence=0,1/4,1/2,3/4,1',
  ]);
  assert.deepEqual(instanceFlags(4, 4), [
    '--execution-segment=3/4:1',
    '--execution-segment-sequence=0,1/4,1/2,3/4,1',
  ]);
});

test('striping of an uneven sequence matches k6 (0,0.3,0.5,0.6,0.7,0.8,0.9,1)', () => {
  const seq = new StripedSequence(parseSequence('0,0.3,0.5,0.6,0.7,0.8,0.9,1'));
  assert.equal(seq.lcd, 10);
  // k6 hands segment 0:0.3 positions 0, 4, 7 of every 10 (offsets 4, 3, 3) and 0.3:0.5 positions 1, 5.
  assert.deepEqual(seq.positions(0), [0, 4, 7]);
  assert.deepEqual(seq.positions(1), [1, 5]);
  assert.deepEqual(seq.positions(2), [2]);
  assert.deepEqual(seq.positions(4), [6]);
  assert.equal(seq.scale(0, 5), 2);
  assert.equal(seq.scale(0, 23), 7);
});

test('scaling shares every value out exactly, within one of the proportional share', () => {
  for (const text of ['0,1/3,2/3,1', '0,0.3,0.5,0.6,0.7,0.8,0.9,1', '0,1/2,5/6,1']) {
    const seq = new StripedSequence(parseSequence(text));
    for (let value = 0; value <= 61; value++) {
      let sum = 0;
      for (let i = 0; i < seq.size; i++) {
        const got = seq.scale(i, value);
        const len = seq.length(i);
        assert.ok(
          Math.abs(got - (value * len.num) / len.den) < 1,
          `${text} segment ${i} value ${value}: ${got}`,
        );
        sum += got;
      }
      assert.equal(sum, value, `${text} value ${value}`);
    }
  }
});

test('equal segments: VUs and iterations go round-robin', () => {
  const seq = new StripedSequence(equalSequence(4));
  assert.deepEqual(
    [0, 1, 2, 3].map((i) => seq.scale(i, 6)),
    [2, 2, 1, 1],
  );
  assert.deepEqual(
    [0, 1, 2, 3].map((i) => seq.minInWindow(i, 6)),
    [1, 1, 1, 1],
  );
  assert.deepEqual(
    [0, 1, 2, 3].map((i) => seq.minInWindow(i, 3)),
    [0, 0, 0, 0],
  );
});

const car = (rate: number, pre = 8, timeUnit = '1s'): Scenario => ({
  executor: 'constant-arrival-rate',
  rate,
  timeUnit,
  duration: '1m',
  preAllocatedVUs: pre,
  maxVUs: pre * 2,
});

test('an arrival rate that covers every instance splits with no problem', () => {
  const split = splitScenarios({ steady: car(10) }, 4);
  assert.deepEqual(split.problems, []);
  const s = split.scenarios[0];
  assert.deepEqual(
    s.instances.map((i) => i.rates),
    [[2.5], [2.5], [2.5], [2.5]],
  );
  assert.deepEqual(
    s.instances.map((i) => i.minPerTimeUnit),
    [2, 2, 2, 2],
  );
  assert.deepEqual(
    s.instances.map((i) => [i.vus, i.maxVUs]),
    [
      [2, 4],
      [2, 4],
      [2, 4],
      [2, 4],
    ],
  );
});

test('a rate below one iteration per timeUnit per instance fails with the numbers', () => {
  const split = splitScenarios({ steady: car(3, 8, '1m') }, 4);
  assert.equal(split.problems.length, 1);
  assert.match(
    split.problems[0],
    /scenario "steady": rate 3 per 1m split over 4 instances is 0.75 per 1m each/,
  );
  assert.match(split.problems[0], /fewer than 1 iteration per 1m/);
  assert.match(split.problems[0], /needs at least 4 per 1m, or PARALLELISM <= 3/);
});

test('too few VUs for the instances fails, naming the instances left with none', () => {
  const split = splitScenarios({ steady: car(100, 2) }, 4);
  assert.equal(split.problems.length, 1);
  assert.match(
    split.problems[0],
    /preAllocatedVUs 2 split over 4 instances leaves instances 3, 4 with 0 VUs/,
  );
  assert.match(split.problems[0], /PARALLELISM <= 2/);
  const vus = splitScenarios({ closed: { executor: 'constant-vus', vus: 3, duration: '1m' } }, 4);
  assert.match(vus.problems[0], /vus 3 split over 4 instances leaves instance 4 with 0 VUs/);
});

test('a ramp is checked at the rates it is asked to reach, not on its way through zero', () => {
  const ramp: Scenario = {
    executor: 'ramping-arrival-rate',
    startRate: 0,
    timeUnit: '1s',
    preAllocatedVUs: 20,
    stages: [
      { duration: '30s', target: 40 },
      { duration: '30s', target: 40 },
      { duration: '10s', target: 0 },
    ],
  };
  assert.deepEqual(splitScenarios({ ramp }, 8).problems, []);
  const low = { ...ramp, stages: [...(ramp.stages as object[]), { duration: '30s', target: 5 }] };
  const problems = splitScenarios({ ramp: low }, 8).problems;
  assert.equal(problems.length, 1);
  assert.match(problems[0], /rate 5 per 1s split over 8 instances is 0.625 per 1s each/);
});

test('one instance always fits; unknown executors are refused', () => {
  assert.deepEqual(splitScenarios({ steady: car(1, 1) }, 1).problems, []);
  const split = splitScenarios({ odd: { executor: 'externally-controlled', vus: 10 } }, 2);
  assert.match(split.problems[0], /executor "externally-controlled" cannot be split/);
});

test('shortcut options become the scenario k6 would run', () => {
  assert.deepEqual(scenariosOf({ vus: 5, duration: '30s' }), {
    default: { executor: 'constant-vus', vus: 5, duration: '30s' },
  });
  assert.equal(scenariosOf({ stages: [{ duration: '1m', target: 10 }] }).default.executor, 'ramping-vus');
  assert.equal(scenariosOf({ iterations: 10 }).default.executor, 'shared-iterations');
});

test('options are read from a bundle that uses k6 modules at init, with the given env', async () => {
  const bundle = bundleFrom(FIXTURE);
  const options = await readBundleOptions(bundle, { RATE: '12' });
  assert.deepEqual((options.scenarios as Record<string, Scenario>).steady.rate, 12);
  assert.deepEqual(options.thresholds, { http_req_failed: ['rate<0.01'] });
  const broken = bundleFrom(`${FIXTURE}\nif (!__ENV.NEEDED) throw new Error('NEEDED is not set');`);
  await assert.rejects(readBundleOptions(broken, {}), /failed in its init code: NEEDED is not set/);
});

function input(over: Partial<OperatorInput> = {}): OperatorInput {
  return {
    test: 'load',
    parallelism: 4,
    bundleFile: 'build/tests/load.js',
    bundle: 'export default function () {}\n',
    image: DEFAULT_IMAGE,
    secret: 'genesys-cloud-credentials',
    separate: false,
    vars: { TEST_NAME: 'load', RATE: '40' },
    ...over,
  };
}

test('manifests: the TestRun points at the ConfigMap and takes credentials from the Secret', () => {
  const { configMap, testRun } = buildManifests(input({ namespace: 'perf', separate: true }));
  const cm = configMap as any;
  const tr = testRun as any;
  assert.equal(cm.kind, 'ConfigMap');
  assert.equal(cm.data['load.js'], 'export default function () {}\n');
  assert.equal(tr.apiVersion, 'k6.io/v1alpha1');
  assert.equal(tr.kind, 'TestRun');
  assert.equal(tr.metadata.namespace, 'perf');
  assert.equal(tr.spec.parallelism, 4);
  assert.equal(tr.spec.separate, true);
  assert.deepEqual(tr.spec.script.configMap, { name: cm.metadata.name, file: 'load.js' });
  assert.equal(tr.spec.arguments, '--tag test=load -e TEST_NAME=load -e RATE=40');
  assert.equal(tr.spec.runner.image, DEFAULT_IMAGE);
  assert.deepEqual(tr.spec.runner.envFrom, [{ secretRef: { name: 'genesys-cloud-credentials' } }]);
  assert.equal(tr.spec.runner.env, undefined, 'no credential value in the manifest');
});

test('runner image must be pinned; pass-through values must survive the operator splitting on spaces', () => {
  assert.equal(checkImage('grafana/k6:2.2.0'), 'grafana/k6:2.2.0');
  assert.equal(checkImage(`grafana/k6@sha256:${'a'.repeat(64)}`), `grafana/k6@sha256:${'a'.repeat(64)}`);
  assert.throws(() => checkImage('grafana/k6:latest'), /not pinned/);
  assert.throws(() => checkImage('grafana/k6'), /not pinned/);
  assert.match(DEFAULT_IMAGE, /^grafana\/k6:\d+\.\d+\.\d+$/);
  assert.deepEqual(
    passthroughVars(
      { RATE: '40', DURATION: '5m', GENESYSCLOUD_OAUTHCLIENT_SECRET: 's', BOT_FLOW_ID: 'f-1' },
      'load',
      3,
    ),
    { TEST_NAME: 'load', INSTANCES: '3', RATE: '40', DURATION: '5m', BOT_FLOW_ID: 'f-1' },
  );
  assert.throws(() => passthroughVars({ DURATION: '5m 30s' }, 'load'), /DURATION="5m 30s" cannot be passed/);
});

test('make k6-operator: writes both manifests and the kubectl commands, secrets stay out', () => {
  const bundle = bundleFrom(FIXTURE, 'opfixture');
  const out = mkdtempSync(path.join(os.tmpdir(), 'k6-operator-out-'));
  const files = ['opfixture-configmap.yaml', 'opfixture-testrun.yaml'].map((f) => path.join(out, f));
  const secret = 'sekret-value-that-must-not-appear';
  const r = run([bundle, '4'], {
    RATE: '20',
    SEPARATE: '1',
    GENESYSCLOUD_OAUTHCLIENT_SECRET: secret,
    K6_OPERATOR_OUT: out,
  });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /instance 4: 2 VUs \(up to 4\), 5 iterations per 1s/);
  assert.ok(r.stdout.includes(`kubectl apply --server-side -f ${files[0]}`), r.stdout);
  assert.ok(r.stdout.includes(`kubectl apply -f ${files[1]}`), r.stdout);
  assert.match(r.stdout, /setup\(\) runs on each of the 4 instances/);
  const [cm, tr] = files.map((f) => YAML.parse(readFileSync(f, 'utf8')));
  assert.equal(cm.data['opfixture.js'], readFileSync(bundle, 'utf8'));
  assert.equal(tr.spec.parallelism, 4);
  assert.equal(tr.spec.separate, true);
  assert.match(tr.spec.arguments, /-e RATE=20/);
  assert.match(tr.spec.arguments, /-e INSTANCES=4/);
  for (const f of files) assert.ok(!readFileSync(f, 'utf8').includes(secret));
  assert.ok(!r.stdout.includes(secret) && !r.stderr.includes(secret));
});

test('make k6-operator on the real load bundle: the ConfigMap holds the bundle and its map byte for byte', (t) => {
  const src = path.join(root, 'build', 'tests', 'load.js');
  if (!existsSync(src)) return t.skip('no build/tests/load.js (make build)');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'k6-operator-load-'));
  const bundle = path.join(dir, 'load.js');
  writeFileSync(bundle, readFileSync(src));
  if (existsSync(`${src}.map`)) writeFileSync(`${bundle}.map`, readFileSync(`${src}.map`));
  const r = run([bundle, '2'], { BOT_FLOW_ID: 'flow-1', K6_OPERATOR_OUT: dir });
  assert.equal(r.code, 0, r.stderr);
  const cm = YAML.parse(readFileSync(path.join(dir, 'load-configmap.yaml'), 'utf8'));
  assert.equal(cm.data['load.js'], readFileSync(src, 'utf8'));
  if (existsSync(`${src}.map`)) assert.equal(cm.data['load.js.map'], readFileSync(`${src}.map`, 'utf8'));
  const tr = YAML.parse(readFileSync(path.join(dir, 'load-testrun.yaml'), 'utf8'));
  assert.equal(tr.spec.script.configMap.file, 'load.js');
  assert.match(tr.spec.arguments, /-e TEST_NAME=load -e INSTANCES=2 -e BOT_FLOW_ID=flow-1/);
});

test('make k6-operator: a split that leaves an instance idle exits 1 with the numbers, writing nothing', () => {
  const bundle = bundleFrom(FIXTURE, 'idlefixture');
  const out = mkdtempSync(path.join(os.tmpdir(), 'k6-operator-out-'));
  const r = run([bundle, '6'], { RATE: '4', K6_OPERATOR_OUT: out });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /rate 4 per 1s split over 6 instances is 0.667 per 1s each/);
  assert.match(r.stderr, /PARALLELISM <= 4/);
  assert.deepEqual(readdirSync(out), []);
});

test('make k6-operator: bad input is one line and exit 2', () => {
  for (const [args, env, message] of [
    [['load'], {}, /PARALLELISM is not set/],
    [['load', 'four'], {}, /PARALLELISM must be a whole number/],
    [['no-such-test', '2'], {}, /build\/tests\/no-such-test\.js is missing/],
    [[bundleFrom(FIXTURE, 'imgfixture'), '2'], { K6_OPERATOR_IMAGE: 'grafana/k6:latest' }, /not pinned/],
  ] as const) {
    const r = run([...args], env);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, message);
  }
});

test('every built bundle yields scenarios that fit one instance', async (t) => {
  const dir = path.join(root, 'build', 'tests');
  const bundles = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.js')) : [];
  if (bundles.length === 0) return t.skip('no bundles in build/tests (make build)');
  const env = {
    GENESYSCLOUD_API_URL: 'http://127.0.0.1:9',
    GENESYSCLOUD_OAUTHCLIENT_ID: 'placeholder-client',
    GENESYSCLOUD_OAUTHCLIENT_SECRET: 'placeholder-secret',
  };
  for (const file of bundles) {
    const scenarios = scenariosOf(await readBundleOptions(path.join(dir, file), env));
    assert.ok(Object.keys(scenarios).length > 0, file);
    assert.deepEqual(splitScenarios(scenarios, 1).problems, [], file);
  }
});

test('every variable the suite reads is sorted into settings, connection, cloud or tool-set', () => {
  const known = new Set([...SETTINGS, ...CONNECTION, ...SET_BY_TOOLS, ...CLOUD]);
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory() && p !== path.join(root, 'lib', 'test')) walk(p);
      else if (e.isFile() && p.endsWith('.ts')) files.push(p);
    }
  };
  for (const dir of ['tests', 'lib']) if (existsSync(path.join(root, dir))) walk(path.join(root, dir));
  const read = new Map<string, string>();
  const patterns = [
    /\b(?:__ENV|env)\s*(?:\?\.|\.)\s*([A-Z][A-Z0-9_]+)/g,
    /\b(?:__ENV|env)\s*\[\s*'([A-Z][A-Z0-9_]+)'\s*\]/g,
    /\(\s*env\s*,\s*'([A-Z][A-Z0-9_]+)'/g,
  ];
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    for (const re of patterns) for (const m of text.matchAll(re)) read.set(m[1], path.relative(root, f));
  }
  if (read.size === 0) return; // the suite has not landed: nothing to sort
  const unsorted = [...read].filter(([name]) => !known.has(name)).map(([n, f]) => `${n} (${f})`);
  assert.deepEqual(unsorted, [], 'add each to tools/suite-env.ts so remote runs get it, or not, on purpose');
});

test('bundle options read here match the runner’s own consolidation (runner inspect)', async (t) => {
  const picks = ['load', 'spike', 'smoke'].filter((n) =>
    existsSync(path.join(root, 'build', 'tests', `${n}.js`)),
  );
  if (picks.length === 0 || !existsSync(path.join(root, 'build', 'runner', 'cli.js'))) {
    return t.skip('needs build/tests and the runner (make build)');
  }
  const env = {
    GENESYSCLOUD_API_URL: 'http://127.0.0.1:9',
    GENESYSCLOUD_OAUTHCLIENT_ID: 'c',
    GENESYSCLOUD_OAUTHCLIENT_SECRET: 's',
    INSTANCES: '4',
    RATE: '2.5',
  };
  const inspect = (file: string) =>
    new Promise<any>((resolve, reject) =>
      execFile(
        process.execPath,
        [path.join(root, 'bin', 'runner.mjs'), 'inspect', file],
        { cwd: root, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 },
        (err, stdout, stderr) =>
          err ? reject(new Error(stderr || err.message)) : resolve(JSON.parse(stdout)),
      ),
    );
  await Promise.all(
    picks.map(async (name) => {
      const file = path.join(root, 'build', 'tests', `${name}.js`);
      const [ours, runner] = await Promise.all([readBundleOptions(file, env), inspect(file)]);
      const scenarios = scenariosOf(ours);
      assert.deepEqual(Object.keys(scenarios), Object.keys(runner.scenarios), name);
      for (const [key, s] of Object.entries(scenarios)) {
        for (const [field, value] of Object.entries(s)) {
          assert.deepEqual(runner.scenarios[key][field], value, `${name}: scenarios.${key}.${field}`);
        }
      }
    }),
  );
});
