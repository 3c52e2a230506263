// Starts the emulator and the runner as child processes for end-to-end tests and the goodput benchmark.
// Everything listens on and talks to 127.0.0.1 only.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runnerNodeFlags } from '../../bin/runner-flags.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface Emulator {
  url: string;
  stats(): Promise<EmulatorStats>;
  stop(): Promise<void>;
}

export interface EmulatorStats {
  requests: { total: number; byRoute: Record<string, Record<string, number>> };
  limiters: Record<string, { limit: number; admitted: number; throttled: number }>;
  earlyRetries: number;
  tokens: { issued: number; revoked: number };
  webMessaging?: { messagesIn: number; messagesOut: number; throttled: number; sessionsCreated: number };
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('close', (code) => resolve(code));
  });
}

/** The emulator on a free port of 127.0.0.1, with extra flags such as --time-scale or --config. */
export async function startEmulator(args: string[] = []): Promise<Emulator> {
  const child = spawn(
    process.execPath,
    [path.join(ROOT, 'bin', 'emulator.mjs'), '--host', '127.0.0.1', '--port', '0', ...args],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const closed = exited(child);
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`emulator did not start: ${out}`)), 15_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /emulator listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        resolve(m[1].replace(/\/+$/, ''));
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
    void closed.then((code) => {
      clearTimeout(timer);
      reject(new Error(`emulator exited with ${code}: ${out}`));
    });
  });
  // Keep draining output so the child never blocks on a full pipe.
  child.stdout?.resume();
  child.stderr?.resume();
  return {
    url,
    async stats() {
      const res = await fetch(`${url}/__emulator/stats`);
      return (await res.json()) as EmulatorStats;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await closed;
    },
  };
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `runner run ARGS` with the given environment added to this process's, bounded by `timeoutMs`. */
export function runRunner(
  args: string[],
  env: Record<string, string>,
  timeoutMs = 120_000,
): Promise<RunResult> {
  const child = spawn(
    process.execPath,
    [...runnerNodeFlags, path.join(ROOT, 'bin', 'runner.mjs'), 'run', ...args],
    {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return exited(child).then((code) => {
    clearTimeout(timer);
    return { code, stdout, stderr };
  });
}

/** The suite's environment for a run against `emulator` with the demo client. */
export function emulatorEnv(emulator: Emulator, extra: Record<string, string> = {}): Record<string, string> {
  return {
    GENESYSCLOUD_API_URL: emulator.url,
    GENESYSCLOUD_LOGIN_URL: emulator.url,
    GENESYSCLOUD_OAUTHCLIENT_ID: 'demo-client',
    GENESYSCLOUD_OAUTHCLIENT_SECRET: 'demo-secret',
    K6_WEB_DASHBOARD: 'false',
    ...extra,
  };
}

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/**
 * Builds with esbuild.config.mjs unless every suite bundle and program is newer than its sources. `make test` has just
 * built, and rebuilding here could rewrite a bundle while another test file's runner is reading it.
 */
export function ensureBuilt(): void {
  const tests = readdirSync(path.join(ROOT, 'tests')).filter((f) => f.endsWith('.ts'));
  const sources = Math.max(...['tests', 'lib', 'thresholds'].map((d) => newest(path.join(ROOT, d))));
  const fresh = tests.every((f) => {
    const out = path.join(ROOT, 'build', 'tests', f.replace(/\.ts$/, '.js'));
    return existsSync(out) && statSync(out).mtimeMs >= sources;
  });
  // A program older than its sources would run yesterday's emulator (a config key it does not know yet).
  const programs = (
    [
      ['runner/cli.js', 'runner'],
      ['emulator/main.js', 'emulator'],
    ] as const
  ).every(([f, src]) => {
    const out = path.join(ROOT, 'build', f);
    return existsSync(out) && statSync(out).mtimeMs >= newest(path.join(ROOT, src));
  });
  if (!fresh || !programs) {
    execFileSync(process.execPath, [path.join(ROOT, 'esbuild.config.mjs'), '--quiet'], { cwd: ROOT });
  }
}
