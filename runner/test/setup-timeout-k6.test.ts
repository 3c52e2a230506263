// A setup() stopped at setupTimeout, on the runner and on each real k6: exit 100, k6's error line with its
// hint, and the summary still holding what setup did before the stop (its group and check, its request,
// data_sent and data_received), whether setup was sleeping or busy in JavaScript when the time ran out.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { logMessages, runnerBin, Sandbox } from './cli-helpers.ts';
import { runnerNodeFlags } from '../../bin/runner-flags.mjs';
import { realK6sOrSkipReason } from '../../tools/test/real-k6.ts';

const box = new Sandbox();
let server: http.Server;
const scripts: Record<string, string> = {};

const SCRIPT = (base: string, wait: string) => `import http from 'k6/http';
import { check, sleep } from 'k6';
export const options = { vus: 1, iterations: 1, setupTimeout: '2s' };
export function setup() {
  check(http.get('${base}/'), { 'setup ok': (r) => r.status === 200 });
  ${wait}
}
export default function () {}
`;

before(async () => {
  server = http.createServer((_, res) => res.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  scripts.sleeping = box.script('sleeping.js', SCRIPT(base, 'sleep(10);'));
  scripts.busy = box.script('busy.js', SCRIPT(base, 'for (;;) {}'));
});
after(() => {
  server.close();
  box.cleanup();
});

const run = (cmd: string, args: string[]) => box.exec(cmd, args);

interface Outcome {
  code: number;
  errors: string[];
  groups: unknown;
  http_reqs: number;
  data_received: number;
  data_sent: number;
}

async function outcome(cmd: string, pre: string[], name: string, tag: string): Promise<Outcome> {
  const exp = `${tag}-${name}.json`;
  const r = await run(cmd, [...pre, 'run', '-q', '--summary-export', exp, scripts[name]]);
  const e = JSON.parse(readFileSync(path.join(box.dir, exp), 'utf8')) as {
    root_group: { groups: Record<string, { checks: Record<string, { passes: number; fails: number }> }> };
    metrics: Record<string, { count: number }>;
  };
  const groups = Object.fromEntries(
    Object.entries(e.root_group.groups).map(([g, v]) => [
      g,
      Object.fromEntries(Object.entries(v.checks).map(([c, x]) => [c, [x.passes, x.fails]])),
    ]),
  );
  return {
    code: r.code,
    errors: logMessages(r.stderr).filter((l) => l.startsWith('level=error')),
    groups,
    http_reqs: e.metrics.http_reqs?.count ?? 0,
    data_received: e.metrics.data_received?.count ?? 0,
    data_sent: e.metrics.data_sent?.count ?? 0,
  };
}

const runner = (name: string) => outcome(process.execPath, [...runnerNodeFlags, runnerBin], name, 'runner');

for (const name of ['sleeping', 'busy']) {
  test(`a timed-out setup() (${name}) keeps its group, check and data; the error line has k6's hint`, async () => {
    const got = await runner(name);
    assert.equal(got.code, 100);
    assert.deepEqual(got.errors, [
      'level=error msg="setup() execution timed out after 2 seconds" hint="You can increase the time limit via the setupTimeout option"',
    ]);
    assert.deepEqual(got.groups, { setup: { 'setup ok': [1, 0] } });
    assert.equal(got.http_reqs, 1);
    assert.ok(got.data_received > 100, `data_received ${got.data_received}`);
    assert.ok(got.data_sent > 50, `data_sent ${got.data_sent}`);
  });
}

for (const k6 of realK6sOrSkipReason()) {
  test(`a timed-out setup(): the runner's exit, error line and summary are k6 ${k6.version}'s`, async () => {
    for (const name of ['sleeping', 'busy']) {
      const want = await outcome(k6.file, [], name, `k6-${k6.version}`);
      const got = await runner(name);
      // The runner's request head is not byte for byte k6's (its User-Agent among them): data_sent
      // is only checked above.
      assert.deepEqual({ ...got, data_sent: 0 }, { ...want, data_sent: 0 }, name);
    }
  });
}
