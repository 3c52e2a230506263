// report.html from real k6 runs, through tools/run-test.mjs as `make <test>` runs it: a small script against
// a local server that answers with 429s, every real k6 found (tools/test/real-k6.ts) and the Node runner, each
// report opened in headless Chromium. The 429s, retries and final failures the charts and totals show must
// be the counts k6 itself handed to handleSummary.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { noChromium, renderInChromium } from '../../runner/test/chromium.ts';
import { WebSocketServer } from 'ws';
import { realK6sOrSkipReason } from './real-k6.ts';
import { reportBuilder } from './report-builder.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const artifacts = path.join(repo, 'build', 'artifacts');
const binaries = noChromium ? [] : realK6sOrSkipReason();

let server: Server;
let wss: WebSocketServer;
let target = '';
let sandbox = '';

before(async () => {
  let n = 0;
  server = createServer((req, res) => {
    n++;
    if (req.url === '/limited' || n % 3 === 0) {
      res.writeHead(429, { 'Retry-After': '1', 'Content-Type': 'text/plain' });
      res.end('rate limited');
      return;
    }
    res.end('ok');
  });
  wss = new WebSocketServer({ server, path: '/ws' });
  wss.on('connection', (socket) => socket.on('message', (m) => socket.send(String(m))));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  target = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  // run-test's layout: its tools, the runner's flags, a test named rate-limited.
  sandbox = mkdtempSync(path.join(tmpdir(), 'report-real-k6-'));
  for (const dir of ['tools', 'bin', 'tests', 'build/tests', 'build/tools', 'nodebin']) {
    mkdirSync(path.join(sandbox, dir), { recursive: true });
  }
  symlinkSync(process.execPath, path.join(sandbox, 'nodebin', 'node'));
  for (const f of readdirSync(path.join(repo, 'tools')).filter((f) => f.endsWith('.mjs'))) {
    copyFileSync(path.join(repo, 'tools', f), path.join(sandbox, 'tools', f));
  }
  for (const f of ['runner-flags.mjs', 'runner.mjs', 'relaunch.mjs', 'ensure-built.mjs']) {
    copyFileSync(path.join(repo, 'bin', f), path.join(sandbox, 'bin', f));
  }
  // The runner from this checkout's build: bin/runner.mjs runs build/runner/cli.js beside it.
  symlinkSync(path.join(repo, 'build', 'runner'), path.join(sandbox, 'build', 'runner'));
  symlinkSync(path.join(repo, 'node_modules'), path.join(sandbox, 'node_modules'));
  symlinkSync(await reportBuilder(), path.join(sandbox, 'build', 'tools', 'report.js'));
  // run-test builds it, as it builds every test before running it.
  for (const test of ['rate-limited', 'ws-guests']) {
    const fixture = JSON.stringify(path.join(here, 'fixtures', 'report', `${test}.js`));
    writeFileSync(
      path.join(sandbox, 'tests', `${test}.ts`),
      `export * from ${fixture};\nexport { default } from ${fixture};\n`,
    );
  }
});

after(async () => {
  for (const c of wss?.clients ?? []) c.terminate();
  await new Promise((resolve) => wss?.close(resolve));
  await new Promise((resolve) => server?.close(resolve));
  if (sandbox) rmSync(sandbox, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stderr: string;
  dir: string;
}

/** `node tools/run-test.mjs <test>` in the sandbox with `K6=file`, or with the runner when none. */
function runTest(k6?: string, test = 'rate-limited'): Promise<Run> {
  const env: Record<string, string> = {
    PATH: path.join(sandbox, 'nodebin'),
    HOME: process.env.HOME || sandbox,
    // A real-org target: no emulator is started, the script goes to the local server.
    GENESYSCLOUD_API_URL: target,
    TARGET: target,
  };
  if (k6) {
    env.K6 = k6;
    // k6 2.x exports no dashboard for a run shorter than a few of its periods (10 s by default).
    env.K6_WEB_DASHBOARD_PERIOD = '1s';
  }
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['tools/run-test.mjs', test, '--quiet'], {
      cwd: sandbox,
      env,
    });
    let stderr = '';
    child.stdout.resume();
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => {
      const m = /reports in (reports\/[^/]+)\//.exec(stderr);
      resolve({ code, stderr, dir: m ? path.join(sandbox, m[1]) : '' });
    });
  });
}

async function checkReport(run: Run, engine: string, shot: string): Promise<void> {
  assert.equal(run.code, 99, `the crossed 429 threshold exits 99:\n${run.stderr}`);
  assert.doesNotMatch(run.stderr, /report\.html not written/);
  const summary = JSON.parse(readFileSync(path.join(run.dir, 'summary.json'), 'utf8'));
  const metrics = summary.data.metrics;
  const html = readFileSync(path.join(run.dir, 'report.html'), 'utf8');
  assert.match(html, new RegExp(`ran with ${engine.replace(/\./g, '\\.')}`));

  mkdirSync(artifacts, { recursive: true });
  const page = await renderInChromium(path.join(run.dir, 'report.html'), path.join(artifacts, shot));
  assert.deepEqual(page.problems, []);
  assert.deepEqual(page.requests, [], 'opens offline');
  assert.deepEqual(
    page.charts.map((c) => c.id),
    ['reqs', 'p95', 'r429', 'retries', 'final', 'vus'],
  );
  for (const c of page.charts) assert.ok(c.inked > 500, `${c.id}: ${c.inked} pixels drawn`);
  for (const id of ['r429', 'retries', 'final']) {
    assert.ok(page.charts.find((c) => c.id === id)!.peak > 0, `${id} rises above zero`);
  }

  // The stream's counts are k6's own.
  const { totals } = page;
  assert.equal(Number(totals.requests), metrics.http_reqs.values.count);
  assert.equal(Number(totals.status429), metrics['http_reqs{status:429}'].values.count);
  assert.equal(Number(totals.retries), metrics.retries.values.count);
  assert.equal(Number(totals.finalFailures), metrics.final_failures.values.passes);
  assert.ok(Number(totals.status429) > 0 && Number(totals.retries) > 0 && Number(totals.finalFailures) > 0);
  assert.equal(totals.maxVus, '3');

  // The table of junit.xml and summary.md, verdicts and values alike.
  assert.deepEqual(
    page.thresholds.map(([metric, source, value, result]) => [metric, source, value, result]),
    summary.thresholds.map((t: any) => [t.metric, t.expression, t.observedText, t.ok ? '✓ pass' : '✗ fail']),
  );
  assert.deepEqual(
    page.thresholds.map(([metric, source, , result]) => `${metric} ${source} ${result}`),
    [
      'final_failures rate<0.9 ✓ pass',
      'http_req_duration p(95)<2000 ✓ pass',
      'http_reqs{status:429} count<1 ✗ fail',
      'retries count>0 ✓ pass',
    ],
  );
}

async function checkWebSocketReport(run: Run, engine: string, shot: string): Promise<void> {
  assert.equal(run.code, 0, run.stderr);
  const summary = JSON.parse(readFileSync(path.join(run.dir, 'summary.json'), 'utf8'));
  const metrics = summary.data.metrics;
  assert.equal(metrics.ws_sessions.values.count, 6);
  assert.equal(metrics.guest_replies.values.count, 18);
  const page = await renderInChromium(path.join(run.dir, 'report.html'), path.join(artifacts, shot));
  assert.deepEqual(page.problems, []);
  const chart = page.charts.find((c) => c.id === 'ws');
  assert.ok(chart && chart.inked > 500 && chart.peak > 0, `${engine}: the WebSocket chart is drawn`);
  // The stream's counts are the ones k6 handed to handleSummary.
  assert.equal(Number(page.totals.wsSessions), metrics.ws_sessions.values.count);
  assert.equal(Number(page.totals.wsMsgsSent), metrics.ws_msgs_sent.values.count);
  assert.equal(Number(page.totals.wsMsgsReceived), metrics.ws_msgs_received.values.count);
  // The same WebSocket rows as summary.md, beside the REST totals.
  const html = readFileSync(path.join(run.dir, 'report.html'), 'utf8');
  assert.match(html, /<table id="websockets">.*<td>WebSocket sessions \(ws_sessions\)<\/td><td>6<\/td>/);
  assert.match(
    html,
    /Guest lines accepted \/ bot messages \(guest_messages \/ guest_replies\)<\/td><td>18 \/ 18/,
  );
  const md = readFileSync(path.join(run.dir, 'summary.md'), 'utf8');
  assert.match(md, /\| WebSocket sessions \(`ws_sessions`\) \| 6 \|/);
  assert.match(
    readFileSync(path.join(run.dir, 'junit.xml'), 'utf8'),
    /<property name="ws_sessions" value="6"\/>/,
  );
}

describe('report.html from a real k6 run', { skip: noChromium }, () => {
  for (const k6 of binaries) {
    it(`k6 v${k6.version}: 429s, retries, final failures and the threshold table`, async () => {
      const run = await runTest(k6.file);
      await checkReport(run, `k6 v${k6.version}`, `report-k6-v${k6.version}.png`);
      assert.ok(existsSync(path.join(run.dir, 'dashboard.html')), "k6's own dashboard beside it");
    });
  }

  it('the Node runner: the same report from the same script', async () => {
    const run = await runTest();
    await checkReport(run, 'the Node runner', 'report-runner.png');
    assert.ok(!existsSync(path.join(run.dir, 'dashboard.html')));
  });

  for (const k6 of binaries) {
    it(`k6 v${k6.version}: WebSocket sessions and frames beside the REST figures`, async () => {
      const run = await runTest(k6.file, 'ws-guests');
      await checkWebSocketReport(run, `k6 v${k6.version}`, `report-ws-k6-v${k6.version}.png`);
    });
  }

  it('the Node runner: the same WebSocket figures', async () => {
    await checkWebSocketReport(await runTest(undefined, 'ws-guests'), 'the runner', 'report-ws-runner.png');
  });
});
