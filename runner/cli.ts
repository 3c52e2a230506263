// `runner run [flags] SCRIPT.js` and `runner inspect SCRIPT.js`: k6's command line on the Node.js engine.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { log, setLogSink } from './log.ts';
import {
  consolidate,
  DEFAULTS,
  deriveScenarios,
  scenariosOf,
  validateOptions,
  type Options,
} from './options.ts';
import { parseEnv, parseFlags, runtimeOf, UsageError, type Parsed, type Runtime } from './flags.ts';
import { EXIT, Scheduler, exitCodeOf } from './scheduler.ts';
import { MetricsEngine } from './metrics/engine.ts';
import type { ThresholdsOption } from './thresholds.ts';
import { JsonOutput } from './outputs/json.ts';
import { initOptionsPass, VUPool } from './vu/pool.ts';
import { writeSummary } from './end-of-test.ts';
import { describePlan, Progress } from './progress.ts';
import { writeHtmlReport } from './outputs/html/report.ts';

const USAGE = `Usage:
  runner run [flags] SCRIPT.js
  runner inspect [flags] SCRIPT.js

Flags (run):
  -u, --vus N                 -d, --duration D          -i, --iterations N
  -s, --stage D:TARGET        -e, --env KEY=VALUE       --tag KEY=VALUE
  --summary-export FILE       -o, --out json=FILE       --summary-trend-stats avg,p(95),...
  --summary-time-unit s|ms|us --no-thresholds           --no-summary
  --no-setup                  --no-teardown             -q, --quiet
  --no-color                  --include-system-env-vars=false
Environment: the matching K6_* variables (flags win over them, they win over the script's options).`;

/** Runs the command; resolves with the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'run':
        return await run(rest);
      case 'inspect':
        return await inspect(rest);
      case 'help':
      case '--help':
      case '-h':
      case undefined:
        process.stdout.write(USAGE + '\n');
        return EXIT.OK;
      default:
        throw new UsageError(`unknown command "${command}" for "runner"`);
    }
  } catch (err) {
    log('error', err instanceof Error ? err.message : String(err));
    return exitCodeOf(err, EXIT.OTHER);
  }
}

function scriptArg(flags: Parsed): string {
  if (flags.args.length !== 1) {
    throw new UsageError(`expected exactly one script argument, got ${flags.args.length}`);
  }
  const file = path.resolve(flags.args[0]);
  if (!existsSync(file) || !statSync(file).isFile()) {
    throw new UsageError(`the script "${flags.args[0]}" could not be found on local disk`);
  }
  return file;
}

function vuEnv(rt: Runtime): Record<string, string> {
  const env: Record<string, string> = {};
  if (rt.includeSystemEnv) {
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  }
  return { ...env, ...rt.env };
}

interface Prepared {
  script: string;
  rt: Runtime;
  env: Record<string, string>;
  options: Options;
  exports: string[];
  init: Awaited<ReturnType<typeof initOptionsPass>>;
}

async function prepare(argv: string[]): Promise<Prepared> {
  const flags = parseFlags(argv);
  const script = scriptArg(flags);
  const fromEnv = parseEnv(process.env);
  const rt = runtimeOf(fromEnv, flags);
  const env = vuEnv(rt);
  const init = await initOptionsPass({ script, env, label: flags.args[0] });
  const options = consolidate([DEFAULTS, init.options as Options, fromEnv.options, flags.options]);
  validateOptions(options);
  return { script, rt, env, options, exports: init.exports, init };
}

async function inspect(argv: string[]): Promise<number> {
  const p = await prepare(argv);
  const out = { ...p.options, scenarios: deriveScenarios(p.options) };
  scenariosOf(p.options, p.exports);
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  return EXIT.OK;
}

/**
 * k6 serves its live web dashboard while a test runs (K6_WEB_DASHBOARD=true, on K6_WEB_DASHBOARD_PORT,
 * 5665 by default, -1 for none); the runner has no live page and says so rather than leave the port
 * silently unserved. The test runs on, as with k6's own warnings about options it cannot honour.
 */
export function liveDashboardWarning(rt: Runtime): string | undefined {
  if (!rt.webDashboard || rt.webDashboardPort === '-1') return undefined;
  const port = rt.webDashboardPort ?? '5665';
  const report = rt.webDashboardExport
    ? `the HTML report still goes to ${rt.webDashboardExport} at the end`
    : 'K6_WEB_DASHBOARD_EXPORT=FILE writes the HTML report at the end';
  return `the live web dashboard is not served by this runner (K6_WEB_DASHBOARD_PORT=${port} asks for it); ${report}; set K6_WEB_DASHBOARD_PORT=-1 to silence this`;
}

async function run(argv: string[]): Promise<number> {
  const p = await prepare(argv);
  const { options, rt } = p;
  const scenarios = scenariosOf(options, p.exports, (m) => log('warning', m));
  const dashboard = liveDashboardWarning(rt);
  if (dashboard) log('warning', dashboard);
  const engine = new MetricsEngine({
    thresholds: options.thresholds as ThresholdsOption | undefined,
    noThresholds: rt.noThresholds,
    summaryTrendStats: options.summaryTrendStats,
    summaryTimeUnit: options.summaryTimeUnit,
  });
  for (const def of p.init.metrics) engine.define(def);
  engine.validate();

  const outputs: JsonOutput[] = [];
  for (const o of rt.out) {
    const [type, ...target] = o.split('=');
    if (type !== 'json' || target.length === 0 || target.join('=') === '') {
      throw new UsageError(`unsupported output "${o}": only json=FILE is available`);
    }
    const out = await JsonOutput.open(target.join('='), engine);
    engine.addOutput(out);
    outputs.push(out);
  }

  const progress = rt.quiet ? null : new Progress(process.stdout);
  if (progress) process.stdout.write(['', ...describePlan(scenarios), '', ''].join('\n'));
  if (progress) {
    // Log lines go above the live block on a terminal instead of through it.
    setLogSink((line) => {
      progress.clear();
      process.stderr.write(line + '\n');
    });
  }
  let pool: VUPool | null = null;
  const scheduler: Scheduler = new Scheduler({
    options,
    scenarios,
    engine,
    exported: p.exports,
    runTags: { ...(options.tags ?? {}) },
    env: p.env,
    onTick: (s) => progress?.update(s),
    createPool: async (count, stop) => {
      pool = await VUPool.create({
        signal: stop,
        script: p.script,
        env: p.env,
        // exec.test.options shows the scenarios the shortcuts became, as in k6.
        options: { ...options, scenarios: deriveScenarios(options) },
        count,
        onSamples: (s) => engine.add(s),
        onDefine: (d) => {
          try {
            engine.define(d);
          } catch (e) {
            // The VU that declared it has thrown already; the run goes on with the first definition.
            log('error', (e as Error).message);
          }
        },
        onAbort: (msg) => scheduler.abort(EXIT.TEST_ABORT, msg),
        onFault: (msg) => scheduler.abort(EXIT.OTHER, msg),
      });
      return pool;
    },
  });

  stopRun = (message) => scheduler.abort(EXIT.SIGNAL, message);
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    signals++;
    if (signals > 1) {
      log('error', `received a second ${sig}: stopping at once`);
      process.exit(EXIT.SIGNAL);
    }
    scheduler.abort(EXIT.SIGNAL, `test run was aborted because the runner received a '${sig}' signal`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const result = await scheduler.run();
  progress?.done(scheduler.status());
  if (!rt.noSummary) {
    await writeSummary({
      engine,
      pool,
      hasHandleSummary: p.exports.includes('handleSummary'),
      setupData: result.setupData,
      testRunDurationMs: result.testRunDurationMs,
      noColor: rt.noColor,
      summaryExport: rt.summaryExport,
    });
  }
  if (rt.webDashboard && rt.webDashboardExport) {
    try {
      await writeHtmlReport(rt.webDashboardExport, engine, {
        title: `${path.basename(p.script)}: load test report`,
        testRunDurationMs: result.testRunDurationMs,
      });
    } catch (e) {
      log('error', `could not write the report to ${rt.webDashboardExport}: ${(e as Error).message}`);
    }
  }
  await Promise.all(outputs.map((o) => o.stop()));
  await (pool as VUPool | null)?.close();
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  stopRun = undefined;
  return result.exitCode;
}

// How long a runner whose parent has gone may take to stop gracefully (interrupt, teardown, summary).
const ORPHAN_EXIT_MS = 3000;
let stopRun: ((message: string) => void) | undefined;

// A runner started with an IPC channel (bin/relaunch.mjs starts its child so; any Node parent may) has nobody
// left to stop it once that parent has exited, however it died: the channel closes then, and the run stops as
// on SIGTERM, within ORPHAN_EXIT_MS whatever it is doing.
function stopWithParent(): void {
  if (!process.channel) return;
  process.channel.unref();
  process.once('disconnect', () => {
    setTimeout(() => process.exit(EXIT.SIGNAL), ORPHAN_EXIT_MS).unref();
    if (stopRun) stopRun("test run was aborted because the runner's parent process exited");
    else process.exit(EXIT.SIGNAL);
  });
}

// The program's entry (bin/runner.mjs, `npx runner`, or `node --import tsx runner/cli.ts`).
setLogSink((line) => process.stderr.write(line + '\n'));
stopWithParent();
const code = await main(process.argv.slice(2));
// Let stdout/stderr drain before leaving: the summary may be large and piped.
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
