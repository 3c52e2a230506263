// Every key and value the emulator could not honour is refused with one line naming its key path.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, defaultConfig, mergeConfig, type ConfigOverrides } from '../config.ts';

const ROUTE = 'GET /api/v2/conversations';
const client = { id: 'a', secret: 'b', tokenLifetimeSeconds: 300, permissions: [] };

function refused(overrides: unknown, message: RegExp | string): void {
  assert.throws(
    () => mergeConfig(defaultConfig(), overrides as ConfigOverrides),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError, String(err));
      assert.ok(!err.message.includes('\n'), 'one line');
      if (typeof message === 'string') assert.equal(err.message, message);
      else assert.match(err.message, message);
      return true;
    },
  );
}

describe('config: unknown keys, at every level', () => {
  const cases: [string, unknown, RegExp | string][] = [
    [
      'a misspelt section key',
      { faults: { defualt: { '503': 1 } } },
      'config key "faults.defualt" is unknown (did you mean "default"?); known: default, routes',
    ],
    [
      'a top-level key in the wrong case',
      { timescale: 60 },
      /^config key "timescale" is unknown \(did you mean "timeScale"\?\); known: host, port, seed, timeScale,/,
    ],
    [
      'a top-level key with nothing close',
      { verbose: true },
      /^config key "verbose" is unknown; known: host,/,
    ],
    [
      'a misspelt fault on a route',
      { faults: { routes: { [ROUTE]: { rest: 0.1 } } } },
      /^config key "faults\.routes\["GET \/api\/v2\/conversations"\]\.rest" is unknown \(did you mean "reset"\?\); known: 502, 503, 504, reset, slow, slowMs, revokeToken$/,
    ],
    [
      'a latency key',
      { latency: { default: { mean: 5 } } },
      /^config key "latency\.default\.mean" is unknown/,
    ],
    [
      "a client's key",
      { clients: [{ ...client, tokenLifetime: 300 }] },
      /^config key "clients\[0\]\.tokenLifetime" is unknown; known: id, secret, name, tokenLifetimeSeconds, permissions$/,
    ],
    [
      'an endpoint limit key',
      { endpointLimits: [{ route: ROUTE, namespace: 'x', key: 'y', limit: 3 }] },
      /^config key "endpointLimits\[0\]\.limit" is unknown/,
    ],
    [
      'a misspelt limit namespace',
      { limits: { 'platfrom.api': { 'token.rate.per.minute': 5 } } },
      /^config key "limits\["platfrom\.api"\]" is unknown \(did you mean "platform\.api"\?\); known: platform\.api, oauth, analytics, notifications, webmessaging; a limit of your own needs an endpointLimits entry that names it$/,
    ],
    [
      'a misspelt limit key',
      { limits: { 'platform.api': { 'token.rate.per.minuet': 5 } } },
      /^config key "limits\["platform\.api"\]\["token\.rate\.per\.minuet"\]" is unknown \(did you mean "token\.rate\.per\.minute"\?\)/,
    ],
    [
      'a limit of its own that no endpointLimits entry enforces',
      { limits: { architect: { 'flows.rate.per.minute': 100 } } },
      /^config key "limits\.architect" is unknown; .*a limit of your own needs an endpointLimits entry that names it$/,
    ],
    [
      'a bot key',
      { bot: { maxTurn: 3 } },
      /^config key "bot\.maxTurn" is unknown \(did you mean "maxTurns"\?\)/,
    ],
    [
      'a misspelt stream fault',
      { notifications: { faults: { dropSockets: 0.1 } } },
      'config key "notifications.faults.dropSockets" is unknown (did you mean "dropSocket"?); known: dropSocket, delayEvent, delayMs',
    ],
    [
      'a deployment key',
      { webMessaging: { deployments: [{ id: 'd', flowId: 'f', queue: 'q' }] } },
      'config key "webMessaging.deployments[0].queue" is unknown; known: id, name, flowId, queueId',
    ],
    [
      'a web messaging key',
      { webMessaging: { maxMessageLenght: 10 } },
      /^config key "webMessaging\.maxMessageLenght" is unknown \(did you mean "maxMessageLength"\?\)/,
    ],
  ];
  for (const [what, overrides, message] of cases) it(`refuses ${what}`, () => refused(overrides, message));
});

describe('config: values the emulator could not honour', () => {
  const limit = (v: unknown) => ({ limits: { 'platform.api': { 'token.rate.per.minute': v } } });
  const wholeLimit =
    /^limits\["platform\.api"\]\["token\.rate\.per\.minute"\] must be a whole number from 1 \(a count of requests, bytes or channels\), got /;
  const cases: [string, unknown, RegExp | string][] = [
    ['a fractional limit below 1', limit(0.5), new RegExp(wholeLimit.source + '0\\.5$')],
    ['a fractional limit', limit(2.5), new RegExp(wholeLimit.source + '2\\.5$')],
    ['a zero limit', limit(0), wholeLimit],
    ['a negative limit', limit(-1), wholeLimit],
    ['a limit given as text', limit('300'), new RegExp(wholeLimit.source + '"300"$')],
    [
      'a fractional byte limit',
      { limits: { 'platform.api': { 'request.bytes.max': 1024.5 } } },
      /request\.bytes\.max"\] must be a whole number from 1/,
    ],
    [
      'a fractional channel limit',
      { limits: { notifications: { 'channels.max': 0.5 } } },
      /channels\.max"\] must be a whole number from 1/,
    ],
    [
      'a share over 1',
      { faults: { default: { reset: 1.5 } } },
      'faults.default.reset must be a number from 0 to 1 (a share of admitted requests), got 1.5',
    ],
    [
      'a negative share on a route',
      { faults: { routes: { [ROUTE]: { '502': -0.1 } } } },
      /^faults\.routes\["GET \/api\/v2\/conversations"\]\.502 must be a number from 0 to 1/,
    ],
    ['a share as text', { faults: { default: { slow: '0.5' } } }, /faults\.default\.slow .*got "0\.5"$/],
    [
      'failure shares adding up past 1',
      { faults: { routes: { [ROUTE]: { '502': 0.6, '503': 0.6 } } } },
      /^faults\.routes\["GET \/api\/v2\/conversations"\]: 502 \+ 503 \+ 504 \+ reset add up to 1\.2; they share one draw, so at most 1$/,
    ],
    [
      'a route share that passes 1 with the default',
      { faults: { default: { reset: 0.5 }, routes: { [ROUTE]: { '503': 0.6 } } } },
      /^faults\.routes\["GET \/api\/v2\/conversations"\]: .* add up to 1\.1/,
    ],
    [
      'a slow fault without slowMs',
      { faults: { routes: { [ROUTE]: { slow: 1 } } } },
      /^faults\.routes\["GET \/api\/v2\/conversations"\]\.slow is 1 but slowMs is 0/,
    ],
    [
      'a p99 below the median',
      { latency: { default: { median: 50, p99: 10 } } },
      /^latency\.default\.p99 must be a number from 50 \(the median\), got 10$/,
    ],
    [
      'a p99 without a median',
      { latency: { routes: { [ROUTE]: { median: 0, p99: 100 } } } },
      /^latency\.routes\["GET \/api\/v2\/conversations"\]\.p99 must be 0 when the median is 0/,
    ],
    [
      'a route latency with only a median',
      { latency: { routes: { [ROUTE]: { median: 10 } } } },
      /^latency\.routes\["GET \/api\/v2\/conversations"\]\.p99 must be a number from 0, got nothing$/,
    ],
    ['a fractional seed', { seed: 1.5 }, 'seed must be a whole number from 0 to 4294967295, got 1.5'],
    ['a negative seed', { seed: -1 }, /^seed must be a whole number from 0/],
    ['a fractional port', { port: 80.5 }, 'port must be a whole number from 0 to 65535, got 80.5'],
    ['a port as text', { port: '8089' }, /^port must be a whole number from 0 to 65535, got "8089"$/],
    ['a time scale of 0', { timeScale: 0 }, /^timeScale must be a number from 0\.001, got 0$/],
    ['an empty host', { host: '' }, /^host must be a non-empty string, got ""$/],
    [
      'a token lifetime below the platform minimum',
      { clients: [{ ...client, tokenLifetimeSeconds: 299 }] },
      'clients[0].tokenLifetimeSeconds must be a whole number from 300 to 172800 (seconds), got 299',
    ],
    [
      'a fractional token lifetime',
      { clients: [{ ...client, tokenLifetimeSeconds: 300.5 }] },
      /^clients\[0\]\.tokenLifetimeSeconds must be a whole number/,
    ],
    [
      'a client without secret',
      { clients: [{ id: 'x' }] },
      /^clients\[0\]\.secret must be a non-empty string, got nothing$/,
    ],
    ['a client that is not an object', { clients: [7] }, /^clients\[0\] must be an object, got 7$/],
    [
      'a permission that is not a string',
      { clients: [{ ...client, permissions: [1] }] },
      /^clients\[0\]\.permissions\[0\] must be a non-empty string/,
    ],
    [
      'two clients with one id',
      { clients: [client, client] },
      /^clients\[1\]\.id "a" is also clients\[0\]\.id/,
    ],
    ['clients that are not an array', { clients: {} }, /^clients must be an array, got \{\}$/],
    ['a scalar section', { latency: 5 }, /^latency must be an object, got 5$/],
    [
      'a null route entry',
      { faults: { routes: { [ROUTE]: null } } },
      /^faults\.routes\["GET \/api\/v2\/conversations"\] must be an object, got null$/,
    ],
    [
      'an endpoint limit without a value',
      { endpointLimits: [{ route: ROUTE, namespace: 'x', key: 'y' }] },
      /^endpointLimits\[0\] refers to missing limit x\/y$/,
    ],
    [
      'an endpoint limit on a built-in limit',
      { endpointLimits: [{ route: ROUTE, namespace: 'platform.api', key: 'token.rate.per.minute' }] },
      /^endpointLimits\[0\] names the built-in limit platform\.api\/token\.rate\.per\.minute/,
    ],
    [
      'two endpoint limits sharing one limit',
      {
        limits: { mine: { 'x.rate.per.minute': 5 } },
        endpointLimits: [
          { route: ROUTE, namespace: 'mine', key: 'x.rate.per.minute' },
          { route: 'POST /api/v2/conversations/calls', namespace: 'mine', key: 'x.rate.per.minute' },
        ],
      },
      /^endpointLimits\[1\] names limit mine\/x\.rate\.per\.minute, which endpointLimits\[0\] uses already/,
    ],
    [
      'a default page size over the maximum',
      { analytics: { maxPageSize: 50, defaultPageSize: 100 } },
      /^analytics\.defaultPageSize must be a whole number from 1 to 50/,
    ],
    [
      'a fractional page size',
      { analytics: { maxPageSize: 10.5 } },
      /^analytics\.maxPageSize must be a whole number/,
    ],
    ['a fractional turn count', { bot: { maxTurns: 2.5 } }, /^bot\.maxTurns must be a whole number from 1/],
    [
      'a fractional topic limit',
      { notifications: { maxTopicsPerChannel: 10.5 } },
      /^notifications\.maxTopicsPerChannel must be a whole number from 1 \(topics\), got 10\.5$/,
    ],
    [
      'a heartbeat under a second',
      { notifications: { heartbeatSeconds: 0 } },
      /^notifications\.heartbeatSeconds must be a number from 1, got 0$/,
    ],
    [
      'a stream fault share over 1',
      { notifications: { faults: { dropSocket: 2 } } },
      'notifications.faults.dropSocket must be a number from 0 to 1 (a share of deliveries), got 2',
    ],
    [
      'a delayed event without delayMs',
      { notifications: { faults: { delayEvent: 0.5 } } },
      /^notifications\.faults\.delayEvent is 0\.5 but delayMs is 0/,
    ],
    [
      'a deployment without a flow',
      { webMessaging: { deployments: [{ id: 'd' }] } },
      /^webMessaging\.deployments\[0\]\.flowId must be a non-empty string, got nothing$/,
    ],
    [
      'two deployments with one id',
      {
        webMessaging: {
          deployments: [
            { id: 'd', flowId: 'f' },
            { id: 'd', flowId: 'g' },
          ],
        },
      },
      /^webMessaging\.deployments\[1\]\.id "d" is also webMessaging\.deployments\[0\]\.id/,
    ],
    [
      'two queues with one id',
      { queues: [{ id: 'q' }, { id: 'q', name: 'again' }] },
      /^queues\[1\]\.id "q" is also queues\[0\]\.id; ids must differ$/,
    ],
    [
      'a flow without a type',
      { flows: [{ id: 'f' }] },
      /^flows\[0\]\.type must be a non-empty string, got nothing$/,
    ],
    [
      'a job failure share over 1',
      { analytics: { jobFailureShare: 1.5 } },
      /^analytics\.jobFailureShare must be a number from 0 to 1 \(a share of analytics jobs\), got 1\.5$/,
    ],
    [
      'jobs that expire at once',
      { analytics: { jobExpirySeconds: 0 } },
      /^analytics\.jobExpirySeconds must be a number from 1/,
    ],
    [
      'an organization without a name',
      { organization: { id: 'o', name: '' } },
      /^organization\.name must be a non-empty string/,
    ],
    [
      'a deployment whose bot flow the org does not have',
      { webMessaging: { deployments: [{ id: 'd', flowId: 'elsewhere' }] } },
      'webMessaging.deployments[0].flowId "elsewhere" is not one of flows[].id',
    ],
    [
      'a deployment handing over to a queue the org does not have',
      { webMessaging: { deployments: [{ id: 'd', flowId: 'demo-bot-flow', queueId: 'nowhere' }] } },
      'webMessaging.deployments[0].queueId "nowhere" is not one of queues[].id',
    ],
    [
      'a fractional session cap',
      { webMessaging: { maxSessions: 0.5 } },
      /^webMessaging\.maxSessions must be a whole number from 1 \(sessions\)/,
    ],
    [
      'a think time p99 below its median',
      { webMessaging: { botThinkTime: { median: 500, p99: 100 } } },
      /^webMessaging\.botThinkTime\.p99 must be a number from 500 \(the median\), got 100$/,
    ],
    [
      'a fractional guest message limit',
      { limits: { webmessaging: { 'messages.per.session.rate.per.second': 1.5 } } },
      /^limits\.webmessaging\["messages\.per\.session\.rate\.per\.second"\] must be a whole number from 1/,
    ],
    [
      'a fractional conversation cap',
      { conversations: { max: 1.5 } },
      /^conversations\.max must be a whole number/,
    ],
  ];
  for (const [what, overrides, message] of cases) it(`refuses ${what}`, () => refused(overrides, message));

  it('accepts a limit of its own that an endpointLimits entry enforces, and whole limits', () => {
    const c = mergeConfig(defaultConfig(), {
      limits: { mine: { 'calls.rate.per.minute': 7 }, 'platform.api': { 'token.rate.per.minute': 1 } },
      endpointLimits: [
        { route: 'POST /api/v2/conversations/calls', namespace: 'mine', key: 'calls.rate.per.minute' },
      ],
      faults: { default: { '502': 0.25, '503': 0.25, '504': 0.25, reset: 0.25, slow: 1, slowMs: 5 } },
      latency: { routes: { [ROUTE]: { median: 0, p99: 0 } } },
    });
    assert.equal(c.limits.mine['calls.rate.per.minute'], 7);
  });
});
