// The GitHub Actions workflows: parsed for what matters (triggers, pinned actions, secrets only through env,
// artifact and job summary), and the nightly job's shell steps run here with a stand-in for make.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { K6_VERSION } from '../k6-operator.ts';
import { OLDEST } from '../k6-binary.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  'runs-on': string;
  'timeout-minutes'?: number;
  strategy?: { matrix?: Record<string, unknown[]> };
  env?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  on: Record<string, any>;
  concurrency?: { group: string };
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}

function load(name: string): { wf: Workflow; text: string } {
  const text = readFileSync(path.join(root, '.github', 'workflows', name), 'utf8');
  return { wf: YAML.parse(text) as Workflow, text };
}

const ci = load('ci.yml');
const nightly = load('nightly.yml');
const steps = (wf: Workflow) => Object.values(wf.jobs).flatMap((j) => j.steps);
const nightlyJob = Object.values(nightly.wf.jobs)[0];
const step = (pred: (s: Step) => boolean) => {
  const s = nightlyJob.steps.find(pred);
  assert.ok(s, 'step not found');
  return s;
};

/** Every string in the document with the path of keys that leads to it. */
function strings(node: unknown, at: string[] = []): Array<{ at: string[]; value: string }> {
  if (typeof node === 'string') return [{ at, value: node }];
  if (Array.isArray(node)) return node.flatMap((n, i) => strings(n, [...at, String(i)]));
  if (node && typeof node === 'object')
    return Object.entries(node).flatMap(([k, v]) => strings(v, [...at, k]));
  return [];
}

test('ci: make test on push and pull request, on Node 20 and the current LTS', () => {
  assert.ok('push' in ci.wf.on && 'pull_request' in ci.wf.on);
  const job = Object.values(ci.wf.jobs)[0];
  assert.deepEqual(job.strategy?.matrix?.node, ['20', 'lts/*']);
  const setup = job.steps.find((s) => s.uses?.startsWith('actions/setup-node@'));
  assert.equal(setup?.with?.['node-version'], '${{ matrix.node }}');
  assert.ok(job.steps.some((s) => s.run?.trim() === 'make test'));
  assert.ok(typeof job['timeout-minutes'] === 'number');
});

test('every action is pinned to a commit SHA (or an exact version)', () => {
  for (const { wf } of [ci, nightly]) {
    for (const s of steps(wf).filter((x) => x.uses)) {
      assert.match(s.uses!, /^[\w.-]+\/[\w.-]+@([0-9a-f]{40}|v\d+\.\d+\.\d+)$/, s.uses);
    }
  }
});

test('nightly: cron in UTC, manual runs with test, rate and duration', () => {
  const [schedule] = nightly.wf.on.schedule;
  assert.match(schedule.cron, /^(\S+\s+){4}\S+$/);
  assert.match(nightly.text, /UTC/, 'say which time zone the cron is in');
  const inputs = nightly.wf.on.workflow_dispatch.inputs;
  assert.deepEqual(Object.keys(inputs).sort(), ['duration', 'rate', 'test']);
  // The choices are exactly the Makefile's load targets.
  const makefile = readFileSync(path.join(root, 'Makefile'), 'utf8');
  const targets = /^LOAD_TESTS\s*:=\s*(.+)$/m.exec(makefile)![1].trim().split(/\s+/);
  assert.deepEqual([...inputs.test.options].sort(), [...targets].sort());
  assert.ok(targets.includes(inputs.test.default));
  assert.equal(nightlyJob.env?.RATE, '${{ inputs.rate }}');
  assert.equal(nightlyJob.env?.DURATION, '${{ inputs.duration }}');
});

test('nightly: real k6 pinned, the same version as the k6-operator runner image', () => {
  const k6 = step((s) => s.uses?.startsWith('grafana/setup-k6-action@') ?? false);
  assert.match(String(k6.with?.['k6-version']), /^\d+\.\d+\.\d+$/);
  assert.equal(k6.with?.['k6-version'], K6_VERSION);
});

test('README: the pinned k6 where nightly and k6-operator use it, and the oldest release supported', () => {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  assert.match(K6_VERSION, /^2\./, 'the pin is a current release');
  assert.ok(readme.includes(`The job installs k6 ${K6_VERSION} with \`grafana/setup-k6-action\``));
  assert.ok(readme.includes(`the runner image \`grafana/k6:${K6_VERSION}\``));
  const oldest = `${OLDEST.major}.${OLDEST.minor}.0`;
  const words = readme.replace(/\s+/g, ' ');
  assert.ok(words.includes(`pinned to k6 **${K6_VERSION}**`), 'README names the pinned release');
  assert.ok(words.includes(`back to **${oldest}**`), `README names ${oldest} as the oldest supported`);
});

test('nightly: one run at a time, with a timeout', () => {
  assert.ok(nightly.wf.concurrency?.group);
  assert.ok(typeof nightlyJob['timeout-minutes'] === 'number' && nightlyJob['timeout-minutes'] <= 360);
  assert.deepEqual(nightly.wf.permissions, { contents: 'read' });
});

test('secrets reach only env: maps, and no run script expands an expression', () => {
  for (const { wf } of [ci, nightly]) {
    for (const { at, value } of strings(wf)) {
      if (value.includes('secrets.')) assert.equal(at.at(-2), 'env', `secret outside env at ${at.join('.')}`);
      if (at.at(-1) === 'run') assert.ok(!value.includes('${{'), `expression inside run at ${at.join('.')}`);
    }
  }
  const run = step((s) => s.id === 'run');
  for (const name of [
    'GENESYSCLOUD_REGION',
    'GENESYSCLOUD_OAUTHCLIENT_ID',
    'GENESYSCLOUD_OAUTHCLIENT_SECRET',
  ]) {
    assert.equal(run.env?.[name], `\${{ secrets.${name} }}`);
  }
});

test('nightly: reports uploaded as an artifact and summary.md on the job page, whatever the outcome', () => {
  const upload = step((s) => s.uses?.startsWith('actions/upload-artifact@') ?? false);
  assert.equal(upload.if, 'always()');
  assert.match(String(upload.with?.path), /^reports\/?$/m);
  const summary = step(
    (s) => s.run?.includes('GITHUB_STEP_SUMMARY') === true && s.run.includes('summary.md'),
  );
  assert.equal(summary.if, 'always()');
});

// The shell steps, run for real: bash with the variables GitHub Actions would set.
const work = mkdtempSync(path.join(os.tmpdir(), 'nightly-'));
const bin = path.join(work, 'bin');
mkdirSync(bin);
// make records its target; node (running tools/run-test.mjs) records its arguments and environment.
writeFileSync(path.join(bin, 'make'), '#!/bin/sh\necho "make $*" >> "$MAKE_LOG"\n');
writeFileSync(
  path.join(bin, 'node'),
  '#!/bin/sh\n{ echo "node $*"; env | grep -E "^(GENESYSCLOUD_|RATE=|DURATION=)" | sort; } >> "$MAKE_LOG"\n' +
    'exit "${TEST_EXIT:-0}"\n',
);
chmodSync(path.join(bin, 'node'), 0o755);
chmodSync(path.join(bin, 'make'), 0o755);

function bash(script: string, env: Record<string, string>, cwd = work) {
  const files = {
    output: path.join(cwd, 'output'),
    summary: path.join(cwd, 'summary'),
    log: path.join(cwd, 'make.log'),
  };
  for (const f of Object.values(files)) writeFileSync(f, '');
  const r = spawnSync('bash', ['-e', '-c', script], {
    cwd,
    encoding: 'utf8',
    env: {
      PATH: `${bin}:${process.env.PATH}`,
      GITHUB_OUTPUT: files.output,
      GITHUB_STEP_SUMMARY: files.summary,
      MAKE_LOG: files.log,
      ...env,
    },
  });
  const read = (f: string) => readFileSync(f, 'utf8');
  return {
    code: r.status,
    stdout: r.stdout,
    output: read(files.output),
    summary: read(files.summary),
    make: read(files.log),
  };
}

test('nightly run step: emulator when the secrets are absent, the org when present; exit code 99 kept', () => {
  const script = step((s) => s.id === 'run').run!;
  const empty = bash(script, {
    TEST: 'load',
    RATE: '',
    DURATION: '',
    GENESYSCLOUD_REGION: '',
    GENESYSCLOUD_OAUTHCLIENT_ID: '',
    GENESYSCLOUD_OAUTHCLIENT_SECRET: '',
    TEST_EXIT: '99',
  });
  assert.equal(empty.code, 0, 'the verdict step decides, so the run step itself succeeds');
  assert.deepEqual(
    empty.make.trim().split('\n'),
    ['make build', 'node tools/run-test.mjs load'],
    'no GENESYSCLOUD_*, RATE or DURATION reach the test',
  );
  assert.match(empty.stdout, /running against the local emulator/);
  assert.equal(empty.output.trim(), 'exit-code=99');

  const org = bash(script, {
    TEST: 'stress',
    RATE: '5',
    DURATION: '',
    GENESYSCLOUD_REGION: 'eu-west-1',
    GENESYSCLOUD_OAUTHCLIENT_ID: 'id',
    GENESYSCLOUD_OAUTHCLIENT_SECRET: 'secret',
  });
  assert.deepEqual(org.make.trim().split('\n'), [
    'make build',
    'node tools/run-test.mjs stress',
    'GENESYSCLOUD_OAUTHCLIENT_ID=id',
    'GENESYSCLOUD_OAUTHCLIENT_SECRET=secret',
    'GENESYSCLOUD_REGION=eu-west-1',
    'RATE=5',
  ]);
  assert.equal(org.output.trim(), 'exit-code=0');
});

test('nightly verdict: 99 is "thresholds crossed", other codes an error, 0 passes', () => {
  const script = step((s) => s.name === 'Verdict').run!;
  const passed = bash(script, { CODE: '0', TEST: 'load' });
  assert.equal(passed.code, 0);
  const crossed = bash(script, { CODE: '99', TEST: 'load' });
  assert.equal(crossed.code, 1);
  assert.match(crossed.stdout, /::error title=Thresholds crossed::/);
  assert.match(crossed.summary, /Thresholds crossed/);
  const broken = bash(script, { CODE: '107', TEST: 'load' });
  assert.equal(broken.code, 1);
  assert.match(broken.stdout, /::error title=Error::load failed with exit code 107/);
  assert.doesNotMatch(broken.stdout + broken.summary, /Thresholds crossed/);
});

test('nightly job summary: summary.md of the latest run, or a line saying there is none', () => {
  const script = step((s) => s.name === 'Job summary').run!;
  const cwd = mkdtempSync(path.join(work, 'summary-'));
  assert.match(bash(script, {}, cwd).summary, /No summary\.md was written/);
  mkdirSync(path.join(cwd, 'reports', '20260101T021700Z-load'), { recursive: true });
  writeFileSync(
    path.join(cwd, 'reports', '20260101T021700Z-load', 'summary.md'),
    '## load\n| threshold | ok |\n',
  );
  symlinkSync('20260101T021700Z-load', path.join(cwd, 'reports', 'latest'));
  assert.equal(bash(script, {}, cwd).summary, '## load\n| threshold | ok |\n');
});
