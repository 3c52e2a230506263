#!/usr/bin/env node
// `make <test>`: runs build/tests/<test>.js with k6 (or the Node runner) against the local emulator, or against
// a real org when GENESYSCLOUD_REGION / GENESYSCLOUD_API_URL are set, and leaves its reports in reports/.
//
//   node tools/run-test.mjs <test> [extra k6 run flags]
//
// RATE, DURATION, VUS and every other variable reach the script's __ENV unchanged; TIME_SCALE changes the
// emulator's clock. The bundle is built first, every time. Exits with the engine's exit code (99 = thresholds
// crossed), whether or not report.html could be built; 2 for bad usage, 1 when the test could not start.
import { existsSync, readdirSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, suiteTests } from './build.mjs';
import { startEmulator } from './emulator-process.mjs';
import { chooseEngine, explainExit } from './engine.mjs';
import { startGuard } from './guard.mjs';
import { checkLatest, createRunDir, linkLatest, unlinkRun } from './report-dir.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const say = (line) => process.stderr.write(`run-test: ${line}\n`);

// The emulator's clock runs this many times faster for tests whose subject is slow platform behaviour.
const TIME_SCALE = { 'analytics-lag': 20, soak: 10 };
const DEMO_CLIENT = { id: 'demo-client', secret: 'demo-secret' };
const METRICS_FILE = 'metrics.json.gz';
const EMULATOR_LOG = 'emulator.log';
const REPORT_FILES = [
  'report.html',
  'dashboard.html',
  'summary.md',
  'junit.xml',
  'summary.json',
  METRICS_FILE,
];

function usage(message) {
  say(message);
  process.exit(2);
}

const [test, ...extraArgs] = process.argv.slice(2);
if (!test || test.startsWith('-')) usage('usage: node tools/run-test.mjs <test> [k6 run flags]');
if (!/^[a-z0-9][a-z0-9-]*$/.test(test)) usage(`"${test}" is not a test name`);
const bundle = path.join('build', 'tests', `${test}.js`);
if (!existsSync(path.join(root, 'tests', `${test}.ts`))) {
  const known = suiteTests(root);
  usage(`no test "${test}" in tests/${known.length ? `; choose one of ${known.join(', ')}` : ''}`);
}

const env = { ...process.env };
const realOrg = Boolean(env.GENESYSCLOUD_REGION?.trim() || env.GENESYSCLOUD_API_URL?.trim());
let timeScale = TIME_SCALE[test] ?? 1;
if (env.TIME_SCALE !== undefined && env.TIME_SCALE !== '') {
  timeScale = Number(env.TIME_SCALE);
  if (!Number.isFinite(timeScale) || timeScale <= 0)
    usage(`TIME_SCALE must be a positive number, got "${env.TIME_SCALE}"`);
}

let engine;
try {
  engine = chooseEngine(root, env);
} catch (err) {
  usage(err.message);
}

const reportsRoot = path.join(root, 'reports');
try {
  checkLatest(reportsRoot);
} catch (err) {
  say(err.message);
  process.exit(1);
}

// Every time: a bundle older than its sources (a failed build left the last good one) would run stale
// thresholds and pass.
const built = await build(root, { tests: [test] });
for (const w of built.warnings) say(`build warning: ${w}`);
for (const e of built.errors) say(`build failed: ${e}`);
if (built.errors.length) process.exit(1);

// Outlives this process, to stop the emulator and the engine should it be killed (tools/guard.mjs).
const guard = startGuard();
const runName = createRunDir(reportsRoot, test);
const reportDir = path.join('reports', runName);

Object.assign(env, engine.env);
env.TEST_NAME = test;
env.REPORT_DIR = reportDir;
// report.html is built afterwards from the metrics stream, so k6's own dashboard, which cannot chart the
// suite's metrics, goes beside it. The runner's export would only repeat report.html.
if (engine.name === 'k6') {
  env.K6_WEB_DASHBOARD ||= 'true';
  env.K6_WEB_DASHBOARD_EXPORT ||= path.join(reportDir, 'dashboard.html');
  env.K6_WEB_DASHBOARD_PORT ||= '-1';
}

/**
 * The `--out` flags: the NDJSON stream report.html is built from, and K6_OUT's outputs, which a flag would
 * otherwise replace (both engines take `--out` over K6_OUT).
 */
function outFlags(args, k6Out) {
  const flags = ['--out', `json=${path.join(reportDir, METRICS_FILE)}`];
  const ownOut = args.some((a) => /^(-o|--out)(=|$)/.test(a) || /^-o./.test(a));
  if (!ownOut && k6Out?.trim()) {
    for (const o of k6Out.split(',')) if (o.trim()) flags.push('--out', o.trim());
  }
  return flags;
}

let emulator;
let child;
let engineCode;
let interrupts = 0;
let stopping;
// Where reports/latest pointed before this run's engine started (null: nowhere); undefined until then.
let latestBefore;
let settled;

// Ctrl-C or SIGTERM: pass it to the engine, which stops the test and still writes its summary (a second one
// stops it hard, as with k6). Before the engine runs there is only the emulator to stop; after it, only the
// report to give up.
function onSignal(sig) {
  interrupts++;
  if (child && child.exitCode === null && child.signalCode === null) {
    // k6 stops gracefully on SIGINT/SIGTERM only; a hangup would kill it before the summary.
    child.kill(interrupts > 1 ? 'SIGKILL' : sig === 'SIGHUP' ? 'SIGTERM' : sig);
    return;
  }
  if (!child) shutdown(130);
  else if (engineCode !== undefined) {
    say('report.html not written: interrupted');
    shutdown(engineCode);
  }
}
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => onSignal(sig));
// Last resort if this process dies on an uncaught error: no emulator left behind.
process.on('exit', () => emulator?.stopNow());

async function shutdown(code, { keepLog = false } = {}) {
  stopping ||= (async () => {
    if (emulator) await emulator.stop();
    guard.forget(emulator?.pid);
    settleReports({ keepLog });
    process.exit(code);
  })();
  return stopping;
}

/**
 * The run's files once it is over. reports/latest moved to this run when its engine started (so a run killed
 * on the way is what it shows); a run that wrote nothing puts it back and leaves no folder, unless `keepLog`
 * keeps the log of an emulator that could not start.
 */
function settleReports({ keepLog = false } = {}) {
  if (settled) return settled;
  const dir = path.join(root, reportDir);
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f !== EMULATOR_LOG) : [];
  if (files.length === 0)
    unlinkRun(reportsRoot, runName, latestBefore ?? null, keepLog ? [EMULATOR_LOG] : []);
  const known = REPORT_FILES.filter((f) => files.includes(f));
  settled = [...known, ...files.filter((f) => !known.includes(f)).sort()];
  return settled;
}

async function main() {
  if (realOrg) {
    const where = env.GENESYSCLOUD_API_URL?.trim() || `region ${env.GENESYSCLOUD_REGION.trim()}`;
    say(`${test} with ${engine.label} against the real org at ${where}`);
  } else {
    const started = startEmulator({ root, timeScale, logFile: path.join(root, reportDir, EMULATOR_LOG) });
    guard.watch(started.pid, 'the emulator');
    emulator = { pid: started.pid, stopNow: started.stopNow, stop: async () => {} };
    let ready;
    try {
      ready = await started.ready;
    } catch (err) {
      say(err.message);
      return shutdown(1, { keepLog: true });
    }
    emulator = { ...ready, stopNow: started.stopNow };
    env.GENESYSCLOUD_API_URL = ready.url;
    env.GENESYSCLOUD_LOGIN_URL = ready.url;
    env.GENESYSCLOUD_OAUTHCLIENT_ID = DEMO_CLIENT.id;
    env.GENESYSCLOUD_OAUTHCLIENT_SECRET = DEMO_CLIENT.secret;
    delete env.GENESYSCLOUD_OAUTHCLIENTS;
    delete env.GENESYSCLOUD_REGION;
    // The suite converts the platform's per-minute limits with the same clock the emulator runs.
    env.TIME_SCALE = String(timeScale);
    say(`${test} with ${engine.label} against the emulator at ${ready.url} (time scale ${timeScale})`);
  }
  if (interrupts) return shutdown(130);

  // Own process group: a terminal Ctrl-C reaches the engine once, through onSignal, not twice.
  const args = [...engine.args, 'run', ...outFlags(extraArgs, env.K6_OUT), ...extraArgs, bundle];
  child = spawn(engine.command, args, {
    cwd: root,
    env,
    stdio: 'inherit',
    detached: true,
  });
  guard.watch(child.pid, 'the engine');
  try {
    latestBefore = linkLatest(reportsRoot, runName);
  } catch (err) {
    say(err.message);
  }
  const code = await new Promise((resolve) => {
    child.once('error', (err) => {
      say(`could not start ${engine.command}: ${err.message}`);
      resolve(255);
    });
    child.once('exit', (c, sig) => resolve(c ?? 128 + (constants.signals[sig] || 0)));
  });
  guard.forget(child.pid);
  engineCode = code;

  await writeReport();
  const files = settleReports();
  say(
    files.length
      ? `reports in ${reportDir}/ (reports/latest): ${files.join(', ')}`
      : 'no reports written; reports/latest not moved',
  );
  const why = explainExit(code);
  if (why) say(why);
  return shutdown(code);
}

// The same builder for either engine; its failure is one line and leaves the exit code to the test.
async function writeReport() {
  const builder = path.join(root, 'build', 'tools', 'report.js');
  try {
    if (!existsSync(builder)) throw new Error('build/tools/report.js is missing; run "make build"');
    const { buildReport } = await import(pathToFileURL(builder).href);
    await buildReport({
      dir: path.join(root, reportDir),
      metrics: METRICS_FILE,
      title: `${test}: load test report`,
      engine: engine.short,
    });
  } catch (err) {
    if (!stopping) say(`report.html not written: ${err.message}`);
  }
}

main().catch((err) => {
  say(err.message);
  return shutdown(1);
});
