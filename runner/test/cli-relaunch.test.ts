// `npx runner` starts Node without the runner's flags: bin/runner.mjs runs itself again with them and
// the allocator settings, passes the exit code on, and lets each signal reach the run exactly once.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { runnerNodeFlags } from '../../bin/runner-flags.mjs';
import { assertSignals, collect, Sandbox } from './cli-helpers.ts';

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
