// The cloud tools' pure parts: which k6 command each release gets, what goes with -e, what k6's environment
// holds, which settings are required, and which arguments are refused as secrets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkCloudEnv, cloudVars, k6Args, k6Env, type CloudCommand } from '../cloud-command.ts';
import { knownSecrets, refuseEnvArg, secretsIn } from '../cloud-secrets.ts';
import { parseExtra } from '../cloud.ts';
import { parseK6Version, type K6Version } from '../k6-binary.ts';
import { UsageError } from '../bundle-path.ts';

const v = (text: string): K6Version => parseK6Version(`k6 v${text} (x)`)!;
const SECRET = 'org-secret-value-7f3a';
const CLOUD_ENV = {
  K6_CLOUD_TOKEN: 'tok-0123456789',
  K6_CLOUD_STACK_ID: '4242',
  K6_CLOUD_PROJECT_ID: '3710',
};

test('k6 version output: the release, from both generations', () => {
  assert.deepEqual(parseK6Version('k6 v2.2.0 (commit/devel, go1.25.12, linux/amd64)'), {
    major: 2,
    minor: 2,
    patch: 0,
    text: 'v2.2.0',
  });
  assert.equal(parseK6Version('k6-v0.49.0 v0.49.0 (go1.19.8, linux/amd64)')?.text, 'v0.49.0');
  assert.equal(parseK6Version('runner 1.0'), undefined);
});

test('each verb in the form each k6 release has: subcommands from v0.54, k6 cloud / k6 run before', () => {
  const cmd = (version: string, verb: CloudCommand['verb'], local = false) =>
    k6Args({
      verb,
      local,
      version: v(version),
      bundleFile: 'b.js',
      vars: { RATE: '2' },
      archiveOut: 'a.tar',
    });
  for (const modern of ['2.2.0', '1.0.0', '0.54.0']) {
    assert.deepEqual(cmd(modern, 'cloud-upload'), ['cloud', 'upload', '-e', 'RATE=2', 'b.js']);
    assert.deepEqual(cmd(modern, 'cloud-run'), ['cloud', 'run', '-e', 'RATE=2', 'b.js']);
    assert.deepEqual(cmd(modern, 'cloud-run', true), [
      'cloud',
      'run',
      '--local-execution',
      '--no-archive-upload',
      '--include-system-env-vars',
      '-e',
      'RATE=2',
      'b.js',
    ]);
  }
  for (const old of ['0.53.0', '0.49.0']) {
    assert.deepEqual(cmd(old, 'cloud-upload'), ['cloud', '--upload-only', '-e', 'RATE=2', 'b.js']);
    assert.deepEqual(cmd(old, 'cloud-run'), ['cloud', '-e', 'RATE=2', 'b.js']);
    assert.deepEqual(cmd(old, 'cloud-run', true), ['run', '--out', 'cloud', '-e', 'RATE=2', 'b.js']);
  }
  for (const any of ['2.2.0', '0.49.0']) {
    assert.deepEqual(cmd(any, 'cloud-archive'), ['archive', '-O', 'a.tar', '-e', 'RATE=2', 'b.js']);
  }
});

test('-e carries the load shape and the cloud block inputs; never a credential or an org resource', () => {
  const vars = cloudVars({
    ...CLOUD_ENV,
    K6_CLOUD_DISTRIBUTION: 'amazon:us:ashburn:50,amazon:ie:dublin:50',
    RATE: '3',
    OAUTH_CLIENTS: '2',
    BOT_FLOW_ID: 'flow-1',
    MESSAGING_TO_ADDRESS: '+13175550199',
    GENESYSCLOUD_REGION: 'eu-west-1',
    GENESYSCLOUD_OAUTHCLIENT_ID: 'client-1',
    GENESYSCLOUD_OAUTHCLIENT_SECRET: SECRET,
  });
  assert.deepEqual(vars, {
    K6_CLOUD_PROJECT_ID: '3710',
    K6_CLOUD_DISTRIBUTION: 'amazon:us:ashburn:50,amazon:ie:dublin:50',
    RATE: '3',
    OAUTH_CLIENTS: '2',
  });
  assert.deepEqual(cloudVars({ RATE: '3' }, { BOT_FLOW_ID: 'flow-2', RATE: '4' }), {
    RATE: '4',
    BOT_FLOW_ID: 'flow-2',
  });
});

test("k6's environment: no connection or credential but its own token, unless the test runs here", () => {
  const env = {
    PATH: '/bin',
    ...CLOUD_ENV,
    GENESYSCLOUD_REGION: 'eu-west-1',
    GENESYSCLOUD_OAUTHCLIENT_ID: 'client-1',
    GENESYSCLOUD_OAUTHCLIENT_SECRET: SECRET,
    GENESYSCLOUD_OAUTHCLIENTS: `a:${SECRET}`,
    AWS_SECRET_ACCESS_KEY: 'aws-1234',
    RATE: '2',
  };
  assert.deepEqual(k6Env(env, false), { PATH: '/bin', ...CLOUD_ENV, RATE: '2' });
  assert.deepEqual(k6Env(env, true), env);
});

test('cloud settings: what each verb and release needs, one line naming every missing one', () => {
  const check = (
    env: Record<string, string>,
    version = '2.2.0',
    verb: CloudCommand['verb'] = 'cloud-run',
  ) => {
    try {
      checkCloudEnv(env, verb, v(version), false);
      return undefined;
    } catch (err) {
      assert.ok(err instanceof UsageError);
      return err.message;
    }
  };
  assert.match(check({}) ?? '', /^missing K6_CLOUD_TOKEN, K6_CLOUD_STACK_ID, K6_CLOUD_PROJECT_ID: set them/);
  assert.match(check({}, '0.49.0') ?? '', /^missing K6_CLOUD_TOKEN, K6_CLOUD_PROJECT_ID: set them/);
  assert.match(check({ ...CLOUD_ENV, K6_CLOUD_STACK_ID: ' ' }) ?? '', /^missing K6_CLOUD_STACK_ID: set it/);
  assert.match(
    check({ ...CLOUD_ENV, K6_CLOUD_PROJECT_ID: 'abc' }) ?? '',
    /K6_CLOUD_PROJECT_ID="abc" must be a number/,
  );
  assert.equal(check(CLOUD_ENV), undefined);
  assert.equal(check({}, '2.2.0', 'cloud-archive'), undefined);
  assert.match(
    check({ ...CLOUD_ENV, K6_INCLUDE_SYSTEM_ENV_VARS: 'true' }) ?? '',
    /^K6_INCLUDE_SYSTEM_ENV_VARS is set: k6 would store this whole environment, secrets included, in the test archive; unset it$/,
  );
  assert.doesNotThrow(() =>
    checkCloudEnv({ ...CLOUD_ENV, K6_INCLUDE_SYSTEM_ENV_VARS: 'true' }, 'cloud-run', v('2.2.0'), true),
  );
});

test('secrets are found by name and by value, and only their names are reported', () => {
  assert.deepEqual(secretsIn('const s = "demo-secret";', {}), [`the emulator's demo secret "demo-secret"`]);
  assert.deepEqual(secretsIn(`x("${SECRET}")`, { GENESYSCLOUD_OAUTHCLIENT_SECRET: SECRET }), [
    'the value of GENESYSCLOUD_OAUTHCLIENT_SECRET',
  ]);
  assert.deepEqual(
    secretsIn(Buffer.from(`x("${SECRET}")`), { GENESYSCLOUD_OAUTHCLIENTS: `a:other-secret,b:${SECRET}` }),
    ['a secret from GENESYSCLOUD_OAUTHCLIENTS'],
  );
  assert.deepEqual(secretsIn('k: "tok-0123456789"', CLOUD_ENV), ['the value of K6_CLOUD_TOKEN']);
  assert.deepEqual(
    secretsIn('export default function () {}', { GENESYSCLOUD_OAUTHCLIENT_SECRET: SECRET }),
    [],
  );
  // Short values and settings are not secrets: "2" would match anywhere.
  assert.deepEqual(
    knownSecrets({ GITHUB_TOKEN: 'abc', RATE: '12345678' }).map((k) => k.what),
    [`the emulator's demo secret "demo-secret"`],
  );
});

test('an -e that names a secret or carries one is refused; the value is never repeated', () => {
  const env = { GENESYSCLOUD_OAUTHCLIENT_SECRET: SECRET, ...CLOUD_ENV };
  assert.match(
    refuseEnvArg('GENESYSCLOUD_OAUTHCLIENT_SECRET', SECRET, env) ?? '',
    /^-e GENESYSCLOUD_OAUTHCLIENT_SECRET=… would store a secret/,
  );
  assert.match(refuseEnvArg('DB_PASSWORD', 'x', env) ?? '', /^-e DB_PASSWORD=… would store a secret/);
  assert.match(
    refuseEnvArg('NOTE', `see ${SECRET}`, env) ?? '',
    /^-e NOTE=… carries the value of GENESYSCLOUD_OAUTHCLIENT_SECRET, which k6 would keep/,
  );
  assert.match(refuseEnvArg('X', 'tok-0123456789', env) ?? '', /carries the value of K6_CLOUD_TOKEN/);
  assert.equal(refuseEnvArg('BOT_FLOW_ID', 'flow-1', env), undefined);

  assert.deepEqual(
    parseExtra(['-e', 'A=1', '--env', 'B=2', '--env=C=3', '-eD=4=5', '--local-execution'], env),
    {
      local: true,
      vars: { A: '1', B: '2', C: '3', D: '4=5' },
    },
  );
  for (const [args, message] of [
    [
      ['-e', `GENESYSCLOUD_OAUTHCLIENT_SECRET=${SECRET}`],
      /would store a secret .*Grafana Cloud k6's environment variables/,
    ],
    [['-e', `X=${SECRET}`], /^-e X=… carries the value of GENESYSCLOUD_OAUTHCLIENT_SECRET/],
    [['--include-system-env-vars'], /^--include-system-env-vars would store this shell's whole environment/],
    [['--include-system-env-vars=true'], /would store this shell's whole environment/],
    [['-e'], /^-e needs NAME=value/],
    [['-e', '=1'], /needs NAME=value/],
    [['--out', 'json'], /^unknown argument --out; usage:/],
  ] as const) {
    assert.throws(
      () => parseExtra([...args], env),
      (err: Error) => err instanceof UsageError && message.test(err.message) && !err.message.includes(SECRET),
      args.join(' '),
    );
  }
});
