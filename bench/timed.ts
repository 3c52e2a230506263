// One engine's process under /usr/bin/time: its exit code, its stderr, and what the kernel counted for it
// (wall seconds, user + sys CPU seconds of the process tree, maximum RSS), for the benchmarks that set the
// runner against real k6.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';

export interface Timed {
  code: number | null;
  stderr: string;
  wall: number;
  cpu: number;
  rssMB: number;
}

/** Runs `cmd` with `env`; `timeFile` is where /usr/bin/time writes its line. */
export async function timed(
  cmd: string[],
  opts: { env: NodeJS.ProcessEnv; timeFile: string; cwd?: string },
): Promise<Timed> {
  const child = spawn('/usr/bin/time', ['-o', opts.timeFile, '-f', '%e %U %S %M', ...cmd], {
    cwd: opts.cwd,
    env: opts.env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  // The last line: a child killed by a signal makes time(1) print a note above it.
  const [wall, user, sys, rssKB] = readFileSync(opts.timeFile, 'utf8')
    .trim()
    .split('\n')
    .pop()!
    .split(' ')
    .map(Number);
  return { code, stderr, wall, cpu: user + sys, rssMB: rssKB / 1024 };
}
