// `npx runner` starts Node without the runner's flags: bin/runner.mjs runs itself again with them and
// the allocator settings, passes the exit code on, and lets each signal reach the run exactly once.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { runnerNodeFlags } from '../../bin/runner-flags.mjs';
import { collect, Sandbox } from './cli-helpers.ts';

const box = new Sandbox();
after(() => box.cleanup());
const skip = runnerNodeFlags.length ? false : 'this Node takes no start-up flags for the runner';

const started = (c: ChildProcess) =>
  new Promise<void>((resolve) => {
    let seen = '';
    c.stdout!.on('data', (d) => {
      seen += d;
      if (seen.includes('running (')) resolve();
    });
  });

test(
  'started without the flags, the run gets them and the allocator settings; exit codes pass',
  { skip },
  async () => {
    const s = box.script(
      'env.js',
      `export const options = { iterations: 1 };
export default function () { console.log('arena=' + __ENV.MALLOC_ARENA_MAX + ' mmap=' + __ENV.MALLOC_MMAP_THRESHOLD_ + ' marker=' + __ENV.RUNNER_RELAUNCHED); }
export function teardown() { throw new Error('teardown failed'); }\n`,
    );
    const r = await collect(box.start(['run', '-q', s], {}, []), box, []);
    assert.match(r.stderr, /arena=1 mmap=16384 marker=undefined/);
    const ok = box.script(
      'ok.js',
      `export const options = { iterations: 1 };\nexport default function () {}\n`,
    );
    assert.equal((await collect(box.start(['run', '-q', ok], {}, []), box, [])).code, 0);
    const missing = await collect(box.start(['run', '-q', 'nope.js'], {}, []), box, []);
    assert.notEqual(missing.code, 0);
    assert.equal(missing.code, (await collect(box.start(['run', '-q', 'nope.js']), box, [])).code);
  },
);

test(
  'a SIGINT to the launching process stops the run gracefully once (105), SIGTERM twice at once',
  { skip },
  async () => {
    const s = box.script(
      'long.js',
      `import { sleep } from 'k6';
export const options = { vus: 2, duration: '30s' };
export default function () { sleep(0.1); }
export function teardown() { console.log('teardown ran'); }\n`,
    );
    const child = box.start(['run', '--no-color', s], {}, []);
    const done = collect(child, box, []);
    await Promise.race([started(child), new Promise((r) => setTimeout(r, 20_000))]);
    child.kill('SIGINT');
    const r = await done;
    assert.equal(r.code, 105, r.stderr);
    assert.match(r.stderr, /teardown ran/);
    assert.match(r.stdout, /iterations\.+:/);

    const slow = box.script(
      'slow.js',
      `import { sleep } from 'k6';
export const options = { vus: 1, duration: '30s' };
export default function () { sleep(0.1); }
export function teardown() { sleep(20); }\n`,
    );
    const c2 = box.start(['run', '--no-color', slow], {}, []);
    const d2 = collect(c2, box, []);
    await Promise.race([started(c2), new Promise((r) => setTimeout(r, 20_000))]);
    const t0 = Date.now();
    c2.kill('SIGTERM');
    setTimeout(() => c2.kill('SIGTERM'), 500);
    assert.equal((await d2).code, 105);
    assert.ok(Date.now() - t0 < 5_000, 'the second signal does not wait for teardown');
  },
);
