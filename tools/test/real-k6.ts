// Finds the real k6 binaries that tests prove the suite against. A user's machine has its own k6, so nothing
// here is required: a test asks for the binaries and skips, printing why, when there are none.
//
// Where they come from, first match wins:
//   K6_BINARIES  a path list (':'), every one of them, e.g. k6 2.x and the oldest supported release
//   K6           one binary (a path, or a name on PATH), as make load uses it
//   k6 on PATH
//   ../shared/tools/k6/k6*  beside the checkout, when that directory exists
import { existsSync, readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { executable, onPath, parseK6Version } from '../k6-binary.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface RealK6 {
  file: string;
  /** e.g. "2.2.0" */
  version: string;
  major: number;
  minor: number;
  /** `k6 cloud run` / `k6 cloud upload` exist (v0.54+; `k6 cloud run` alone arrived in v0.53). */
  hasCloudRun: boolean;
}

/** `k6 version` of a binary, or undefined when it is not a k6 that runs here. */
export function k6Version(file: string): RealK6 | undefined {
  const out = spawnSync(file, ['version'], { encoding: 'utf8', timeout: 20_000 });
  const v = out.status === 0 ? parseK6Version(`${out.stdout}`) : undefined;
  if (!v) return undefined;
  return {
    file,
    version: v.text.slice(1),
    major: v.major,
    minor: v.minor,
    hasCloudRun: v.major > 0 || v.minor >= 54,
  };
}

function candidates(env: NodeJS.ProcessEnv): string[] {
  const list = env.K6_BINARIES?.trim();
  if (list)
    return list
      .split(':')
      .filter(Boolean)
      .map((f) => path.resolve(ROOT, f));
  const one = env.K6?.trim();
  if (one) {
    const file = one.includes('/') ? path.resolve(one) : onPath(one, env);
    return file ? [file] : [];
  }
  const found = onPath('k6', env);
  if (found) return [found];
  const shared = path.resolve(ROOT, '..', 'shared', 'tools', 'k6');
  if (!existsSync(shared)) return [];
  return readdirSync(shared)
    .filter((f) => /^k6(-v[\d.]+)?$/.test(f))
    .sort()
    .map((f) => path.join(shared, f))
    .filter(executable);
}

let cached: { binaries: RealK6[]; why: string } | undefined;

/** Every usable real k6, newest first, and why there is none when the list is empty. */
export function realK6s(env: NodeJS.ProcessEnv = process.env): { binaries: RealK6[]; why: string } {
  if (cached && env === process.env) return cached;
  const files = candidates(env);
  const binaries = files
    .map(k6Version)
    .filter((k): k is RealK6 => k !== undefined)
    .sort((a, b) => b.major - a.major || b.minor - a.minor);
  const why =
    files.length === 0
      ? 'no real k6: set K6_BINARIES or K6, put k6 on PATH, or have ../shared/tools/k6/'
      : binaries.length === 0
        ? `no usable k6 among ${files.join(', ')} (k6 version failed)`
        : '';
  const result = { binaries, why };
  if (env === process.env) cached = result;
  return result;
}

/** The binaries to test with, after printing why a test is skipped when there are none. */
export function realK6sOrSkipReason(): RealK6[] {
  const { binaries, why } = realK6s();
  if (binaries.length === 0) process.stdout.write(`# real k6 tests skipped: ${why}\n`);
  return binaries;
}
