import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EMULATOR_DEPLOYMENT_ID, readGuestTarget } from '../core/guest-target.ts';

describe('readGuestTarget', () => {
  it('puts a real org on webmessaging.{domain} and needs its deployment', () => {
    assert.deepEqual(readGuestTarget({ GENESYSCLOUD_REGION: 'eu-west-1', DEPLOYMENT_ID: 'd-1' }), {
      socketUrl: 'wss://webmessaging.mypurecloud.ie/v1?deploymentId=d-1',
      deploymentId: 'd-1',
      where: 'wss://webmessaging.mypurecloud.ie/v1',
    });
    assert.throws(
      () => readGuestTarget({ GENESYSCLOUD_REGION: 'eu-west-1' }),
      /^ConfigError: DEPLOYMENT_ID is not set: give the id of a Messenger deployment/,
    );
  });

  it('asks no OAuth client', () => {
    const t = readGuestTarget({ GENESYSCLOUD_REGION: 'us-east-1', DEPLOYMENT_ID: 'x' });
    assert.equal(t.where, 'wss://webmessaging.mypurecloud.com/v1');
  });

  it('uses the emulator host and its default deployment with GENESYSCLOUD_API_URL', () => {
    assert.deepEqual(readGuestTarget({ GENESYSCLOUD_API_URL: 'http://127.0.0.1:8089' }), {
      socketUrl: `ws://127.0.0.1:8089/v1?deploymentId=${EMULATOR_DEPLOYMENT_ID}`,
      deploymentId: EMULATOR_DEPLOYMENT_ID,
      where: 'ws://127.0.0.1:8089/v1',
    });
    const t = readGuestTarget({ GENESYSCLOUD_API_URL: 'https://api.euw2.pure.cloud/', DEPLOYMENT_ID: 'a b' });
    assert.equal(t.socketUrl, 'wss://webmessaging.euw2.pure.cloud/v1?deploymentId=a%20b');
  });

  it('says in one line what is wrong with the location', () => {
    assert.throws(() => readGuestTarget({}), /^ConfigError: GENESYSCLOUD_REGION is not set: give one of /);
    assert.throws(
      () => readGuestTarget({ GENESYSCLOUD_REGION: 'mars-1', DEPLOYMENT_ID: 'x' }),
      /GENESYSCLOUD_REGION "mars-1" is not a region/,
    );
    assert.throws(
      () => readGuestTarget({ GENESYSCLOUD_API_URL: 'ftp://x' }),
      /GENESYSCLOUD_API_URL must be an http\(s\) URL/,
    );
  });
});
