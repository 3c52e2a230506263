import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, defaultConfig, mergeConfig, resolveConfig } from '../config.ts';

describe('config', () => {
  it('merges objects and replaces arrays and scalars', () => {
    const c = mergeConfig(defaultConfig(), {
      limits: { 'platform.api': { 'token.rate.per.minute': 10 } },
      clients: [{ id: 'a', secret: 'b', tokenLifetimeSeconds: 300, permissions: [] }],
      timeScale: 5,
    });
    assert.equal(c.limits['platform.api']['token.rate.per.minute'], 10);
    assert.equal(c.limits['platform.api']['org.app.user.rate.per.minute'], 3000);
    assert.deepEqual(
      c.clients.map((x) => x.id),
      ['a'],
    );
    assert.equal(c.timeScale, 5);
    assert.equal(defaultConfig().timeScale, 1, 'the defaults are not mutated');
  });

  it('flags win over env, env over defaults', () => {
    const c = resolveConfig(['--port=0', '--seed', '3'], {
      EMULATOR_PORT: '9999',
      EMULATOR_HOST: '::1',
      EMULATOR_TIME_SCALE: '60',
    });
    assert.equal(c.port, 0);
    assert.equal(c.seed, 3);
    assert.equal(c.host, '::1');
    assert.equal(c.timeScale, 60);
    assert.equal(resolveConfig([], {}).port, 8089);
  });

  const dir = mkdtempSync(path.join(tmpdir(), 'emulator-config-'));
  const file = (name: string, body: unknown) => {
    const f = path.join(dir, name);
    writeFileSync(f, JSON.stringify(body));
    return f;
  };

  function refused(argv: string[], env: NodeJS.ProcessEnv, message: RegExp | string): void {
    assert.throws(
      () => resolveConfig(argv, env),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError, String(err));
        if (typeof message === 'string') assert.equal(err.message, message);
        else assert.match(err.message, message);
        return true;
      },
    );
  }

  it('names the config file a refused key came from', () => {
    const typo = file('typo.json', { faults: { defualt: { '503': 1 } } });
    refused(
      ['--config', typo],
      {},
      `config key "faults.defualt" is unknown (did you mean "default"?); known: default, routes (config file ${typo})`,
    );
    const half = file('half.json', { limits: { 'platform.api': { 'token.rate.per.minute': 2.5 } } });
    refused(
      [],
      { EMULATOR_CONFIG: half },
      /^limits\["platform\.api"\]\["token\.rate\.per\.minute"\] must be a whole number from 1 .*, got 2\.5 \(config file .*half\.json\)$/,
    );
  });

  it('names the environment variable a refused value came from', () => {
    refused(
      [],
      { EMULATOR_SEED: '1.5' },
      'seed must be a whole number from 0 to 4294967295, got 1.5 (env EMULATOR_SEED)',
    );
    refused(
      [],
      { EMULATOR_PORT: 'abc' },
      /^port must be a whole number from 0 to 65535, got "abc" \(env EMULATOR_PORT\)$/,
    );
    refused(
      [],
      { EMULATOR_TIME_SCALE: '0' },
      /^timeScale must be a number from 0\.001, got 0 \(env EMULATOR_TIME_SCALE\)$/,
    );
  });

  it('refuses an unknown EMULATOR_* variable, with the nearest known one', () => {
    refused(
      [],
      { EMULATOR_TIMESCALE: '60' },
      'environment variable EMULATOR_TIMESCALE is unknown (did you mean "EMULATOR_TIME_SCALE"?); ' +
        'known: EMULATOR_HOST, EMULATOR_PORT, EMULATOR_CONFIG, EMULATOR_TIME_SCALE, EMULATOR_SEED',
    );
    refused([], { EMULATOR_VERBOSE: '1' }, /^environment variable EMULATOR_VERBOSE is unknown; known: /);
    assert.equal(
      resolveConfig([], { EMULATOR_VERBOSE: '', OTHER_SEED: 'x' }).seed,
      1,
      'empty or other names pass',
    );
  });

  it('names the flag a refused value came from, and the nearest flag to an unknown one', () => {
    refused(['--seed', '1.5'], {}, 'seed must be a whole number from 0 to 4294967295, got 1.5 (flag --seed)');
    refused(['--port=70000'], {}, /^port must be a whole number from 0 to 65535, got 70000 \(flag --port\)$/);
    refused(['--time-scal', '60'], {}, 'unknown argument "--time-scal" (did you mean "--time-scale"?)');
    refused(['--bogus'], {}, 'unknown argument "--bogus"');
  });
});
