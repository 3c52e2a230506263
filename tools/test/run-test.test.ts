// tools/run-test.mjs as a user meets it: a sandbox copy of the repository layout where bin/emulator.mjs and
// the engine are small stand-ins that record what they were given.
import { strict as assert } from 'node:assert';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { alive, gone, runTest, sandbox } from './run-test-sandbox.ts';

const tools = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

describe('run-test: bad input', () => {
  it('names the known tests for an unknown one, exit 2', async () => {
    const r = await runTest(['nosuch']);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, 'run-test: no test "nosuch" in tests/; choose one of demo\n');
    assert.deepEqual(r.records, []);
  });

  it('refuses a K6 that is not an executable, exit 2', async () => {
    const r = await runTest(['demo'], { K6: '/nonexistent/k6' });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^run-test: K6=\/nonexistent\/k6 is not an executable file\n$/);
  });

  it('refuses a bad TIME_SCALE, exit 2', async () => {
    const r = await runTest(['demo'], { TIME_SCALE: 'fast' });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /TIME_SCALE must be a positive number, got "fast"/);
  });
});

describe('run-test: against the emulator', () => {
  it('starts the emulator, points the runner at it with the demo client, stops it afterwards', async () => {
    const r = await runTest(['demo', '--quiet'], {
      RATE: '7',
      DURATION: '20s',
      VUS: '3',
      GENESYSCLOUD_OAUTHCLIENTS: 'real:secret',
    });
    assert.equal(r.code, 0, r.stderr);
    const emulator = r.records.find((x) => x.event === 'emulator')!;
    const run = r.records.find((x) => x.event === 'run')!;
    assert.deepEqual(emulator.args, ['--port', '0', '--time-scale', '1']);
    assert.equal(run.health, 200, 'the emulator answered while the test ran');
    const [runDir] = readdirSync(path.join(r.root, 'reports')).filter((d) => d.endsWith('-demo'));
    assert.match(runDir, /^\d{8}T\d{6}Z-demo$/);
    assert.equal(readlinkSync(path.join(r.root, 'reports', 'latest')), runDir);
    const reportDir = `reports/${runDir}`;
    assert.deepEqual(run.args, [
      'run',
      '--out',
      `json=${reportDir}/metrics.json.gz`,
      '--quiet',
      'build/tests/demo.js',
    ]);
    assert.equal(run.cwd, r.root);
    assert.deepEqual(run.env, {
      GENESYSCLOUD_API_URL: run.env.GENESYSCLOUD_API_URL,
      GENESYSCLOUD_LOGIN_URL: run.env.GENESYSCLOUD_API_URL,
      GENESYSCLOUD_OAUTHCLIENT_ID: 'demo-client',
      GENESYSCLOUD_OAUTHCLIENT_SECRET: 'demo-secret',
      REPORT_DIR: reportDir,
      TEST_NAME: 'demo',
      RATE: '7',
      DURATION: '20s',
      VUS: '3',
      TIME_SCALE: '1',
      MALLOC_MMAP_THRESHOLD_: '16384',
      MALLOC_ARENA_MAX: '1',
    });
    assert.match(run.env.GENESYSCLOUD_API_URL, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(await gone(emulator.pid), 'emulator stopped');

    const lines = r.stderr.trim().split('\n');
    assert.equal(
      lines[0],
      `run-test: demo with the Node runner (k6 not found on PATH; set K6=/path/to/k6 to use k6) against the emulator at ${run.env.GENESYSCLOUD_API_URL} (time scale 1)`,
    );
    assert.equal(
      lines[1],
      `run-test: reports in ${reportDir}/ (reports/latest): report.html, summary.md, junit.xml, summary.json, metrics.json.gz`,
    );
    assert.equal(lines.length, 2);
    const html = readFileSync(path.join(r.root, reportDir, 'report.html'), 'utf8');
    assert.match(html, /<title>demo: load test report<\/title>/);
    assert.match(html, /ran with the Node runner/);
    const cell = (key: string) => new RegExp(`<td data-total="${key}">([^<]*)</td>`).exec(html)?.[1];
    assert.deepEqual([cell('requests'), cell('status429'), cell('retries')], ['6', '1', '1']);
    const crossed = /<tr><td>retries<\/td><td><code>count&lt;1<\/code><\/td><td>1<\/td><td class="fail">/;
    assert.ok(crossed.test(html), 'the crossed retries threshold is in the table');
    assert.match(readFileSync(path.join(r.root, reportDir, 'emulator.log'), 'utf8'), /some later log line/);
  });

  it('passes exit code 99 through with one sentence', async () => {
    const r = await runTest(['demo'], { FAKE_EXIT: '99', TIME_SCALE: '5' });
    assert.equal(r.code, 99);
    assert.deepEqual(r.records.find((x) => x.event === 'emulator')!.args.slice(-1), ['5']);
    assert.match(
      r.stderr,
      /\nrun-test: exit code 99: the test ran to the end but crossed one or more thresholds \(see junit.xml or summary.md\)\.\n$/,
    );
    assert.ok(await gone(r.records.find((x) => x.event === 'emulator')!.pid));
  });

  it('forwards one Ctrl-C to the engine, waits for its summary, then stops the emulator', async () => {
    const r = await runTest(
      ['demo'],
      { FAKE_WAIT: '1' },
      {
        onRecord: (rec, child) => {
          if (rec.event === 'waiting') child.kill('SIGINT');
        },
      },
    );
    assert.equal(r.code, 105, r.stderr);
    assert.deepEqual(
      r.records.filter((x) => x.event.startsWith('SIG')),
      [{ event: 'SIGINT', n: 1 }],
    );
    assert.match(r.stderr, /exit code 105: the test was interrupted/);
    assert.ok(await gone(r.records.find((x) => x.event === 'emulator')!.pid));
    assert.ok(!alive(r.records.find((x) => x.event === 'run')!.pid));
  });

  it('turns a hangup into SIGTERM, which the engine stops on gracefully', async () => {
    const r = await runTest(
      ['demo'],
      { FAKE_WAIT: '1' },
      {
        onRecord: (rec, child) => {
          if (rec.event === 'waiting') child.kill('SIGHUP');
        },
      },
    );
    assert.equal(r.code, 105, r.stderr);
    assert.deepEqual(
      r.records.filter((x) => x.event.startsWith('SIG')),
      [{ event: 'SIGTERM', n: 1 }],
    );
  });

  it('uses k6 from PATH, or $K6, before the runner, with its dashboard beside report.html', async () => {
    const root = await sandbox();
    const onPath = await runTest(['demo'], { PATH: `${root}:${root}/nodebin` }, { root });
    assert.equal(onPath.code, 0, onPath.stderr);
    assert.match(
      onPath.stderr,
      new RegExp(`^run-test: demo with k6 v0\\.49\\.0 \\(${root}/k6\\) against the emulator`),
    );
    const run = onPath.records.find((x) => x.event === 'run')!;
    assert.equal(run.env.K6_WEB_DASHBOARD, 'true');
    assert.equal(run.env.K6_WEB_DASHBOARD_EXPORT, `${run.env.REPORT_DIR}/dashboard.html`);
    assert.equal(run.env.K6_WEB_DASHBOARD_PORT, '-1');
    assert.match(
      readFileSync(path.join(root, run.env.REPORT_DIR, 'report.html'), 'utf8'),
      /ran with k6 v0\.49\.0/,
    );
    const explicit = await runTest(['demo'], { K6: path.join(root, 'k6') });
    assert.match(explicit.stderr, /^run-test: demo with k6 v0\.49\.0 \(/);
  });
});

describe('run-test: report.html', () => {
  it('keeps the outputs of K6_OUT beside the metrics stream, unless the command line names its own', async () => {
    const fromEnv = await runTest(['demo'], { K6_OUT: 'csv=a.csv,json=b.json' });
    const dir = fromEnv.records.find((x) => x.event === 'run')!.env.REPORT_DIR;
    assert.deepEqual(fromEnv.records.find((x) => x.event === 'run')!.args, [
      'run',
      '--out',
      `json=${dir}/metrics.json.gz`,
      '--out',
      'csv=a.csv',
      '--out',
      'json=b.json',
      'build/tests/demo.js',
    ]);
    const own = await runTest(['demo', '-o', 'csv=c.csv'], { K6_OUT: 'csv=a.csv' });
    const ownDir = own.records.find((x) => x.event === 'run')!.env.REPORT_DIR;
    assert.deepEqual(own.records.find((x) => x.event === 'run')!.args, [
      'run',
      '--out',
      `json=${ownDir}/metrics.json.gz`,
      '-o',
      'csv=c.csv',
      'build/tests/demo.js',
    ]);
  });

  it("says in one line why it could not be built and keeps the test's exit code", async () => {
    const noBuilder = await runTest(
      ['demo'],
      { FAKE_EXIT: '99' },
      { root: await sandbox({ builder: false }) },
    );
    assert.equal(noBuilder.code, 99);
    const lines = noBuilder.stderr.trim().split('\n');
    assert.equal(
      lines[1],
      'run-test: report.html not written: build/tools/report.js is missing; run "make build"',
    );
    assert.match(
      lines[2],
      /^run-test: reports in .*: summary\.md, junit\.xml, summary\.json, metrics\.json\.gz$/,
    );
    assert.equal(lines.length, 4);

    const noMetrics = await runTest(['demo'], { FAKE_NO_METRICS: '1' });
    assert.equal(noMetrics.code, 0);
    const dir = noMetrics.records.find((x) => x.event === 'run')!.env.REPORT_DIR;
    assert.equal(
      noMetrics.stderr.trim().split('\n')[1],
      `run-test: report.html not written: ${dir}/metrics.json.gz is missing: the engine wrote no metrics stream`,
    );
    assert.ok(!existsSync(path.join(noMetrics.root, dir, 'report.html')));
  });
});

describe('run-test: reports/latest', () => {
  it('moves the link to each new run and refuses to replace a real directory', async () => {
    const root = await sandbox();
    const first = await runTest(['demo'], {}, { root });
    const firstDir = readlinkSync(path.join(root, 'reports', 'latest'));
    const second = await runTest(['demo'], {}, { root });
    const secondDir = readlinkSync(path.join(root, 'reports', 'latest'));
    assert.equal(first.code, 0);
    assert.equal(second.code, 0);
    assert.notEqual(firstDir, secondDir);
    assert.ok(existsSync(path.join(root, 'reports', firstDir, 'summary.md')), 'the older run is kept');

    rmSync(path.join(root, 'reports', 'latest'));
    mkdirSync(path.join(root, 'reports', 'latest'));
    const blocked = await runTest(['demo'], {}, { root });
    assert.equal(blocked.code, 1);
    assert.match(blocked.stderr, /^run-test: .*reports\/latest exists and is not a symlink; remove it/);
  });
});

describe('run-test: when the emulator cannot start', () => {
  it('says so in one line with its log, runs no test, exit 1', async () => {
    const root = await sandbox();
    writeFileSync(path.join(root, 'bin', 'emulator.mjs'), "console.error('port in use'); process.exit(3);\n");
    const r = await runTest(['demo'], {}, { root });
    assert.equal(r.code, 1);
    const [runDir] = readdirSync(path.join(root, 'reports')).filter((d) => d.endsWith('-demo'));
    const log = `reports/${runDir}/emulator.log`;
    assert.equal(
      r.stderr,
      `run-test: the emulator exited (code 3) before listening; see ${path.join(root, log)}\n`,
    );
    assert.equal(readFileSync(path.join(root, log), 'utf8'), 'port in use\n');
    assert.deepEqual(r.records, []);
  });
});

describe('run-test: with the real emulator', () => {
  const repo = path.resolve(tools, '..');
  const todo = existsSync(path.join(repo, 'emulator', 'main.ts')) ? false : 'needs emulator/main.ts';
  it('reads its listening line, the engine reaches it, and it is stopped afterwards', { todo }, async () => {
    if (todo) return;
    const root = await sandbox();
    rmSync(path.join(root, 'bin', 'emulator.mjs'));
    symlinkSync(path.join(repo, 'bin', 'emulator.mjs'), path.join(root, 'bin', 'emulator.mjs'));
    const r = await runTest(['demo'], { TIME_SCALE: '30' }, { root });
    assert.equal(r.code, 0, r.stderr);
    const run = r.records.find((x) => x.event === 'run')!;
    assert.equal(run.health, 200);
    assert.match(r.stderr, /against the emulator at http:\/\/127\.0\.0\.1:\d+ \(time scale 30\)/);
    const port = Number(new URL(run.env.GENESYSCLOUD_API_URL).port);
    const refused = await fetch(`http://127.0.0.1:${port}/__emulator/health`).then(
      () => false,
      () => true,
    );
    assert.ok(refused, 'nothing listens on the port after the run');
    const saved = readFileSync(path.join(root, 'reports', 'latest', 'emulator.log'), 'utf8');
    assert.match(saved, /GENESYSCLOUD_OAUTHCLIENT_SECRET=<redacted>/);
    assert.doesNotMatch(saved, /demo-secret/);
  });
});

describe('run-test: against a real org', () => {
  it('starts no emulator and keeps the org settings, without printing the secret', async () => {
    const r = await runTest(['demo'], {
      GENESYSCLOUD_REGION: 'eu-west-1',
      GENESYSCLOUD_OAUTHCLIENT_ID: 'my-client',
      GENESYSCLOUD_OAUTHCLIENT_SECRET: 'very-secret-value',
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.records.filter((x) => x.event === 'emulator').length, 0);
    const run = r.records.find((x) => x.event === 'run')!;
    assert.equal(run.env.GENESYSCLOUD_REGION, 'eu-west-1');
    assert.equal(run.env.GENESYSCLOUD_OAUTHCLIENT_SECRET, 'very-secret-value');
    assert.equal(run.env.GENESYSCLOUD_API_URL, undefined);
    assert.match(
      r.stderr,
      /^run-test: demo with the Node runner .* against the real org at region eu-west-1\n/,
    );
    assert.doesNotMatch(r.stderr + r.stdout, /very-secret-value/);
  });
});
