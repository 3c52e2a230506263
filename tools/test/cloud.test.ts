// make cloud-upload / cloud-run: settings checked before k6 is called, secrets never leave in a bundle or
// on the command line, and the bundles carry the cloud block.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { checkCloudEnv, cloudArgs, secretsIn } from '../cloud.ts';
import { readBundleOptions } from '../bundle-options.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = path.join(root, 'tools', 'cloud.mjs');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'cloud-test-'));

const CLOUD_ENV = {
  K6_CLOUD_TOKEN: 'tok-0123456789',
  K6_CLOUD_STACK_ID: '4242',
  K6_CLOUD_PROJECT_ID: '3710',
};
const SECRET = 'org-secret-value-7f3a';

// Stands in for k6: records its arguments and whether it inherited the secret, exits with FAKE_K6_EXIT.
const fakeK6 = path.join(tmp, 'k6');
writeFileSync(
  fakeK6,
  '#!/bin/sh\nprintf "%s\\n" "$@" > "$FAKE_K6_LOG"\n' +
    'if [ -n "$GENESYSCLOUD_OAUTHCLIENT_SECRET" ]; then echo inherited >> "$FAKE_K6_LOG.env"; fi\n' +
    'exit "${FAKE_K6_EXIT:-0}"\n',
);
chmodSync(fakeK6, 0o755);

function bundleFrom(name: string, source: string): string {
  const dir = mkdtempSync(path.join(tmp, 'b-'));
  const out = path.join(dir, `${name}.js`);
  buildSync({
    stdin: { contents: source, loader: 'ts' },
    outfile: out,
    bundle: true,
    format: 'esm',
    external: ['k6', 'k6/*'],
  });
  return out;
}

const clean = bundleFrom(
  'fixture',
  `import http from 'k6/http';
export const options = { cloud: { name: 'fixture' } };
export default function () { http.get(__ENV.GENESYSCLOUD_API_URL + '/api/v2/users/me'); }`,
);
const leaky = bundleFrom('leaky', `export const client = { id: 'demo-client', secret: 'demo-secret' };`);

let runs = 0;
function run(args: string[], env: Record<string, string>) {
  const log = path.join(tmp, `k6-${++runs}.log`);
  const r = spawnSync(process.execPath, [cli, ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', K6: fakeK6, FAKE_K6_LOG: log, ...env },
    timeout: 60_000,
  });
  const k6Args = existsSync(log) ? readFileSync(log, 'utf8').trimEnd().split('\n') : undefined;
  const inherited = existsSync(`${log}.env`);
  return { code: r.status, stderr: r.stderr, stdout: r.stdout, k6Args, inherited };
}

test('cloud settings: one line naming every missing variable', () => {
  assert.match(checkCloudEnv({}) ?? '', /^missing K6_CLOUD_TOKEN, K6_CLOUD_STACK_ID, K6_CLOUD_PROJECT_ID: /);
  assert.match(
    checkCloudEnv({ ...CLOUD_ENV, K6_CLOUD_STACK_ID: ' ' }) ?? '',
    /^missing K6_CLOUD_STACK_ID: set it/,
  );
  assert.match(
    checkCloudEnv({ ...CLOUD_ENV, K6_CLOUD_PROJECT_ID: 'abc' }) ?? '',
    /K6_CLOUD_PROJECT_ID="abc" must be a number/,
  );
  assert.equal(checkCloudEnv(CLOUD_ENV), undefined);
});

test('secrets in a bundle are found by name, never echoed', () => {
  assert.deepEqual(secretsIn('const s = "demo-secret";', {}), [`the emulator's demo secret "demo-secret"`]);
  assert.deepEqual(secretsIn(`x("${SECRET}")`, { GENESYSCLOUD_OAUTHCLIENT_SECRET: SECRET }), [
    'the value of GENESYSCLOUD_OAUTHCLIENT_SECRET',
  ]);
  assert.deepEqual(secretsIn(`x("${SECRET}")`, { GENESYSCLOUD_OAUTHCLIENTS: `a:other-secret,b:${SECRET}` }), [
    'a secret from GENESYSCLOUD_OAUTHCLIENTS',
  ]);
  assert.deepEqual(
    secretsIn('export default function () {}', { GENESYSCLOUD_OAUTHCLIENT_SECRET: SECRET }),
    [],
  );
});

test('k6 arguments: settings travel with -e, credentials do not', () => {
  const env = {
    ...CLOUD_ENV,
    K6_CLOUD_DISTRIBUTION: 'amazon:us:ashburn:50,amazon:ie:dublin:50',
    RATE: '3',
    BOT_FLOW_ID: 'flow-1',
    GENESYSCLOUD_REGION: 'eu-west-1',
    GENESYSCLOUD_OAUTHCLIENT_ID: 'client-1',
    GENESYSCLOUD_OAUTHCLIENT_SECRET: SECRET,
  };
  const upload = cloudArgs('cloud-upload', 'build/tests/load.js', env, false);
  assert.deepEqual(upload.slice(0, 2), ['cloud', 'upload']);
  assert.equal(upload.at(-1), 'build/tests/load.js');
  assert.ok(upload.includes('K6_CLOUD_PROJECT_ID=3710'));
  assert.ok(upload.includes('K6_CLOUD_DISTRIBUTION=amazon:us:ashburn:50,amazon:ie:dublin:50'));
  assert.ok(upload.includes('RATE=3') && upload.includes('BOT_FLOW_ID=flow-1'));
  assert.ok(
    !upload.some((a) => /GENESYSCLOUD_|K6_CLOUD_TOKEN/.test(a) || a.includes(SECRET)),
    upload.join(' '),
  );
  assert.deepEqual(cloudArgs('cloud-run', 'b.js', {}, true), ['cloud', 'run', '--local-execution', 'b.js']);
  assert.deepEqual(cloudArgs('cloud-run', 'b.js', {}, false), ['cloud', 'run', 'b.js']);
});

test('make cloud-run without the cloud settings: one line, exit 2, k6 never called', () => {
  const r = run(['cloud-run', clean], { K6_CLOUD_TOKEN: 'tok-0123456789' });
  assert.equal(r.code, 2);
  assert.deepEqual(r.stderr.trim().split('\n'), [
    `cloud: missing K6_CLOUD_STACK_ID, K6_CLOUD_PROJECT_ID: set them before calling k6 cloud ` +
      `(token: Grafana Cloud > Testing & synthetics > Performance > Settings; stack and project IDs: the project's page)`,
  ]);
  assert.equal(r.k6Args, undefined);
});

test('make cloud-upload calls k6 cloud upload with the bundle; the secret stays in the environment only', () => {
  const r = run(['cloud-upload', clean], {
    ...CLOUD_ENV,
    GENESYSCLOUD_OAUTHCLIENT_SECRET: SECRET,
    RATE: '2',
  });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.k6Args, ['cloud', 'upload', '-e', 'K6_CLOUD_PROJECT_ID=3710', '-e', 'RATE=2', clean]);
  assert.ok(!r.stderr.includes(SECRET) && !r.stdout.includes(SECRET));
});

test('make cloud-run LOCAL=1 runs locally with this shell environment and passes k6 exit code 99 on', () => {
  const r = run(['cloud-run', clean], {
    ...CLOUD_ENV,
    LOCAL: '1',
    GENESYSCLOUD_OAUTHCLIENT_SECRET: SECRET,
    FAKE_K6_EXIT: '99',
  });
  assert.equal(r.code, 99);
  assert.deepEqual(r.k6Args, ['cloud', 'run', '--local-execution', '-e', 'K6_CLOUD_PROJECT_ID=3710', clean]);
  assert.equal(r.inherited, true, 'a local execution reads the credentials from the environment');
  const flag = run(['cloud-run', clean, '--local-execution'], CLOUD_ENV);
  assert.equal(flag.k6Args?.[2], '--local-execution');
});

test('bad input and a bundle holding a secret stop before k6', () => {
  const leak = run(['cloud-upload', leaky], CLOUD_ENV);
  assert.equal(leak.code, 1);
  assert.match(
    leak.stderr,
    /contains the emulator's demo secret "demo-secret"; refusing to send it to the cloud/,
  );
  assert.equal(leak.k6Args, undefined);
  for (const [args, env, message] of [
    [['cloud-deploy', 'load'], CLOUD_ENV, /usage: node tools\/cloud\.mjs cloud-upload\|cloud-run <test>/],
    [['cloud-upload', clean, '--local-execution'], CLOUD_ENV, /--local-execution applies to cloud-run only/],
    [['cloud-run', 'no-such-test'], CLOUD_ENV, /build\/tests\/no-such-test\.js is missing/],
    [['cloud-run', clean], { ...CLOUD_ENV, K6: path.join(tmp, 'nope') }, /K6=.* is not an executable file/],
  ] as const) {
    const r = run([...args], env);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, message);
    assert.equal(r.k6Args, undefined);
  }
});

function builtBundles(): string[] {
  const dir = path.join(root, 'build', 'tests');
  if (!existsSync(dir) || readdirSync(dir).every((f) => !f.endsWith('.js'))) {
    spawnSync(process.execPath, [path.join(root, 'esbuild.config.mjs'), '--quiet'], {
      cwd: root,
      stdio: 'inherit',
    });
  }
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.js'))
        .map((f) => path.join(dir, f))
    : [];
}

test('no bundle holds the demo secret or the secret in this environment', (t) => {
  const bundles = builtBundles();
  if (bundles.length === 0) return t.skip('no tests in tests/ yet');
  const secret = process.env.GENESYSCLOUD_OAUTHCLIENT_SECRET?.trim();
  for (const file of bundles) {
    const text = readFileSync(file, 'utf8');
    assert.ok(!text.includes('demo-secret'), `${path.basename(file)} contains demo-secret`);
    if (secret)
      assert.ok(!text.includes(secret), `${path.basename(file)} contains GENESYSCLOUD_OAUTHCLIENT_SECRET`);
  }
});

// Under Node there is no global setTimeout, so the bundle takes k6 v0.50's form; k6 v0.51+ gets `cloud`.
const cloudBlockOf = (o: Record<string, unknown>) =>
  o.cloud ?? (o.ext as { loadimpact?: unknown } | undefined)?.loadimpact;

test('every bundle carries its cloud block (cloud, or ext.loadimpact before k6 v0.51): name, projectID and load zones from env', async (t) => {
  const bundles = builtBundles();
  if (bundles.length === 0) return t.skip('no tests in tests/ yet');
  const base = {
    GENESYSCLOUD_API_URL: 'http://127.0.0.1:9',
    GENESYSCLOUD_OAUTHCLIENT_ID: 'c',
    GENESYSCLOUD_OAUTHCLIENT_SECRET: 's',
  };
  for (const file of bundles) {
    const withEnv = await readBundleOptions(file, {
      ...base,
      K6_CLOUD_PROJECT_ID: '3710',
      K6_CLOUD_DISTRIBUTION: 'amazon:us:ashburn:60,amazon:ie:dublin:40',
    });
    const cloud = cloudBlockOf(withEnv) as {
      name?: string;
      projectID?: unknown;
      distribution?: Record<string, unknown>;
    };
    assert.ok(typeof cloud?.name === 'string' && cloud.name.length > 0, `${file}: cloud.name`);
    assert.equal(cloud.projectID, 3710, `${file}: cloud.projectID`);
    assert.deepEqual(
      Object.values(cloud.distribution ?? {}).sort((a: any, b: any) => b.percent - a.percent),
      [
        { loadZone: 'amazon:us:ashburn', percent: 60 },
        { loadZone: 'amazon:ie:dublin', percent: 40 },
      ],
      `${file}: cloud.distribution`,
    );
    const without = cloudBlockOf(await readBundleOptions(file, base)) as Record<string, unknown>;
    assert.equal(
      without.projectID,
      undefined,
      `${file}: projectID omitted when K6_CLOUD_PROJECT_ID is unset`,
    );
  }
});
