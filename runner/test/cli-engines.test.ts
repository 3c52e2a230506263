// The two QuickJS builds the runner can stand on (runner/vu/vm.ts): the synchronous one suspended by
// stack switching, the default where V8 offers it, and the asyncify one, the fallback. The same script
// must give the same results on either.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { logMessages, Sandbox } from './cli-helpers.ts';
import { runnerNodeFlags } from '../../bin/runner-flags.mjs';
import { stackSwitching } from '../vu/vm.ts';

const box = new Sandbox();
let server: Server;
let url = '';
before(async () => {
  server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ path: req.url }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.close();
  box.cleanup();
});

// Requests and sleeps at several call depths, in groups, in promise jobs the iteration leaves behind
// (which may request again), and a runaway recursion that QuickJS stops with a catchable error.
const script = `import http from 'k6/http';
import { check, group, sleep } from 'k6';
function deep(n) { return n === 0 ? http.get(__ENV.URL + '/deep').json('path') : deep(n - 1); }
function runaway(n) { return runaway(n + 1) + 1; }
export function setup() { return { first: http.get(__ENV.URL + '/setup').json('path') }; }
export default function (data) {
  group('g', () => {
    check(http.get(__ENV.URL + '/a'), { 'a ok': (r) => r.status === 200 });
    sleep(0.001);
    check(deep(200), { 'deep path': (p) => p === '/deep' });
  });
  try { runaway(0); } catch (e) { console.log('caught ' + e.name); }
  http.asyncRequest('GET', __ENV.URL + '/async').then((r) => {
    check(r, { 'async ok': (x) => x.json('path') === '/async' });
    check(http.get(__ENV.URL + '/job'), { 'job ok': (x) => x.status === 200 });
  });
  check(data, { 'setup data': (d) => d.first === '/setup' });
}
export function teardown() { console.log('teardown ' + http.get(__ENV.URL + '/teardown').status); }
`;

async function runOn(build: 'default' | 'asyncify' | 'published') {
  const s = box.script('engines.js', script);
  const env: Record<string, string> = { URL: url };
  if (build !== 'default') env.RUNNER_QUICKJS = build;
  const r = await box.run(
    ['run', '-q', '--no-color', '-u', '3', '-i', '12', '--summary-export', `${build}.json`, s],
    env,
  );
  const m = r.exported!.metrics as Record<string, Record<string, number>>;
  return {
    code: r.code,
    iterations: m.iterations.count,
    requests: m.http_reqs.count,
    failed: m.http_req_failed.passes,
    checks: [m.checks.passes, m.checks.fails],
    logs: logMessages(r.stderr).sort(),
  };
}

test("a script gives the same results on the runner's own build, the library's and its asyncify build", async () => {
  const [sync, asyncify, published] = await Promise.all([
    runOn('default'),
    runOn('asyncify'),
    runOn('published'),
  ]);
  assert.deepEqual(sync, asyncify);
  assert.deepEqual(published, sync);
  assert.equal(sync.code, 0);
  assert.equal(sync.iterations, 12);
  // setup, teardown, and four requests an iteration (the promise job's included)
  assert.equal(sync.requests, 2 + 12 * 4);
  assert.equal(sync.failed, 0);
  assert.deepEqual(sync.checks, [12 * 5, 0]);
  assert.equal(sync.logs.filter((l) => l.includes('msg="caught InternalError"')).length, 12);
  assert.ok(sync.logs.some((l) => l.includes('msg="teardown 200"')));
});

test('the runner starts with stack switching wherever V8 offers the API it is written for', () => {
  // The test process is started as the runner is (make test passes bin/runner-flags.mjs's flags).
  const flagged = runnerNodeFlags.every((f) => process.execArgv.includes(f));
  if (!flagged) return void console.log('skipped: this process was not started with the runner flags');
  assert.equal(stackSwitching, runnerNodeFlags.length > 0 && process.env.RUNNER_QUICKJS !== 'asyncify');
});

test('100 VUs of one thread requesting back to back while their trampoline calls are replaced', async () => {
  // Replaced every 4 suspensions: V8 11.3 broke in the first second here (a VU thread failed) when every
  // trampoline call went through one promising wrapper (vu/engine-jspi.ts).
  const s = box.script(
    'replaced.js',
    `import http from 'k6/http';\nexport default function () { http.get(__ENV.URL + '/r'); }\n`,
  );
  const r = await box.run(
    ['run', '-q', '--no-color', '-u', '100', '-d', '3s', '--summary-export', 'replaced.json', s],
    {
      URL: url,
      RUNNER_JSPI_RESTART: '4',
    },
  );
  assert.deepEqual(logMessages(r.stderr), []);
  assert.equal(r.code, 0);
  const m = r.exported!.metrics as Record<string, Record<string, number>>;
  assert.ok(m.http_reqs.count > 1000, `${m.http_reqs.count} requests`);
  assert.equal(m.http_req_failed.passes, 0);
});
