import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));
const ARGS = ['--import', 'tsx', MAIN];

function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  for (const k of Object.keys(env)) if (k.startsWith('EMULATOR_') && !(k in extra)) delete env[k];
  return env;
}

/** Starts the CLI and resolves with the process and its first five stdout lines. */
async function launch(args: string[], env = cleanEnv()) {
  const child = spawn(process.execPath, [...ARGS, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const rl = createInterface({ input: child.stdout });
  for await (const line of rl) {
    lines.push(line);
    if (lines.length === 5) break;
  }
  return { child, lines };
}

describe('emulator CLI', () => {
  it('prints the listening line first, then the env lines, serves, and exits 0 on SIGTERM', async () => {
    const { child, lines } = await launch(['--port', '0', '--time-scale', '60', '--seed', '9']);
    const m = /^emulator listening on (http:\/\/127\.0\.0\.1:(\d+))$/.exec(lines[0]);
    assert.ok(m, lines[0]);
    const url = m[1];
    assert.ok(Number(m[2]) > 0);
    assert.deepEqual(lines.slice(1), [
      `GENESYSCLOUD_API_URL=${url}`,
      `GENESYSCLOUD_LOGIN_URL=${url}`,
      'GENESYSCLOUD_OAUTHCLIENT_ID=demo-client',
      'GENESYSCLOUD_OAUTHCLIENT_SECRET=demo-secret',
    ]);
    const health = await fetch(`${url}/__emulator/health`);
    assert.deepEqual(await health.json(), { status: 'ok' });
    const stats = (await (await fetch(`${url}/__emulator/stats`)).json()) as {
      timeScale: number;
      seed: number;
    };
    assert.equal(stats.timeScale, 60);
    assert.equal(stats.seed, 9);
    assert.equal((await fetch(`${url}/api/v2/conversations`)).status, 401);
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    assert.equal(code, 0);
    assert.match(
      stderr,
      /^emulator stopped \(SIGTERM\): 1 API request, 0 throttled \(429\), 0 early retries, 0 while waiting\n$/,
    );
  });

  it('takes EMULATOR_* env and a config file; flags win over env', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'emulator-'));
    const file = path.join(dir, 'config.json');
    writeFileSync(
      file,
      JSON.stringify({ limits: { 'platform.api': { 'token.rate.per.minute': 7 } }, seed: 4 }),
    );
    const { child, lines } = await launch(
      ['--seed', '5'],
      cleanEnv({ EMULATOR_PORT: '0', EMULATOR_CONFIG: file, EMULATOR_SEED: '6' }),
    );
    const url = lines[0].replace('emulator listening on ', '');
    const stats = (await (await fetch(`${url}/__emulator/stats`)).json()) as any;
    assert.equal(stats.seed, 5);
    assert.equal(stats.limiters['token.rate.per.minute'].limit, 7);
    child.kill('SIGINT');
    const [code] = await once(child, 'exit');
    assert.equal(code, 0);
  });

  const dir = mkdtempSync(path.join(tmpdir(), 'emulator-bad-'));
  const badFaults = path.join(dir, 'faults.json');
  writeFileSync(badFaults, JSON.stringify({ faults: { default: { '503': 2 } } }));
  const typo = path.join(dir, 'typo.json');
  writeFileSync(
    typo,
    JSON.stringify({ latency: { routes: { 'GET /api/v2/conversation/{id}': { median: 1, p99: 2 } } } }),
  );
  const notJson = path.join(dir, 'broken.json');
  writeFileSync(notJson, '{"port": ');
  const misspelt = path.join(dir, 'misspelt.json');
  writeFileSync(misspelt, JSON.stringify({ faults: { defualt: { '503': 1 } } }));
  const halfLimit = path.join(dir, 'half-limit.json');
  writeFileSync(halfLimit, JSON.stringify({ limits: { oauth: { 'token.creation.rate.per.minute': 2.5 } } }));
  const escaped = (f: string) => f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const bad: [string[], Record<string, string>, RegExp][] = [
    [['--config', badFaults], {}, /faults\.default\.503 must be a number from 0 to 1/],
    [['--config', notJson], {}, /is not valid JSON/],
    [
      ['--config', typo],
      {},
      /latency\.routes: unknown route "GET \/api\/v2\/conversation\/\{id\}" \(did you mean "GET \/api\/v2\/conversations\/\{conversationId\}"\?\)/,
    ],
    [
      ['--config', misspelt],
      {},
      new RegExp(
        `^emulator: config key "faults\\.defualt" is unknown \\(did you mean "default"\\?\\); known: default, routes \\(config file ${escaped(misspelt)}\\)$`,
      ),
    ],
    [
      [],
      { EMULATOR_CONFIG: halfLimit },
      /"token\.creation\.rate\.per\.minute"\] must be a whole number from 1 .*got 2\.5 \(config file /,
    ],
    [
      [],
      { EMULATOR_SEED: '1.5' },
      /^emulator: seed must be a whole number from 0 to 4294967295, got 1\.5 \(env EMULATOR_SEED\)$/,
    ],
    [
      [],
      { EMULATOR_TIMESCALE: '60' },
      /^emulator: environment variable EMULATOR_TIMESCALE is unknown \(did you mean "EMULATOR_TIME_SCALE"\?\)/,
    ],
    [['--seed', '1.5'], {}, /^emulator: seed must be a whole number .*got 1\.5 \(flag --seed\)$/],
    [
      ['--time-scal', '60'],
      {},
      /^emulator: unknown argument "--time-scal" \(did you mean "--time-scale"\?\)$/,
    ],
    [['--bogus'], {}, /unknown argument "--bogus"/],
    [['--port'], {}, /--port needs a value/],
    [['--port', 'abc'], {}, /port must be a whole number from 0 to 65535, got "abc" \(flag --port\)/],
    [['--time-scale', '0'], {}, /timeScale must be a number from 0\.001/],
    [['--config', '/nonexistent/emulator.json'], {}, /cannot read config file/],
  ];
  for (const [args, env, message] of bad) {
    const named = [...Object.entries(env).map(([k, v]) => `${k}=${path.basename(v)}`), ...args].join(' ');
    it(`rejects ${named} with one error line, exit code 2 and nothing on stdout`, () => {
      const r = spawnSync(process.execPath, [...ARGS, ...args], { env: cleanEnv(env), encoding: 'utf8' });
      assert.equal(r.status, 2);
      assert.equal(r.stdout, '');
      const errLines = r.stderr.trim().split('\n');
      assert.equal(errLines.length, 1, r.stderr);
      assert.match(errLines[0], message);
    });
  }

  it('starts with the realistic example config', async () => {
    const realistic = fileURLToPath(new URL('../config.realistic.json', import.meta.url));
    const { child, lines } = await launch(['--port', '0', '--config', realistic]);
    const url = lines[0].replace('emulator listening on ', '');
    const stats = (await (await fetch(`${url}/__emulator/stats`)).json()) as any;
    assert.equal(stats.limiters['token.rate.per.minute'].limit, 300);
    child.kill('SIGTERM');
    assert.equal((await once(child, 'exit'))[0], 0);
  });

  it('exits 1 with one line when the port is taken', async () => {
    const { child, lines } = await launch(['--port', '0']);
    const port = lines[0].split(':').pop()!;
    const r = spawnSync(process.execPath, [...ARGS, '--port', port], { env: cleanEnv(), encoding: 'utf8' });
    child.kill('SIGTERM');
    await once(child, 'exit');
    assert.equal(r.status, 1);
    assert.match(r.stderr.trim(), /^emulator: cannot listen on 127\.0\.0\.1:\d+: EADDRINUSE$/);
  });
});
