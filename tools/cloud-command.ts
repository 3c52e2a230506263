// The k6 command line for each cloud verb, in the form the installed k6 release reads, and the environment
// that k6 gets.
//
//   verb                k6 v0.54 and later                                k6 v0.49 - v0.53
//   cloud-upload        k6 cloud upload                                   k6 cloud --upload-only
//   cloud-run           k6 cloud run                                      k6 cloud
//   cloud-run LOCAL=1   k6 cloud run --local-execution                    k6 run --out cloud
//                         --no-archive-upload --include-system-env-vars
//   cloud-archive       k6 archive -O <file>                              (the same)
//
// `k6 cloud run`/`upload` arrived in v0.53/v0.54 (cmd/cloud_run.go, cmd/cloud_upload.go) and the old forms
// were removed in v2.0. Every form but a local execution builds an archive that keeps the -e values, so
// those k6 get only settings with -e and an environment without the org's connection or any credential but
// the cloud token. A local execution runs the bundle here, so it must read the credentials from this shell:
// `k6 run` does that by default and sends no archive before v0.54; `k6 cloud run --local-execution` passes
// only -e values to the script unless told to include the environment, which it then would upload in the
// archive, so the archive upload is switched off with it.
import { UsageError } from './bundle-path.ts';
import { withoutSecrets } from './cloud-secrets.ts';
import { atLeast, type K6Version } from './k6-binary.ts';
import { CLOUD, CONNECTION, SHAPE, settingsFrom } from './suite-env.ts';

export type Verb = 'cloud-upload' | 'cloud-run' | 'cloud-archive';
export const VERBS: Verb[] = ['cloud-upload', 'cloud-run', 'cloud-archive'];

type Env = Record<string, string | undefined>;

export interface CloudCommand {
  verb: Verb;
  local: boolean;
  version: K6Version;
  bundleFile: string;
  /** The -e pairs, in order. */
  vars: Record<string, string>;
  /** Where cloud-archive writes. */
  archiveOut?: string;
}

/** k6 v0.54 brought `k6 cloud upload` and `k6 cloud run --local-execution`. */
export const hasCloudSubcommands = (v: K6Version) => atLeast(v, 0, 54);

/** The -e pairs: the load shape and the cloud block's inputs from env, then the user's own -e. */
export function cloudVars(env: Env, extra: Record<string, string> = {}): Record<string, string> {
  return { ...settingsFrom(env, [...CLOUD, ...SHAPE, 'INSTANCES']), ...extra };
}

/** The arguments after the k6 executable. */
export function k6Args(c: CloudCommand): string[] {
  const e = Object.entries(c.vars).flatMap(([n, v]) => ['-e', `${n}=${v}`]);
  const modern = hasCloudSubcommands(c.version);
  switch (c.verb) {
    case 'cloud-archive':
      return ['archive', '-O', c.archiveOut ?? 'archive.tar', ...e, c.bundleFile];
    case 'cloud-upload':
      return [...(modern ? ['cloud', 'upload'] : ['cloud', '--upload-only']), ...e, c.bundleFile];
    case 'cloud-run':
      if (!c.local) return [...(modern ? ['cloud', 'run'] : ['cloud']), ...e, c.bundleFile];
      return [
        ...(modern
          ? ['cloud', 'run', '--local-execution', '--no-archive-upload', '--include-system-env-vars']
          : ['run', '--out', 'cloud']),
        ...e,
        c.bundleFile,
      ];
  }
}

/** What k6 gets as its environment: all of it for a local execution, else no connection and no secret. */
export function k6Env(env: Env, local: boolean): Env {
  if (local) return { ...env };
  const kept = withoutSecrets(env, ['K6_CLOUD_TOKEN']);
  for (const name of CONNECTION) delete kept[name];
  return kept;
}

const TRUE = /^(1|t|true)$/i;

/**
 * Settings this verb needs from the environment: one line naming every one missing or malformed. k6 2.0
 * refuses a cloud command without a stack (internal/cmd/cloud.go checkCloudLogin); an archive needs none.
 */
export function checkCloudEnv(env: Env, verb: Verb, version: K6Version, local: boolean): void {
  const value = (n: string) => env[n]?.trim() || undefined;
  if (!local && TRUE.test(value('K6_INCLUDE_SYSTEM_ENV_VARS') ?? '')) {
    throw new UsageError(
      'K6_INCLUDE_SYSTEM_ENV_VARS is set: k6 would store this whole environment, secrets included, in the test archive; unset it',
    );
  }
  const required =
    verb === 'cloud-archive'
      ? []
      : ['K6_CLOUD_TOKEN', ...(version.major >= 2 ? ['K6_CLOUD_STACK_ID'] : []), 'K6_CLOUD_PROJECT_ID'];
  const missing = required.filter((n) => value(n) === undefined);
  if (missing.length > 0) {
    throw new UsageError(
      `missing ${missing.join(', ')}: set ${missing.length > 1 ? 'them' : 'it'} before calling k6 cloud ` +
        `(token: Grafana Cloud > Testing & synthetics > Performance > Settings; stack and project IDs: the project's page)`,
    );
  }
  const bad = ['K6_CLOUD_STACK_ID', 'K6_CLOUD_PROJECT_ID'].filter(
    (n) => value(n) !== undefined && !/^\d+$/.test(value(n)!),
  );
  if (bad.length > 0)
    throw new UsageError(`${bad.map((n) => `${n}="${value(n)}"`).join(', ')} must be a number`);
}
