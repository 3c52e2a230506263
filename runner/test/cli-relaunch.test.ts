// `npx runner` starts Node without the runner's flags: bin/runner.mjs runs itself again with them and
// the allocator settings, passes the exit code on, and lets each signal reach the run exactly once; killed
// with SIGKILL, it leaves no run behind.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { runnerNodeFlags } from '../../bin/runner-flags.mjs';
import { assertSignals, collect, Sandbox } from './cli-helpers.ts';
import { allStopped, hasProc, waitForDescendants } from './proc.ts';

const box = new Sandbox();
after(() => box.cleanup());
const skip = runnerNodeFlags.length ? false : 'this Node takes no start-up flags for the runner';

test(
  'started without the flags, the run gets them and the allocator settings; exit codes pass',
  { skip },
  async () => {
    const s = box.script(
      'env.js',
      `export const options = { iterations: 1 };
export default function () { console.log('arena=' + __ENV.MALLOC_ARENA_MAX + ' mmap=' + __ENV.MALLOC_MMAP_THRESHOLD_ + ' marker=' + __ENV.RUNNER_RELAUNCHED); }\n`,
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
    await assertSignals(box, []);
  },
);

test(
  'the relaunched run stops within a few seconds of a SIGKILL to the launching process',
  { skip: skip || (hasProc ? false : 'needs /proc') },
  async () => {
    const s = box.script(
      'orphan.js',
      `import { sleep } from 'k6';
export const options = { vus: 2, duration: '30s' };
export default function () { sleep(0.1); }
export function teardown() { console.log('teardown ran'); }\n`,
    );
    const outer = box.start(['run', '-q', '--no-color', s], {}, []);
    // The run's output comes from the child, which holds the pipes: collect ends when it has exited.
    const done = collect(outer, box, []);
    const [inner] = await waitForDescendants(outer.pid!, 1, 10_000);
    await new Promise((r) => setTimeout(r, 1500));
    outer.kill('SIGKILL');
    const ms = await allStopped([inner], 5000);
    const r = await done;
    assert.match(r.stderr, /test run was aborted because the runner's parent process exited/);
    assert.match(r.stderr, /teardown ran/, 'it stopped as on SIGTERM: teardown and summary still ran');
    process.stdout.write(`# the relaunched runner stopped ${ms} ms after its parent's SIGKILL\n`);
  },
);
