// Runs the built runner (bin/runner.mjs) on small scripts written to a temporary folder.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runnerNodeFlags } from '../../bin/runner-flags.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const runnerBin = path.join(repoRoot, 'bin', 'runner.mjs');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** the --summary-export file, when the run wrote one */
  exported?: { metrics: Record<string, Record<string, number>>; [k: string]: unknown };
}

export class Sandbox {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'runner-cli-'));

  script(name: string, source: string): string {
    const file = path.join(this.dir, name);
    writeFileSync(file, source);
    return file;
  }

  read(name: string): string {
    return readFileSync(path.join(this.dir, name), 'utf8');
  }

  exists(name: string): boolean {
    return existsSync(path.join(this.dir, name));
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Starts a program (real k6, the runner) in this folder, without the caller's K6_* settings. */
  spawn(cmd: string, args: string[], env: Record<string, string> = {}): ChildProcess {
    const base: Record<string, string | undefined> = { ...process.env };
    for (const k of Object.keys(base)) if (k.startsWith('K6_')) delete base[k];
    return spawn(cmd, args, { cwd: this.dir, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  }

  /** Starts the runner, by default with the Node flags it wants (`nodeFlags: []`, as `npx runner` does). */
  start(args: string[], env: Record<string, string> = {}, nodeFlags = runnerNodeFlags): ChildProcess {
    return this.spawn(process.execPath, [...nodeFlags, runnerBin, ...args], env);
  }

  /** Runs a program to the end (killed after 60 s): real k6 and the runner on the same script. */
  exec(cmd: string, args: string[]): Promise<CliResult> {
    return collect(this.spawn(cmd, args), this, args);
  }

  /** Runs to the end (killed after 60 s); with `--summary-export x.json` in args the export is parsed. */
  async run(
    args: string[],
    env: Record<string, string> = {},
    during?: (c: ChildProcess) => void,
  ): Promise<CliResult> {
    const child = this.start(args, env);
    during?.(child);
    return collect(child, this, args);
  }
}

export function collect(child: ChildProcess, box: Sandbox, args: string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const r: CliResult = { code: code ?? (signal ? 128 : 255), stdout, stderr };
      const i = args.indexOf('--summary-export');
      if (i >= 0 && box.exists(args[i + 1])) r.exported = JSON.parse(box.read(args[i + 1]));
      resolve(r);
    });
  });
}

/** The log lines of stderr without their time, quotes inside values unescaped for easier matching. */
export function logMessages(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((l) => l.startsWith('time='))
    .map((l) => l.replace(/^time="[^"]*" /, '').replace(/\\"/g, '"'));
}

/** Resolves once a non-quiet, non-TTY run printed its first plain progress line (or after 20 s). */
function started(c: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    let seen = '';
    c.stdout!.on('data', (d) => {
      seen += d;
      if (seen.includes('running (')) resolve();
    });
    setTimeout(resolve, 20_000).unref();
  });
}

/**
 * k6's signals, sent to the process `start` began: a first SIGINT stops gracefully (teardown and summary
 * still run, exit 105), and a second SIGTERM stops at once without waiting for a slow teardown.
 */
export async function assertSignals(box: Sandbox, nodeFlags = runnerNodeFlags): Promise<void> {
  const s = box.script(
    'long.js',
    `import { sleep } from 'k6';
export const options = { vus: 2, duration: '30s' };
export default function () { sleep(0.1); }
export function teardown() { console.log('teardown ran'); }\n`,
  );
  const child = box.start(['run', '--no-color', s], {}, nodeFlags);
  const done = collect(child, box, []);
  await started(child);
  child.kill('SIGINT');
  const r = await done;
  assert.equal(r.code, 105, r.stderr);
  assert.match(r.stderr, /aborted because the runner received a 'SIGINT' signal/);
  assert.match(r.stderr, /teardown ran/);
  assert.match(r.stdout, /iterations\.+:/);

  const slow = box.script(
    'slow-teardown-2.js',
    `import { sleep } from 'k6';
export const options = { vus: 1, duration: '30s' };
export default function () { sleep(0.1); }
export function teardown() { sleep(20); }\n`,
  );
  const c2 = box.start(['run', '--no-color', slow], {}, nodeFlags);
  const d2 = collect(c2, box, []);
  await started(c2);
  const t0 = Date.now();
  c2.kill('SIGTERM');
  setTimeout(() => c2.kill('SIGTERM'), 500);
  assert.equal((await d2).code, 105);
  assert.ok(Date.now() - t0 < 5_000, 'the second signal does not wait for teardown');
}
