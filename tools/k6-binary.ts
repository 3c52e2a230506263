// The real k6 a tool calls: $K6, else k6 on PATH, and its release (`k6 version`), which decides the command
// line: k6 changed its cloud commands in v0.54 and its cloud API in v2.0.
import { accessSync, constants, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { UsageError } from './bundle-path.ts';

type Env = Record<string, string | undefined>;

export interface K6Version {
  major: number;
  minor: number;
  patch: number;
  /** "v2.2.0" */
  text: string;
}

/** The oldest release the suite supports: the first with the built-in web dashboard. */
export const OLDEST = { major: 0, minor: 49 };

export const atLeast = (v: K6Version, major: number, minor: number): boolean =>
  v.major > major || (v.major === major && v.minor >= minor);

export function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

export const onPath = (name: string, env: Env): string | undefined =>
  (env.PATH ?? '')
    .split(path.delimiter)
    .filter(Boolean)
    .map((d) => path.join(d, name))
    .find(executable);

/** $K6, else k6 on PATH: the cloud commands need real k6, the Node runner has none. */
export function findK6(env: Env): string {
  const explicit = env.K6?.trim();
  if (explicit) {
    const file = explicit.includes('/') ? path.resolve(explicit) : onPath(explicit, env);
    if (!file || !executable(file)) throw new UsageError(`K6=${explicit} is not an executable file`);
    return file;
  }
  const found = onPath('k6', env);
  if (!found)
    throw new UsageError('k6 is not on PATH (or set K6=/path/to/k6): cloud runs need the k6 binary');
  return found;
}

/** The release in `k6 version` output ("k6 v2.2.0 (commit/devel, go1.25.12, linux/amd64)"). */
export function parseK6Version(stdout: string): K6Version | undefined {
  const m = /^\S+ v(\d+)\.(\d+)\.(\d+)/m.exec(stdout);
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), text: `v${m[1]}.${m[2]}.${m[3]}` };
}

/** Asks the binary for its release; one line naming the binary when it does not answer or is too old. */
export function k6VersionOf(file: string, env: Env): K6Version {
  const out = spawnSync(file, ['version'], {
    encoding: 'utf8',
    env: env as NodeJS.ProcessEnv,
    timeout: 20_000,
  });
  const version = out.status === 0 ? parseK6Version(out.stdout) : undefined;
  if (!version) throw new UsageError(`${file} did not answer "k6 version" like k6 does`);
  if (!atLeast(version, OLDEST.major, OLDEST.minor)) {
    throw new UsageError(
      `${file} is k6 ${version.text}; the suite needs k6 v${OLDEST.major}.${OLDEST.minor}.0 or later`,
    );
  }
  return version;
}
