// k6-operator's initializer job for a TestRun, rebuilt from how k6-operator v1.6.0 makes it
// (pkg/resources/jobs/initializer.go, pkg/types/k6cli.go, api/v1alpha1/testrun_types.go,
// pkg/types/script.go), and a way to run its shell program here with a real k6, the script where the
// ConfigMap volume would be.
//
// What it does there: with no spec.initializer, the initializer is a copy of spec.runner (image, env,
// envFrom); its container runs `sh -c` with `k6 archive <script> -O /tmp/<file>.archived.tar <archive flags>`
// and then `k6 inspect --execution-requirements` on the archive, each k6's stderr going to a log file; the
// job fails when either exits non-zero or when inspect's log has a line matching `level.*error`. Only the
// initializer's `env` reaches k6 as -e; envFrom is only the container's environment, which k6 archive does
// not read.
// The operator then reads the pod's whole log as the JSON of inspect (see inspect-output.ts).
import { execFile } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const OPERATOR_RELEASE = 'v1.6.0 (cf0ae21f4e26b0dd0f99d763ae72e063b4384f2a)';

interface EnvVar {
  name: string;
  value?: string;
}
interface EnvFrom {
  secretRef?: { name: string };
  configMapRef?: { name: string };
  prefix?: string;
}
export interface PodSettings {
  image?: string;
  env?: EnvVar[];
  envFrom?: EnvFrom[];
}
export interface TestRun {
  metadata: { name: string };
  spec: {
    parallelism: number;
    arguments?: string;
    args?: string[];
    script: { configMap?: { name: string; file?: string } };
    runner?: PodSettings;
    initializer?: PodSettings;
  };
}

/** Flags of the k6 arguments that `k6 archive` is given: those only `k6 run` takes are left out. */
export function archiveArgs(argv: string[]): string[] {
  const kept: string[] = [];
  const dropped = [/^--log-output/, /^--block-hostnames/, /^--blacklist-ip/, /^--user-agent/];
  const runOnly = ['-o', '--out', '-l', '--linger', '--no-usage-report', '-v', '--verbose'];
  let i = 0;
  while (i < argv.length) {
    if (!argv[i].startsWith('-')) throw new Error(`k6-operator refuses the argument "${argv[i]}"`);
    // A flag owns the words up to the next one.
    let end = i + 1;
    while (end < argv.length && !argv[end].startsWith('-')) end++;
    if (!runOnly.includes(argv[i]) && !dropped.some((re) => re.test(argv[i])))
      kept.push(...argv.slice(i, end));
    i = end;
  }
  return kept;
}

export interface InitializerJob {
  image: string;
  scriptPath: string;
  archivePath: string;
  /** The `k6 archive` command line, as the container's shell reads it. */
  archive: string;
  inspect: string;
  /** The container's shell program. */
  program: string;
  env: EnvVar[];
  envFrom: EnvFrom[];
}

/** The job for a TestRun; `mount` and `tmp` move /test and /tmp elsewhere to run it on this machine. */
export function initializerJob(testRun: TestRun, where = { mount: '/test', tmp: '/tmp' }): InitializerJob {
  const spec = testRun.spec;
  if (spec.args?.length) throw new Error('spec.args (the exec form) is not what tools/k6-operator.ts writes');
  if (!spec.script.configMap) throw new Error('only a script from a ConfigMap is rebuilt here');
  const settings = spec.initializer ?? structuredClone(spec.runner ?? {});
  const file = spec.script.configMap.file || 'test.js';
  const scriptPath = `${where.mount}/${file}`;
  const archivePath = `${where.tmp}/${file}.archived.tar`;
  const env = settings.env ?? [];
  // The initializer's own env is referenced, not copied: the shell expands it from the container.
  const envFlags = env.map((e) => ` -e ${e.name}="\${${e.name}}"`).join('');
  const argLine = archiveArgs((spec.arguments ?? '').split(/\s+/).filter(Boolean)).join(' ');
  const archive = `k6 archive ${scriptPath}${envFlags} -O ${archivePath} ${argLine}`;
  const inspect = `k6 inspect --execution-requirements ${archivePath}`;
  const logs = `${where.tmp}/k6logs`;
  const program = [
    `if ! command -v k6 >/dev/null 2>&1; then echo 'the initializer image has no k6' >&2; exit 127; fi`,
    `logs=${logs}`,
    `mkdir -p "$(dirname ${archivePath})" || exit 1`,
    `if ! ${archive} 2> "$logs"; then cat "$logs"; exit 1; fi`,
    `if ! ${inspect} 2> "$logs"; then cat "$logs"; exit 1; fi`,
    `if grep 'level.*error' "$logs"; then exit 1; fi`,
  ].join('\n');
  return {
    image: settings.image || 'grafana/k6:latest',
    scriptPath,
    archivePath,
    archive,
    inspect,
    program,
    env,
    envFrom: settings.envFrom ?? [],
  };
}

/** A ConfigMap volume as the kubelet lays it out, read-only: each key a link through ..data to a folder. */
function mountConfigMap(mount: string, files: Record<string, string>): void {
  const stamp = '..2026_01_01_00_00_00.000000001';
  mkdirSync(path.join(mount, stamp), { recursive: true });
  for (const [name, text] of Object.entries(files))
    writeFileSync(path.join(mount, stamp, name), text, { mode: 0o444 });
  symlinkSync(stamp, path.join(mount, '..data'));
  for (const name of Object.keys(files)) symlinkSync(path.join('..data', name), path.join(mount, name));
  chmodSync(path.join(mount, stamp), 0o555);
  chmodSync(mount, 0o555);
}

export interface InitializerRun {
  code: number | null;
  /** The pod's log: what the operator parses. */
  log: string;
  stderr: string;
  archive?: Buffer;
  job: InitializerJob;
}

/**
 * Runs the initializer of testRun with the k6 binary `k6`: `files` are the ConfigMap's keys, `secrets` the
 * Secrets' data by name (envFrom puts them in the container's environment, as the cluster would).
 */
export function runInitializer(
  k6: string,
  testRun: TestRun,
  files: Record<string, string>,
  secrets: Record<string, Record<string, string>> = {},
): Promise<InitializerRun> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'k6-operator-initializer-'));
  const where = { mount: path.join(dir, 'test'), tmp: path.join(dir, 'tmp') };
  const job = initializerJob(testRun, where);
  const bin = path.join(dir, 'bin');
  const home = path.join(dir, 'home', 'k6');
  for (const d of [where.tmp, bin, home]) mkdirSync(d, { recursive: true });
  mountConfigMap(where.mount, files);
  symlinkSync(k6, path.join(bin, 'k6'));
  const env: Record<string, string> = {
    // The grafana/k6 image's PATH and user, and what the kubelet adds to every container.
    PATH: `${bin}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
    HOME: home,
    HOSTNAME: `${testRun.metadata.name}-initializer-x7k2p`,
    KUBERNETES_SERVICE_HOST: '10.96.0.1',
    KUBERNETES_SERVICE_PORT: '443',
    // Were a bundle to need a k6 extension, k6 2.x would fetch a build: keep that on this machine.
    K6_BUILD_SERVICE_URL: 'http://127.0.0.1:9',
  };
  for (const from of job.envFrom) {
    const data = from.secretRef ? secrets[from.secretRef.name] : undefined;
    if (from.secretRef && !data) throw new Error(`Secret ${from.secretRef.name} is not given`);
    for (const [k, v] of Object.entries(data ?? {})) env[`${from.prefix ?? ''}${k}`] = v;
  }
  for (const e of job.env) env[e.name] = e.value ?? '';
  return new Promise((resolve) => {
    execFile(
      'sh',
      ['-c', job.program],
      { cwd: home, env, encoding: 'utf8', timeout: 300_000, maxBuffer: 16 << 20 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
        const archive = existsSync(job.archivePath) ? readFileSync(job.archivePath) : undefined;
        for (const d of [where.mount, path.join(where.mount, '..data/')]) chmodSync(d, 0o755);
        rmSync(dir, { recursive: true, force: true });
        resolve({ code, log: stdout, stderr, archive, job });
      },
    );
  });
}

/** The text of one member of an uncompressed tar (what `k6 archive` writes), or undefined. */
export function tarMember(tar: Buffer, name: string): string | undefined {
  let at = 0;
  while (at + 512 <= tar.length && tar[at] !== 0) {
    const field = (from: number, len: number) =>
      tar
        .subarray(at + from, at + from + len)
        .toString('utf8')
        .replace(/\0.*$/s, '');
    const size = parseInt(field(124, 12).trim() || '0', 8);
    if (field(0, 100) === name) return tar.subarray(at + 512, at + 512 + size).toString('utf8');
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return undefined;
}
