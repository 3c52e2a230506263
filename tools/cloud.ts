// `make cloud-upload TEST=load`, `make cloud-run TEST=load [LOCAL=1]` and `make cloud-archive TEST=load`: the
// bundle to Grafana Cloud k6, or into an archive that holds no secret.
//
//   node tools/cloud.mjs cloud-upload|cloud-run|cloud-archive <test> [--local-execution] [-e NAME=value ...]
//
// Asks k6 for its release and calls the cloud commands that release has (cloud-command.ts). Checks the cloud
// settings before k6 is called, refuses a bundle that holds a secret, and passes only load-shaping variables
// with -e: whatever -e carries is stored with the test in the cloud, so an -e, --include-system-env-vars or
// K6_INCLUDE_SYSTEM_ENV_VARS that would take a secret there is refused, and the Genesys credentials come from
// Grafana Cloud k6's environment variables instead. An archive is read back before it is kept.
// Exit 2: bad input or missing settings; exit 1: a secret in the bundle or the archive; else k6's own code.
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { UsageError, locateBundle, root } from './bundle-path.ts';
import { checkCloudEnv, cloudVars, k6Args, k6Env, VERBS, type Verb } from './cloud-command.ts';
import { refuseEnvArg, secretsIn } from './cloud-secrets.ts';
import { findK6, k6VersionOf } from './k6-binary.ts';
import { createRunDir, linkLatest } from './report-dir.mjs';
import { readTar } from './tar.ts';

type Env = Record<string, string | undefined>;

const USAGE =
  'node tools/cloud.mjs cloud-upload|cloud-run|cloud-archive <test> [--local-execution] [-e NAME=value ...]';
const ENV_FLAG = /^(?:-e|--env)(?:=?(.+))?$/;

interface Extra {
  local: boolean;
  vars: Record<string, string>;
}

/** The arguments after the test: --local-execution and -e pairs; a secret or anything else is refused. */
export function parseExtra(rest: string[], env: Env): Extra {
  const out: Extra = { local: false, vars: {} };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (arg === '--local-execution') {
      out.local = true;
      continue;
    }
    if (/^--include-system-env-vars(=|$)/.test(arg)) {
      throw new UsageError(
        `${arg} would store this shell's whole environment, secrets included, in the test archive; ` +
          "pass settings with -e and keep credentials in Grafana Cloud k6's environment variables",
      );
    }
    const flag = ENV_FLAG.exec(arg);
    if (!flag) throw new UsageError(`unknown argument ${arg}; usage: ${USAGE}`);
    const pair = flag[1] ?? rest[++i];
    const eq = pair?.indexOf('=') ?? -1;
    if (!pair || eq <= 0) throw new UsageError(`${arg} needs NAME=value; usage: ${USAGE}`);
    const name = pair.slice(0, eq);
    const why = refuseEnvArg(name, pair.slice(eq + 1), env);
    if (why) {
      throw new UsageError(
        `${why}; set it in Grafana Cloud k6's environment variables (LOCAL=1 reads it from this shell)`,
      );
    }
    out.vars[name] = pair.slice(eq + 1);
  }
  return out;
}

/** Reads the archive k6 wrote; deletes it and names what it held when a secret is in any of its files. */
function checkArchive(file: string, env: Env): string | undefined {
  for (const entry of readTar(readFileSync(file))) {
    const found = secretsIn(entry.data, env);
    if (found.length > 0) {
      rmSync(file, { force: true });
      return `${path.relative(root, file)} held ${found.join(' and ')} in ${entry.name}; deleted it`;
    }
  }
  return undefined;
}

function runK6(k6: string, args: string[], env: Env): Promise<number> {
  const child = spawn(k6, args, { cwd: root, env: env as NodeJS.ProcessEnv, stdio: 'inherit' });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => child.kill(sig));
  return new Promise<number>((resolve) => {
    child.once('error', (err) => {
      process.stderr.write(`cloud: could not start ${k6}: ${err.message}\n`);
      resolve(255);
    });
    child.once('exit', (code, sig) => resolve(code ?? (sig === 'SIGTERM' ? 143 : 130)));
  });
}

export async function main(argv: string[], env: Env): Promise<number> {
  const fail = (line: string) => process.stderr.write(`cloud: ${line}\n`);
  try {
    const [verbArg, target, ...rest] = argv;
    if (!VERBS.includes(verbArg as Verb) || !target) throw new UsageError(`usage: ${USAGE}`);
    const verb = verbArg as Verb;
    const extra = parseExtra(rest, env);
    if (extra.local && verb !== 'cloud-run')
      throw new UsageError('--local-execution applies to cloud-run only');
    const local = verb === 'cloud-run' && (extra.local || /^(1|true|yes)$/i.test(env.LOCAL?.trim() ?? ''));

    const { test, bundleFile, bundlePath } = locateBundle(target, USAGE);
    const k6 = findK6(env);
    const version = k6VersionOf(k6, env);
    checkCloudEnv(env, verb, version, local);
    const secrets = secretsIn(readFileSync(bundlePath, 'utf8'), env);
    if (secrets.length > 0) {
      const what = verb === 'cloud-archive' ? 'archive it' : 'send it to the cloud';
      fail(`${bundleFile} contains ${secrets.join(' and ')}; refusing to ${what}`);
      return 1;
    }

    const archivePath = path.join(root, 'build', 'archives', `${test}.tar`);
    const archiveOut = path.relative(root, archivePath);
    const args = k6Args({ verb, local, version, bundleFile, vars: cloudVars(env, extra.vars), archiveOut });
    process.stderr.write(
      `cloud: k6 ${version.text}: k6 ${args.join(' ')}\n` +
        (verb === 'cloud-archive'
          ? ''
          : local
            ? `cloud: runs on this machine with this shell's GENESYSCLOUD_* variables; results stream to Grafana Cloud k6\n`
            : `cloud: the Genesys credentials come from Grafana Cloud k6's environment variables, not from this shell\n`),
    );
    if (verb === 'cloud-archive') mkdirSync(path.dirname(archivePath), { recursive: true });
    const childEnv = k6Env(env, local);
    // A local execution writes the suite's reports here, as make load does, not into the checkout.
    const reportsRoot = path.join(root, 'reports');
    const runName = local && !env.REPORT_DIR ? createRunDir(reportsRoot, test) : undefined;
    if (runName) Object.assign(childEnv, { REPORT_DIR: path.join(reportsRoot, runName), TEST_NAME: test });
    const code = await runK6(k6, args, childEnv);
    if (runName) {
      linkLatest(reportsRoot, runName);
      process.stderr.write(`cloud: reports in reports/${runName}/\n`);
    }
    if (verb === 'cloud-archive' && code === 0) {
      const leak = checkArchive(archivePath, env);
      if (leak) {
        fail(leak);
        return 1;
      }
      process.stderr.write(`cloud: wrote ${archiveOut}: no secret in any of its files\n`);
    }
    return code;
  } catch (err) {
    if (err instanceof UsageError) {
      fail(err.message);
      return 2;
    }
    throw err;
  }
}
