// `make cloud-upload TEST=load` and `make cloud-run TEST=load [LOCAL=1]`: the bundle to Grafana Cloud k6.
//
//   node tools/cloud.mjs cloud-upload|cloud-run <test> [--local-execution]
//
// Checks K6_CLOUD_TOKEN, K6_CLOUD_STACK_ID and K6_CLOUD_PROJECT_ID before k6 is called, refuses a bundle that
// holds a secret, and passes only load-shaping variables with -e: whatever -e carries is stored with the test
// in the cloud, so the Genesys credentials come from Grafana Cloud k6's environment variables instead.
// Exit 2: bad input or missing settings; exit 1: a secret in the bundle; else k6's own exit code.
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { UsageError, locateBundle, root } from './bundle-path.ts';
import { CLOUD, SETTINGS, settingsFrom } from './suite-env.ts';

export const REQUIRED = ['K6_CLOUD_TOKEN', 'K6_CLOUD_STACK_ID', 'K6_CLOUD_PROJECT_ID'];
/** The emulator's demo client secret: a bundle that contains it was built with a credential baked in. */
export const DEMO_SECRET = 'demo-secret';

type Env = Record<string, string | undefined>;

const value = (env: Env, name: string) => env[name]?.trim() || undefined;

/** One line naming every missing or malformed cloud setting, or undefined when all are there. */
export function checkCloudEnv(env: Env): string | undefined {
  const missing = REQUIRED.filter((n) => value(env, n) === undefined);
  if (missing.length > 0) {
    return (
      `missing ${missing.join(', ')}: set ${missing.length > 1 ? 'them' : 'it'} before calling k6 cloud ` +
      `(token: Grafana Cloud > Testing & synthetics > Performance > Settings; stack and project IDs: the project's page)`
    );
  }
  const bad = ['K6_CLOUD_STACK_ID', 'K6_CLOUD_PROJECT_ID'].filter((n) => !/^\d+$/.test(value(env, n) ?? ''));
  if (bad.length > 0) return `${bad.map((n) => `${n}="${value(env, n)}"`).join(', ')} must be a number`;
  return undefined;
}

/** Names of the secrets found in the bundle text (never their values). */
export function secretsIn(bundle: string, env: Env): string[] {
  const found: string[] = [];
  if (bundle.includes(DEMO_SECRET)) found.push(`the emulator's demo secret "${DEMO_SECRET}"`);
  for (const name of ['GENESYSCLOUD_OAUTHCLIENT_SECRET', 'K6_CLOUD_TOKEN']) {
    const v = value(env, name);
    if (v && v.length >= 4 && bundle.includes(v)) found.push(`the value of ${name}`);
  }
  for (const entry of (value(env, 'GENESYSCLOUD_OAUTHCLIENTS') ?? '').split(',')) {
    const secret = entry.slice(entry.indexOf(':') + 1).trim();
    if (entry.includes(':') && secret.length >= 4 && bundle.includes(secret)) {
      found.push('a secret from GENESYSCLOUD_OAUTHCLIENTS');
      break;
    }
  }
  return found;
}

/** The k6 command line for a verb, without the executable. */
export function cloudArgs(verb: string, bundleFile: string, env: Env, localExecution: boolean): string[] {
  // -e values travel with the test into the cloud: settings only, never a credential.
  const vars = Object.entries(settingsFrom(env, [...CLOUD, ...SETTINGS, 'INSTANCES'])).flatMap(([n, v]) => [
    '-e',
    `${n}=${v}`,
  ]);
  if (verb === 'cloud-upload') return ['cloud', 'upload', ...vars, bundleFile];
  return ['cloud', 'run', ...(localExecution ? ['--local-execution'] : []), ...vars, bundleFile];
}

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** $K6, else k6 on PATH: the cloud commands need real k6, the Node runner has none. */
export function findK6(env: Env): string {
  const explicit = value(env, 'K6');
  if (explicit) {
    const file = explicit.includes('/')
      ? path.resolve(explicit)
      : (env.PATH ?? '')
          .split(path.delimiter)
          .map((d) => path.join(d, explicit))
          .find(executable);
    if (!file || !executable(file)) throw new UsageError(`K6=${explicit} is not an executable file`);
    return file;
  }
  const onPath = (env.PATH ?? '')
    .split(path.delimiter)
    .filter(Boolean)
    .map((d) => path.join(d, 'k6'))
    .find(executable);
  if (!onPath)
    throw new UsageError('k6 is not on PATH (or set K6=/path/to/k6): cloud runs need the k6 binary');
  return onPath;
}

export async function main(argv: string[], env: Env): Promise<number> {
  const fail = (line: string) => process.stderr.write(`cloud: ${line}\n`);
  try {
    const [verb, target, ...rest] = argv;
    const usage = 'node tools/cloud.mjs cloud-upload|cloud-run <test> [--local-execution]';
    if ((verb !== 'cloud-upload' && verb !== 'cloud-run') || !target) throw new UsageError(`usage: ${usage}`);
    const unknown = rest.filter((a) => a !== '--local-execution');
    if (unknown.length > 0) throw new UsageError(`unknown argument ${unknown[0]}; usage: ${usage}`);
    const localExecution =
      rest.includes('--local-execution') || /^(1|true|yes)$/i.test(value(env, 'LOCAL') ?? '');
    if (localExecution && verb === 'cloud-upload')
      throw new UsageError('--local-execution applies to cloud-run only');

    const problem = checkCloudEnv(env);
    if (problem) throw new UsageError(problem);
    const { bundleFile, bundlePath } = locateBundle(target, usage);
    const secrets = secretsIn(readFileSync(bundlePath, 'utf8'), env);
    if (secrets.length > 0) {
      fail(`${bundleFile} contains ${secrets.join(' and ')}; refusing to send it to the cloud`);
      return 1;
    }
    const k6 = findK6(env);
    const args = cloudArgs(verb, bundleFile, env, localExecution);
    process.stderr.write(
      `cloud: k6 ${args.join(' ')}\n` +
        (localExecution
          ? `cloud: runs on this machine with this shell's GENESYSCLOUD_* variables; results stream to Grafana Cloud k6\n`
          : `cloud: the Genesys credentials come from Grafana Cloud k6's environment variables, not from this shell\n`),
    );
    const child = spawn(k6, args, { cwd: root, env: env as NodeJS.ProcessEnv, stdio: 'inherit' });
    for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => child.kill(sig));
    return await new Promise<number>((resolve) => {
      child.once('error', (err) => {
        fail(`could not start ${k6}: ${err.message}`);
        resolve(255);
      });
      child.once('exit', (code, sig) => resolve(code ?? (sig === 'SIGTERM' ? 143 : 130)));
    });
  } catch (err) {
    if (err instanceof UsageError) {
      fail(err.message);
      return 2;
    }
    throw err;
  }
}
