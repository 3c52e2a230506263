// Which engine runs the bundle: $K6, else `k6` on PATH, else the Node runner in this repository.
import { accessSync, constants, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { runnerAllocatorEnv, runnerNodeFlags } from '../bin/runner-flags.mjs';

function isExecutable(file) {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

export function findOnPath(name, envPath = process.env.PATH || '') {
  for (const dir of envPath.split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, name);
    if (isExecutable(file)) return file;
  }
  return undefined;
}

/**
 * Returns {name, command, args, env?, label, short} for the engine, or throws with one line when $K6 is
 * unusable. `args` come before `run ...`; `short` names it in a report's header.
 */
export function chooseEngine(root, env = process.env) {
  const explicit = env.K6 && env.K6.trim();
  if (explicit) {
    const file = explicit.includes('/') ? path.resolve(explicit) : findOnPath(explicit, env.PATH);
    if (!file || !isExecutable(file)) throw new Error(`K6=${explicit} is not an executable file`);
    return k6Engine(file);
  }
  const onPath = findOnPath('k6', env.PATH);
  if (onPath) return k6Engine(onPath);
  return {
    name: 'runner',
    command: process.execPath,
    args: [...runnerNodeFlags, path.join(root, 'bin', 'runner.mjs')],
    // glibc's allocator settings (bin/runner-flags.mjs), unless the caller chose others.
    env: runnerAllocatorEnv(env),
    label: 'the Node runner (k6 not found on PATH; set K6=/path/to/k6 to use k6)',
    short: 'the Node runner',
  };
}

function k6Engine(file) {
  const v = spawnSync(file, ['version'], { encoding: 'utf8', timeout: 10_000 });
  const version = v.status === 0 ? (/v\d+\.\d+\.\d+\S*/.exec(v.stdout) || [''])[0] : '';
  const short = `k6${version ? ' ' + version : ''}`;
  return { name: 'k6', command: file, args: [], label: `${short} (${file})`, short };
}

const MEANINGS = {
  97: 'k6 cloud could not start or finish the test run.',
  98: 'k6 cloud reported a failure of the test run.',
  99: 'the test ran to the end but crossed one or more thresholds (see junit.xml or summary.md).',
  100: 'setup() did not finish within setupTimeout.',
  101: 'teardown() did not finish within teardownTimeout.',
  102: 'a step of the test timed out.',
  104: "the test's options, scenarios or thresholds are invalid.",
  105: 'the test was interrupted (Ctrl-C or SIGTERM) before it finished.',
  107: 'a JavaScript exception in init code, setup() or teardown() stopped the test.',
  108: 'the script called test.abort().',
  110: 'the script marked the test as failed with test.fail().',
};

/** One sentence for a non-zero exit code, or undefined for success. */
export function explainExit(code) {
  if (code === 0) return undefined;
  const meaning =
    MEANINGS[code] ||
    (code > 128 && code < 160
      ? 'the engine was killed by a signal.'
      : 'the engine failed; its error is printed above.');
  return `exit code ${code}: ${meaning}`;
}
