// make cloud-upload / cloud-run / cloud-archive through a stand-in for k6: the release decides the command,
// settings are checked before k6 is called, a secret never leaves in a bundle, an archive or an argument,
// and the bundles carry the cloud block. Real k6 against a stand-in Grafana Cloud is cloud-k6.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
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

// Stands in for k6: answers `k6 version` with FAKE_K6_VERSION; otherwise records its arguments, whether it
// inherited the secret and where reports go, writes an archive holding FAKE_ARCHIVE_VALUE for `archive -O`, exits FAKE_K6_EXIT.
const fakeK6 = path.join(tmp, 'k6');
writeFileSync(
  fakeK6,
  `#!/bin/sh
if [ "$1" = version ]; then echo "k6 v\${FAKE_K6_VERSION:-2.2.0} (fake, linux/amd64)"; exit 0; fi
printf "%s\\n" "$@" > "$FAKE_K6_LOG"
if [ -n "$GENESYSCLOUD_OAUTHCLIENT_SECRET" ]; then echo inherited >> "$FAKE_K6_LOG.env"; fi
if [ -n "$REPORT_DIR" ]; then echo "$TEST_NAME $REPORT_DIR" > "$FAKE_K6_LOG.report"; fi
if [ "$1" = archive ]; then
  d=$(mktemp -d); printf '{"env":{"X":"%s"}}' "$FAKE_ARCHIVE_VALUE" > "$d/metadata.json"
  tar -cf "$3" -C "$d" metadata.json; rm -rf "$d"
fi
exit "\${FAKE_K6_EXIT:-0}"
`,
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

/** Removes a run folder a local execution made under reports/, and reports/latest when it points there. */
function dropRun(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  const latest = path.join(path.dirname(dir), 'latest');
  if (!existsSync(latest)) rmSync(latest, { force: true }); // existsSync follows the link
}

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
  const report = existsSync(`${log}.report`) ? readFileSync(`${log}.report`, 'utf8').trim() : undefined;
  return { code: r.status, stderr: r.stderr, stdout: r.stdout, k6Args, inherited, report };
}

test('make cloud-run without the cloud settings: one line, exit 2, k6 asked only for its version', () => {
  const r = run(['cloud-run', clean], { K6_CLOUD_TOKEN: 'tok-0123456789' });
  assert.equal(r.code, 2);
  assert.deepEqual(r.stderr.trim().split('\n'), [
    `cloud: missing K6_CLOUD_STACK_ID, K6_CLOUD_PROJECT_ID: set them before calling k6 cloud ` +
      `(token: Grafana Cloud > Testing & synthetics > Performance > Settings; stack and project IDs: the project's page)`,
  ]);
  assert.equal(r.k6Args, undefined);
  const old = run(['cloud-run', clean], { K6_CLOUD_TOKEN: 'tok-0123456789', FAKE_K6_VERSION: '0.49.0' });
  assert.match(old.stderr, /^cloud: missing K6_CLOUD_PROJECT_ID: set it/, 'k6 before 2.0 needs no stack');
});

test('make cloud-upload: the command of the installed release, settings with -e, the secret left behind', () => {
  const env = { ...CLOUD_ENV, GENESYSCLOUD_OAUTHCLIENT_SECRET: SECRET, RATE: '2', BOT_FLOW_ID: 'flow-1' };
  const modern = run(['cloud-upload', clean], env);
  assert.equal(modern.code, 0, modern.stderr);
  assert.deepEqual(modern.k6Args, [
    'cloud',
    'upload',
    '-e',
    'K6_CLOUD_PROJECT_ID=3710',
    '-e',
    'RATE=2',
    clean,
  ]);
  assert.equal(modern.inherited, false, 'a k6 that builds an archive does not get the secret');
  assert.match(modern.stderr, /^cloud: k6 v2\.2\.0: k6 cloud upload /);
  assert.ok(!modern.stderr.includes(SECRET) && !modern.stdout.includes(SECRET));
  const old = run(['cloud-upload', clean, '-e', 'BOT_FLOW_ID=flow-1'], { ...env, FAKE_K6_VERSION: '0.49.0' });
  assert.equal(old.code, 0, old.stderr);
  assert.deepEqual(old.k6Args, [
    'cloud',
    '--upload-only',
    '-e',
    'K6_CLOUD_PROJECT_ID=3710',
    '-e',
    'RATE=2',
    '-e',
    'BOT_FLOW_ID=flow-1',
    clean,
  ]);
});

test('make cloud-run LOCAL=1 runs here with this shell, sends no archive, and passes k6 exit code 99 on', () => {
  const env = { ...CLOUD_ENV, LOCAL: '1', GENESYSCLOUD_OAUTHCLIENT_SECRET: SECRET, FAKE_K6_EXIT: '99' };
  const r = run(['cloud-run', clean], env);
  assert.equal(r.code, 99);
  assert.deepEqual(r.k6Args, [
    'cloud',
    'run',
    '--local-execution',
    '--no-archive-upload',
    '--include-system-env-vars',
    '-e',
    'K6_CLOUD_PROJECT_ID=3710',
    clean,
  ]);
  assert.equal(r.inherited, true, 'a local execution reads the credentials from the environment');
  // The suite's handleSummary writes where make load's runs go, not into the checkout.
  const runDir = /^fixture (.*\/reports\/(\d{8}T\d{6}Z-fixture(?:-\d+)?))$/.exec(r.report ?? '');
  assert.ok(runDir && existsSync(runDir[1]), r.report);
  assert.match(r.stderr, new RegExp(`cloud: reports in reports/${runDir[2]}/`));
  dropRun(runDir[1]);
  const old = run(['cloud-run', clean, '--local-execution'], {
    ...env,
    LOCAL: '',
    FAKE_K6_VERSION: '0.49.0',
  });
  assert.deepEqual(old.k6Args?.slice(0, 3), ['run', '--out', 'cloud']);
  assert.equal(old.inherited, true);
  dropRun(old.report!.split(' ')[1]);
  const remote = run(['cloud-run', clean], { ...env, LOCAL: '' });
  assert.deepEqual(remote.k6Args?.slice(0, 3), ['cloud', 'run', '-e']);
  assert.equal(remote.inherited, false);
  assert.equal(remote.report, undefined, 'a cloud run writes its reports in the cloud');
});

test('make cloud-archive: the archive is read back and deleted when a file in it holds a secret', () => {
  const env = { GENESYSCLOUD_OAUTHCLIENT_SECRET: SECRET, RATE: '2' };
  const out = path.join(root, 'build', 'archives', 'fixture.tar');
  const ok = run(['cloud-archive', clean], { ...env, FAKE_ARCHIVE_VALUE: '2' });
  assert.equal(ok.code, 0, ok.stderr);
  assert.deepEqual(ok.k6Args, ['archive', '-O', 'build/archives/fixture.tar', '-e', 'RATE=2', clean]);
  assert.match(ok.stderr, /wrote build\/archives\/fixture\.tar: no secret in any of its files/);
  assert.ok(existsSync(out));
  const leak = run(['cloud-archive', clean], { ...env, FAKE_ARCHIVE_VALUE: SECRET });
  assert.equal(leak.code, 1);
  assert.equal(
    leak.stderr.trim().split('\n').at(-1),
    'cloud: build/archives/fixture.tar held the value of GENESYSCLOUD_OAUTHCLIENT_SECRET in metadata.json; deleted it',
  );
  assert.ok(!existsSync(out));
  rmSync(out, { force: true });
});

test('bad input, a secret asked for and a bundle holding a secret stop before k6: one line each', () => {
  const leak = run(['cloud-upload', leaky], CLOUD_ENV);
  assert.equal(leak.code, 1);
  assert.match(
    leak.stderr,
    /contains the emulator's demo secret "demo-secret"; refusing to send it to the cloud/,
  );
  assert.equal(leak.k6Args, undefined);
  const withSecret = { ...CLOUD_ENV, GENESYSCLOUD_OAUTHCLIENT_SECRET: SECRET };
  for (const [args, env, message] of [
    [
      ['cloud-deploy', 'load'],
      CLOUD_ENV,
      /usage: node tools\/cloud\.mjs cloud-upload\|cloud-run\|cloud-archive <test>/,
    ],
    [['cloud-upload', clean, '--local-execution'], CLOUD_ENV, /--local-execution applies to cloud-run only/],
    [['cloud-run', 'no-such-test'], CLOUD_ENV, /build\/tests\/no-such-test\.js is missing/],
    [['cloud-run', clean], { ...CLOUD_ENV, K6: path.join(tmp, 'nope') }, /K6=.* is not an executable file/],
    [
      ['cloud-run', clean],
      { ...CLOUD_ENV, FAKE_K6_VERSION: '0.48.0' },
      /is k6 v0\.48\.0; the suite needs k6 v0\.49\.0 or later/,
    ],
    [
      ['cloud-upload', clean, '--include-system-env-vars'],
      withSecret,
      /^cloud: --include-system-env-vars would store/,
    ],
    [
      ['cloud-upload', clean, '-e', `GENESYSCLOUD_OAUTHCLIENT_SECRET=${SECRET}`],
      withSecret,
      /would store a secret/,
    ],
    [
      ['cloud-run', clean, '-e', `NOTE=${SECRET}`],
      withSecret,
      /carries the value of GENESYSCLOUD_OAUTHCLIENT_SECRET/,
    ],
    [
      ['cloud-archive', clean, '-e', 'K6_CLOUD_TOKEN=tok-0123456789'],
      withSecret,
      /-e K6_CLOUD_TOKEN=… would store/,
    ],
    [
      ['cloud-upload', clean],
      { ...withSecret, K6_INCLUDE_SYSTEM_ENV_VARS: 'true' },
      /^cloud: K6_INCLUDE_SYSTEM_ENV_VARS is set/,
    ],
  ] as const) {
    const r = run([...args], env);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, message);
    assert.ok(!r.stderr.includes(SECRET), 'the secret is never echoed');
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
