// When `runner` was started without the Node flags and allocator settings it runs best with (as `npx
// runner` and a plain `node bin/runner.mjs` start it), it runs itself again with them: V8 takes the
// stack-switching flag only at start-up, and glibc reads its allocator settings only then
// (bin/runner-flags.mjs, tools/engine.mjs). The child has a process group of its own, so a terminal's
// Ctrl-C reaches it once, through this process, as a signal sent to this process's id does: k6's first
// SIGINT stops gracefully and a second stops at once, so none may arrive twice. The child also has an IPC
// channel to this process, which closes when this one exits: killed with SIGKILL, this process cannot pass
// anything on, and the child stops on its own (runner/cli.ts).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runnerAllocatorEnv, runnerNodeFlags } from './runner-flags.mjs';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Runs `script` again in a child with the flags and settings; false when this process has the flags. */
export async function relaunch(script) {
  if (process.env.RUNNER_RELAUNCHED) {
    delete process.env.RUNNER_RELAUNCHED;
    return false;
  }
  const missing = runnerNodeFlags.filter((f) => !process.execArgv.includes(f));
  if (missing.length === 0) return false;
  const env = { ...process.env, ...runnerAllocatorEnv(), RUNNER_RELAUNCHED: '1' };
  const child = spawn(
    process.execPath,
    [...process.execArgv, ...missing, fileURLToPath(script), ...process.argv.slice(2)],
    { env, stdio: ['inherit', 'inherit', 'inherit', 'ipc'], detached: true },
  );
  const forward = (signal) => child.kill(signal);
  for (const s of SIGNALS) process.on(s, forward);
  const [code, signal] = await new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (c, s) => resolve([c, s]));
  });
  for (const s of SIGNALS) process.off(s, forward);
  if (signal) process.kill(process.pid, signal);
  process.exit(code ?? 1);
}
