import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ConfigError,
  consolidate,
  DEFAULTS,
  deriveScenarios,
  scenariosOf,
  validateOptions,
} from '../options.ts';
import { parseEnv, parseFlags, runtimeOf, UsageError } from '../flags.ts';
import { formatDuration, parseDuration } from '../duration.ts';

const script = {
  vus: 3,
  scenarios: { main: { executor: 'constant-vus', vus: 2, duration: '5s' } },
  summaryTrendStats: ['avg'],
};

test('durations: Go strings with days, bare numbers are milliseconds', () => {
  assert.equal(parseDuration('1m30s'), 90_000);
  assert.equal(parseDuration('2d3h'), 2 * 86_400_000 + 3 * 3_600_000);
  assert.equal(parseDuration('250ms'), 250);
  assert.equal(parseDuration('1.5s'), 1500);
  assert.equal(parseDuration('1500'), 1500);
  assert.equal(parseDuration(20), 20);
  assert.throws(() => parseDuration('10 parsecs'));
  assert.throws(() => parseDuration(''));
  assert.equal(formatDuration(90_000), '1m30s');
  assert.equal(formatDuration(250), '250ms');
});

test('precedence: defaults < script < env < flags', () => {
  const env = parseEnv({ K6_VUS: '7', K6_SUMMARY_TREND_STATS: 'avg,max' });
  const flags = parseFlags(['-u', '9', 'x.js']);
  const o = consolidate([DEFAULTS, script, env.options, flags.options]);
  assert.equal(o.vus, 9);
  assert.deepEqual(o.summaryTrendStats, ['avg', 'max']);
  assert.equal(o.setupTimeout, '60s');
  assert.deepEqual(flags.args, ['x.js']);
});

test('shortcut reset: a layer setting duration clears the scenarios below; vus alone does not', () => {
  const onlyVus = consolidate([DEFAULTS, script, parseFlags(['-u', '5']).options]);
  assert.ok(onlyVus.scenarios);
  const withDuration = consolidate([DEFAULTS, script, parseFlags(['-d', '10s']).options]);
  assert.equal(withDuration.scenarios, undefined);
  const sc = scenariosOf(withDuration);
  assert.equal(sc.length, 1);
  assert.equal(sc[0].name, 'default');
  assert.equal(sc[0].executor, 'constant-vus');
  assert.equal(sc[0].vus, 3);
  assert.equal(sc[0].duration, 10_000);
  const envIters = consolidate([
    DEFAULTS,
    { duration: '1m', stages: undefined },
    parseEnv({ K6_ITERATIONS: '4' }).options,
  ]);
  assert.equal(envIters.duration, undefined);
  assert.equal(scenariosOf(envIters)[0].executor, 'shared-iterations');
});

test('shortcuts: first match wins', () => {
  assert.deepEqual(deriveScenarios({ vus: 2, iterations: 10, duration: '30s' }), {
    default: { executor: 'shared-iterations', vus: 2, iterations: 10, maxDuration: '30s' },
  });
  assert.deepEqual(deriveScenarios({ stages: [{ duration: '10s', target: 5 }] }), {
    default: { executor: 'ramping-vus', startVUs: 1, stages: [{ duration: '10s', target: 5 }] },
  });
  assert.deepEqual(deriveScenarios({}), {
    default: { executor: 'per-vu-iterations', vus: 1, iterations: 1 },
  });
  const warnings: string[] = [];
  deriveScenarios(script, (m) => warnings.push(m));
  assert.equal(warnings.length, 1);
  assert.throws(
    () => deriveScenarios({ iterations: 3, stages: [{ duration: '1s', target: 1 }] }),
    ConfigError,
  );
  assert.throws(() => deriveScenarios({ duration: '0s' }), ConfigError);
});

test('scenario validation: every bad value is a ConfigError (exit 104)', () => {
  const bad: Record<string, unknown>[] = [
    { executor: 'nope' },
    {},
    { executor: 'shared-iterations', vus: 5, iterations: 2 },
    { executor: 'shared-iterations', vus: 0 },
    { executor: 'shared-iterations', maxDuration: '500ms' },
    { executor: 'constant-vus', vus: 1 },
    { executor: 'ramping-vus', stages: [] },
    { executor: 'ramping-vus', stages: [{ duration: '1s' }] },
    { executor: 'ramping-vus', startVUs: 0, stages: [{ duration: '1s', target: 0 }] },
    { executor: 'constant-arrival-rate', rate: 10, duration: '10s' },
    { executor: 'constant-arrival-rate', rate: 0, duration: '10s', preAllocatedVUs: 1 },
    { executor: 'constant-arrival-rate', rate: 1, duration: '10s', preAllocatedVUs: 5, maxVUs: 2 },
    { executor: 'ramping-arrival-rate', preAllocatedVUs: 1 },
    { executor: 'constant-vus', duration: '10s', gracefulStop: 'soon' },
    { executor: 'per-vu-iterations', exec: 'missing' },
  ];
  for (const raw of bad) {
    assert.throws(
      () => scenariosOf({ scenarios: { s: raw } }, ['default']),
      (e: unknown) => e instanceof ConfigError && e.exitCode === 104,
      JSON.stringify(raw),
    );
  }
  assert.throws(
    () => scenariosOf({ scenarios: { 'bad name': { executor: 'per-vu-iterations' } } }),
    ConfigError,
  );
  assert.throws(() => validateOptions({ summaryTimeUnit: 'weeks' }), ConfigError);
  const warnings: string[] = [];
  scenariosOf({ scenarios: { s: { executor: 'constant-vus', duration: '10s', rate: 3 } } }, undefined, (m) =>
    warnings.push(m),
  );
  assert.deepEqual(warnings, ['scenario "s": option "rate" is not used by constant-vus']);
  assert.throws(() => validateOptions({ summaryTrendStats: ['avg', 'p95'] }), ConfigError);
});

test('scenario defaults match k6', () => {
  const [s] = scenariosOf({
    scenarios: { open: { executor: 'constant-arrival-rate', rate: 20, duration: '3s', preAllocatedVUs: 2 } },
  });
  assert.equal(s.maxVUs, 2);
  assert.equal(s.timeUnit, 1000);
  assert.equal(s.gracefulStop, 30_000);
  assert.equal(s.startTime, 0);
  assert.equal(s.exec, 'default');
  const [r] = scenariosOf({
    scenarios: { r: { executor: 'ramping-vus', stages: [{ duration: '1s', target: 2 }] } },
  });
  assert.equal(r.startVUs, 1);
  assert.equal(r.gracefulRampDown, 30_000);
  const [si] = scenariosOf({ scenarios: { x: { executor: 'shared-iterations' } } });
  assert.equal(si.vus, 1);
  assert.equal(si.iterations, 1);
  assert.equal(si.maxDuration, 600_000);
});

test('flags: forms, repeats and errors', () => {
  const p = parseFlags([
    '--vus=4',
    '-d10s',
    '-s',
    '5s:2',
    '--stage',
    '10s',
    '-e',
    'A=1=2',
    '--env=B=',
    '--tag',
    'team=bots',
    '--out',
    'json=x.jsonl',
    '--no-thresholds',
    '-q',
    '--summary-trend-stats',
    'avg,p(99)',
    'script.js',
  ]);
  assert.equal(p.options.vus, 4);
  assert.equal(p.options.duration, '10s');
  assert.deepEqual(p.options.stages, [
    { duration: '5s', target: 2 },
    { duration: '10s', target: 0 },
  ]);
  assert.deepEqual(p.runtime.env, { A: '1=2', B: '' });
  assert.deepEqual(p.options.tags, { team: 'bots' });
  assert.deepEqual(p.runtime.out, ['json=x.jsonl']);
  assert.equal(p.runtime.noThresholds, true);
  assert.equal(p.runtime.quiet, true);
  assert.deepEqual(p.options.summaryTrendStats, ['avg', 'p(99)']);
  assert.deepEqual(p.args, ['script.js']);
  for (const argv of [
    ['--bogus'],
    ['-u', 'many'],
    ['-d', 'forever'],
    ['-u'],
    ['-e', 'NOEQUALS'],
    ['-e', '1X=2'],
    ['-x'],
  ]) {
    assert.throws(() => parseFlags(argv), UsageError, argv.join(' '));
  }
});

test('env: K6_* variables, bad values are config errors; flags beat env at runtime too', () => {
  const env = parseEnv({
    K6_STAGES: '10s:5,20s:0',
    K6_TAGS: 'a:1,b:2',
    K6_NO_SETUP: 'true',
    K6_SUMMARY_EXPORT: 'env.json',
    K6_OUT: 'json=env.jsonl',
    K6_NO_COLOR: '1',
  });
  assert.deepEqual(env.options.stages, [
    { duration: '10s', target: 5 },
    { duration: '20s', target: 0 },
  ]);
  assert.deepEqual(env.options.tags, { a: '1', b: '2' });
  assert.equal(env.options.noSetup, true);
  const rt = runtimeOf(env, parseFlags(['--summary-export', 'flag.json']));
  assert.equal(rt.summaryExport, 'flag.json');
  assert.deepEqual(rt.out, ['json=env.jsonl']);
  assert.equal(rt.noColor, true);
  assert.equal(rt.includeSystemEnv, true);
  assert.equal(runtimeOf(parseEnv({ NO_COLOR: '1' }), parseFlags([])).noColor, true);
  assert.equal(runtimeOf(parseEnv({ NO_COLOR: '1', K6_NO_COLOR: 'false' }), parseFlags([])).noColor, false);
  for (const bad of [
    { K6_VUS: 'ten' },
    { K6_DURATION: 'long' },
    { K6_NO_SETUP: 'maybe' },
    { K6_STAGES: 'x:y' },
    { RUNNER_QUICKJS: 'bytcode' },
  ]) {
    assert.throws(() => parseEnv(bad), ConfigError, JSON.stringify(bad));
  }
  for (const build of ['bytecode', 'published', 'asyncify']) parseEnv({ RUNNER_QUICKJS: build });
});

test('hosts: IP or IP:port values; anything else is a ConfigError', () => {
  validateOptions({
    hosts: { 'api.example.test': '127.0.0.1', '*.example.test': '10.0.0.1:8443', h: '[::1]:80' },
  } as never);
  assert.throws(
    () => validateOptions({ hosts: { 'api.example.test': 'emulator.local' } } as never),
    (e: Error) =>
      e instanceof ConfigError && /hosts: "api.example.test": "emulator.local" is not an IP/.test(e.message),
  );
  assert.throws(() => validateOptions({ hosts: ['x'] } as never), ConfigError);
});
