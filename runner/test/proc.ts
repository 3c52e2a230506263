// Which processes a test started are still running, read from /proc (Linux), and whether a port still
// listens: for tests that kill a parent with SIGKILL and prove its children stop too. An orphan that has exited can stay a zombie when nobody reaps
// it (PID 1 of a container often does not), so a zombie counts as stopped.
import { readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';

interface Stat {
  pid: number;
  ppid: number;
  state: string;
}

function stat(pid: number): Stat | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces: the fields after it are fixed.
    const [state, ppid] = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return { pid, ppid: Number(ppid), state };
  } catch {
    return undefined;
  }
}

export const hasProc = (() => {
  try {
    readdirSync('/proc/self');
    return true;
  } catch {
    return false;
  }
})();

/** The process runs: it exists and is not a zombie. */
export function running(pid: number): boolean {
  const s = stat(pid);
  return s !== undefined && s.state !== 'Z';
}

/** The process's command line, '' once it is gone. */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/** Every running process below `pid`, children first. */
export function descendants(pid: number): number[] {
  const all = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map((d) => stat(Number(d)))
    .filter((s): s is Stat => s !== undefined && s.state !== 'Z');
  const found: number[] = [];
  for (let i = -1, parent = pid; i < found.length; parent = found[++i]) {
    for (const s of all) if (s.ppid === parent) found.push(s.pid);
  }
  return found;
}

/** Polls until none of `pids` runs; resolves with the ms that took, or rejects naming those left at `limitMs`. */
export async function allStopped(pids: number[], limitMs: number): Promise<number> {
  const from = Date.now();
  for (;;) {
    const left = pids.filter(running);
    if (left.length === 0) return Date.now() - from;
    if (Date.now() - from > limitMs) throw new Error(`still running after ${limitMs} ms: ${left.join(', ')}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Resolves once `pid` has at least `count` running descendants, or rejects after `limitMs`. */
export async function waitForDescendants(pid: number, count: number, limitMs: number): Promise<number[]> {
  const from = Date.now();
  for (;;) {
    const found = descendants(pid);
    if (found.length >= count) return found;
    if (Date.now() - from > limitMs) throw new Error(`pid ${pid} has ${found.length} of ${count} children`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Whether something accepts connections on 127.0.0.1:port. */
export function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
