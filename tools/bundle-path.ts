// Which bundle a scale command works on: a test name (build/tests/<test>.js) or the path of a bundle.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Bad input: one line for the user, exit code 2. */
export class UsageError extends Error {}

const NAME = /^[a-z0-9][a-z0-9-]*$/;

export interface BundleRef {
  test: string;
  /** As shown to the user and passed to k6 (relative to the repository for a test name). */
  bundleFile: string;
  bundlePath: string;
}

export function locateBundle(target: string | undefined, usage: string): BundleRef {
  if (target?.endsWith('.js')) {
    const test = path.basename(target, '.js');
    if (!NAME.test(test))
      throw new UsageError(`${target}: a bundle name is lower-case letters, digits and -`);
    if (!existsSync(target)) throw new UsageError(`${target} does not exist`);
    return { test, bundleFile: path.resolve(target), bundlePath: path.resolve(target) };
  }
  if (!target || !NAME.test(target)) throw new UsageError(`usage: ${usage}`);
  const bundleFile = path.join('build', 'tests', `${target}.js`);
  const bundlePath = path.join(root, bundleFile);
  if (!existsSync(bundlePath)) {
    throw new UsageError(`${bundleFile} is missing: is "${target}" a test in tests/? (make build)`);
  }
  return { test: target, bundleFile, bundlePath };
}
