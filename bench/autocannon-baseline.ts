// The reference the runner's throughput goal is stated against: autocannon with N connections (real k6
// reaches ~0.33x of it on the same server). It runs in a process of its own, like autocannon's own CLI,
// so its heap and handles stay out of the process that measures the runner; one process for all the
// windows of a run, so that only its first window starts cold, as the runner's does.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

// Reads one duration in seconds per line, answers one JSON line per window.
const CHILD = `
import autocannon from 'autocannon';
import { createInterface } from 'node:readline';
const [url, connections] = process.argv.slice(1);
for await (const line of createInterface({ input: process.stdin })) {
  const c0 = process.cpuUsage();
  const r = await autocannon({ url, connections: Number(connections), duration: Number(line) });
  const c = process.cpuUsage(c0);
  process.stdout.write(JSON.stringify({ total: r.requests.total, errors: r.errors, non2xx: r.non2xx, cpu: c.user + c.system }) + '\\n');
}
`;

export interface Autocannon {
  /** One window of `seconds`: its requests and the autocannon process's CPU per request. */
  run(seconds: number): Promise<{ requests: number; seconds: number; cpuUs: number }>;
  close(): Promise<void>;
}

export function startAutocannon(url: string, connections: number): Autocannon {
  // From the project's root, where autocannon is installed (this file runs from build/bench/ bundled).
  const here = path.dirname(fileURLToPath(import.meta.url));
  const root = path.resolve(here, here.endsWith(path.join('build', 'bench')) ? '../..' : '..');
  const child: ChildProcess = spawn(
    process.execPath,
    ['--input-type=module', '-e', CHILD, url, String(connections)],
    { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  return {
    async run(seconds) {
      child.stdin!.write(`${seconds}\n`);
      const next = await lines.next();
      if (next.done) throw new Error('autocannon stopped');
      const r = JSON.parse(next.value) as { total: number; errors: number; non2xx: number; cpu: number };
      if (r.errors || r.non2xx)
        throw new Error(`autocannon: ${r.errors} errors, ${r.non2xx} non-2xx responses`);
      return { requests: r.total, seconds, cpuUs: r.cpu / r.total };
    },
    async close() {
      child.stdin!.end();
      if (child.exitCode === null) await once(child, 'exit');
    },
  };
}
