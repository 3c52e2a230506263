import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, defaultConfig, mergeConfig, resolveConfig, type ConfigOverrides } from '../config.ts';

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

  const bad: [string, unknown, RegExp][] = [
    ['a scalar section', { latency: 5 }, /latency must be an object/],
    [
      'a null route entry',
      { faults: { routes: { 'GET /api/v2/conversations': null } } },
      /faults\.routes\["GET \/api\/v2\/conversations"\] must be an object/,
    ],
    [
      'a p99 below the median',
      { latency: { default: { median: 50, p99: 10 } } },
      /latency\.default\.p99 must be a number from 50/,
    ],
    [
      'a share over 1',
      { faults: { default: { reset: 1.5 } } },
      /faults\.default\.reset must be a number from 0 to 1/,
    ],
    ['a client without secret', { clients: [{ id: 'x' }] }, /clients\[0\] needs string id and secret/],
    ['a client that is not an object', { clients: [7] }, /clients\[0\] must be an object/],
    [
      'a negative limit',
      { limits: { 'platform.api': { 'token.rate.per.minute': -1 } } },
      /limits\.platform\.api\.token\.rate\.per\.minute/,
    ],
    [
      'an endpoint limit without a value',
      { endpointLimits: [{ route: 'GET /api/v2/conversations', namespace: 'x', key: 'y' }] },
      /missing limit x\/y/,
    ],
    ['a fractional port', { port: 80.5 }, /port must be an integer/],
  ];
  for (const [what, overrides, message] of bad) {
    it(`refuses ${what} with a ConfigError`, () => {
      assert.throws(
        () => mergeConfig(defaultConfig(), overrides as ConfigOverrides),
        (err: unknown) => {
          assert.ok(err instanceof ConfigError, String(err));
          assert.match(err.message, message);
          return true;
        },
      );
    });
  }
});
