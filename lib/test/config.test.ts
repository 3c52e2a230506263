import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, readConnection, readDuration, readFlag, readNumber, type Env } from '../core/config.ts';
import { regionDomain, REGIONS } from '../core/regions.ts';

const SECRET = 's3cr3t-value-never-shown';
const creds = { GENESYSCLOUD_OAUTHCLIENT_ID: 'client-1', GENESYSCLOUD_OAUTHCLIENT_SECRET: SECRET };

function error(env: Env): string {
  try {
    readConnection(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    assert.ok(!err.message.includes('\n'), 'one line');
    assert.ok(!err.message.includes(SECRET), 'the secret is never echoed');
    return err.message;
  }
  assert.fail('expected a ConfigError');
}

describe('regions', () => {
  it('maps every documented region to its domain', () => {
    assert.equal(Object.keys(REGIONS).length, 17);
    assert.equal(regionDomain('us-east-1'), 'mypurecloud.com');
    assert.equal(regionDomain('eu-west-1'), 'mypurecloud.ie');
    assert.equal(regionDomain('ap-southeast-2'), 'mypurecloud.com.au');
    assert.equal(regionDomain('us-east-2'), 'use2.us-gov-pure.cloud');
    assert.equal(regionDomain('mx-central-1'), 'mxc1.pure.cloud');
    assert.equal(regionDomain('toString'), undefined);
    assert.equal(regionDomain('mars-1'), undefined);
  });
});

describe('readConnection', () => {
  it('derives api and login hosts from the region', () => {
    const c = readConnection({ GENESYSCLOUD_REGION: 'eu-central-1', ...creds });
    assert.equal(c.apiUrl, 'https://api.mypurecloud.de');
    assert.equal(c.loginUrl, 'https://login.mypurecloud.de');
    assert.deepEqual(c.clients, [{ id: 'client-1', secret: SECRET }]);
  });

  it('lets the URL overrides target the emulator', () => {
    const c = readConnection({ GENESYSCLOUD_API_URL: 'http://127.0.0.1:8089/', ...creds });
    assert.equal(c.apiUrl, 'http://127.0.0.1:8089');
    assert.equal(c.loginUrl, 'http://127.0.0.1:8089', 'the emulator serves login too');
    const both = readConnection({
      GENESYSCLOUD_API_URL: 'http://127.0.0.1:1',
      GENESYSCLOUD_LOGIN_URL: 'http://127.0.0.1:2',
      ...creds,
    });
    assert.equal(both.loginUrl, 'http://127.0.0.1:2');
  });

  it('pairs an api. override with its login. sibling', () => {
    const c = readConnection({ GENESYSCLOUD_API_URL: 'https://api.proxy.example', ...creds });
    assert.equal(c.loginUrl, 'https://login.proxy.example');
  });

  it('names the region variable and the valid choices', () => {
    const m = error({ GENESYSCLOUD_REGION: 'mars-1', ...creds });
    assert.match(m, /^GENESYSCLOUD_REGION "mars-1" is not a region; valid: us-east-1, .*mx-central-1$/);
  });

  it('asks for a region when no target is given', () => {
    assert.match(error({ ...creds }), /^GENESYSCLOUD_REGION is not set: give one of us-east-1,/);
  });

  it('names the missing client id or secret', () => {
    assert.match(
      error({ GENESYSCLOUD_REGION: 'us-east-1', GENESYSCLOUD_OAUTHCLIENT_SECRET: SECRET }),
      /^GENESYSCLOUD_OAUTHCLIENT_ID is not set/,
    );
    assert.match(
      error({ GENESYSCLOUD_REGION: 'us-east-1', GENESYSCLOUD_OAUTHCLIENT_ID: 'x' }),
      /^GENESYSCLOUD_OAUTHCLIENT_SECRET is not set/,
    );
  });

  it('rejects a URL override that is not http(s)', () => {
    assert.match(
      error({ GENESYSCLOUD_API_URL: 'ftp://x', ...creds }),
      /^GENESYSCLOUD_API_URL must be an http\(s\) URL/,
    );
  });

  it('reads several OAuth clients without echoing a secret', () => {
    const c = readConnection({
      GENESYSCLOUD_REGION: 'us-west-2',
      GENESYSCLOUD_OAUTHCLIENTS: `a:${SECRET},b:other:with:colons`,
    });
    assert.deepEqual(c.clients, [
      { id: 'a', secret: SECRET },
      { id: 'b', secret: 'other:with:colons' },
    ]);
    assert.match(
      error({ GENESYSCLOUD_REGION: 'us-west-2', GENESYSCLOUD_OAUTHCLIENTS: `a:${SECRET},${SECRET}` }),
      /^GENESYSCLOUD_OAUTHCLIENTS entry 2 must be clientId:clientSecret/,
    );
  });
});

describe('knobs', () => {
  it('reads numbers with their range in the message', () => {
    assert.equal(readNumber({}, 'RATE', 3), 3);
    assert.equal(readNumber({ RATE: '2.5' }, 'RATE', 3, { min: 0.001 }), 2.5);
    assert.throws(() => readNumber({ VUS: '1.5' }, 'VUS', 1, { min: 1, integer: true }), {
      message: 'VUS must be an integer >= 1, got "1.5"',
    });
    assert.throws(
      () => readNumber({ RATE: 'fast' }, 'RATE', 1, { min: 0 }),
      /^ConfigError: RATE must be a number >= 0/,
    );
    assert.throws(() => readNumber({ X: '2' }, 'X', 1, { min: 0, max: 1 }), {
      message: 'X must be a number from 0 to 1, got "2"',
    });
  });

  it('reads durations as k6 writes them', () => {
    assert.equal(readDuration({}, 'DURATION', '1m'), '1m');
    assert.equal(readDuration({ DURATION: '1h30m' }, 'DURATION', '1m'), '1h30m');
    assert.equal(readDuration({ DURATION: '1500' }, 'DURATION', '1m'), '1500ms');
    assert.throws(() => readDuration({ DURATION: 'forever' }, 'DURATION', '1m'), {
      message: 'DURATION must be a duration such as 45s, 5m or 1h30m, got "forever"',
    });
    assert.throws(() => readDuration({ DURATION: '0s' }, 'DURATION', '1m'), /DURATION must be a duration/);
  });

  it('reads flags', () => {
    assert.equal(readFlag({ STRICT_LIMITS: '1' }, 'STRICT_LIMITS'), true);
    assert.equal(readFlag({ STRICT_LIMITS: 'false' }, 'STRICT_LIMITS'), false);
    assert.equal(readFlag({}, 'STRICT_LIMITS'), false);
    assert.throws(
      () => readFlag({ STRICT_LIMITS: 'maybe' }, 'STRICT_LIMITS'),
      /STRICT_LIMITS must be 1 or 0/,
    );
  });
});
