// What counts as a secret for the cloud tools, so that none reaches Grafana Cloud k6 in a bundle, in an
// archive or on k6's command line: k6 stores every -e value in the archive's metadata.json, and with
// --include-system-env-vars the whole shell environment. Only names are ever reported, never values.

type Env = Record<string, string | undefined>;

/** The emulator's demo client secret: a bundle that contains it was built with a credential baked in. */
export const DEMO_SECRET = 'demo-secret';

/** The suite's own credentials, and k6's. */
export const SECRET_NAMES = [
  'GENESYSCLOUD_OAUTHCLIENT_SECRET',
  'GENESYSCLOUD_OAUTHCLIENTS',
  'K6_CLOUD_TOKEN',
];

/** Any other variable named like a credential (AWS_SECRET_ACCESS_KEY, GITHUB_TOKEN, DB_PASSWORD, ...). */
const CREDENTIAL_NAME = /SECRET|TOKEN|PASSWORD|PASSWD|CREDENTIAL|API_?KEY|PRIVATE/i;

export const isSecretName = (name: string): boolean =>
  SECRET_NAMES.includes(name) || CREDENTIAL_NAME.test(name);

/** Shorter values would match by accident anywhere in a bundle. */
const MIN_LENGTH = 4;

interface Known {
  what: string;
  value: string;
}

/** The secret values this environment holds, each with a description that names where it comes from. */
export function knownSecrets(env: Env): Known[] {
  const out: Known[] = [{ what: `the emulator's demo secret "${DEMO_SECRET}"`, value: DEMO_SECRET }];
  for (const [name, raw] of Object.entries(env)) {
    const value = raw?.trim();
    if (!value || value.length < MIN_LENGTH || !isSecretName(name)) continue;
    if (name === 'GENESYSCLOUD_OAUTHCLIENTS') {
      for (const entry of value.split(',')) {
        const secret = entry.slice(entry.indexOf(':') + 1).trim();
        if (entry.includes(':') && secret.length >= MIN_LENGTH) {
          out.push({ what: 'a secret from GENESYSCLOUD_OAUTHCLIENTS', value: secret });
        }
      }
    } else {
      out.push({ what: `the value of ${name}`, value });
    }
  }
  return out;
}

/** Descriptions of the secrets found in a text or file (never their values), each once. */
export function secretsIn(content: string | Buffer, env: Env): string[] {
  const found = knownSecrets(env)
    .filter((k) => content.includes(k.value))
    .map((k) => k.what);
  return [...new Set(found)];
}

/** Why `-e name=value` must not reach k6, or undefined when it may. */
export function refuseEnvArg(name: string, value: string, env: Env): string | undefined {
  if (isSecretName(name)) {
    return `-e ${name}=… would store a secret in the test archive (k6 keeps every -e value in its metadata.json)`;
  }
  const found = secretsIn(value, env);
  if (found.length > 0) {
    return `-e ${name}=… carries ${found[0]}, which k6 would keep in the test archive's metadata.json`;
  }
  return undefined;
}

/** The environment for a k6 that builds an archive: no credential but the cloud token k6 itself needs. */
export function withoutSecrets(env: Env, keep: string[]): Env {
  return Object.fromEntries(
    Object.entries(env).filter(([name]) => keep.includes(name) || !isSecretName(name)),
  );
}
