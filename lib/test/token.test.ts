import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  isExpiredToken,
  needsRefresh,
  refreshMargin,
  tokenFromResponse,
  tokenIndexForVU,
} from '../core/token.ts';

const NOW = 1_800_000_000_000;

describe('tokens', () => {
  it('turns a token response into an expiry time', () => {
    const t = tokenFromResponse({ access_token: 'abc', token_type: 'bearer', expires_in: 86400 }, 1, NOW);
    assert.deepEqual(t, {
      accessToken: 'abc',
      expiresAt: NOW + 86_400_000,
      lifetimeMs: 86_400_000,
      client: 1,
    });
  });

  it('assumes the platform default lifetime when expires_in is missing', () => {
    assert.equal(tokenFromResponse({ access_token: 'x' }, 0, NOW).lifetimeMs, 86_400_000);
  });

  it('rejects a response without an access token', () => {
    assert.throws(() => tokenFromResponse({ error: 'invalid_client' }, 0, NOW), /no access_token/);
    assert.throws(() => tokenFromResponse(null, 0, NOW), /no access_token/);
  });

  it('refreshes 60 s before expiry for day-long tokens', () => {
    const t = tokenFromResponse({ access_token: 'a', expires_in: 86400 }, 0, NOW);
    assert.equal(needsRefresh(t, NOW), false);
    assert.equal(needsRefresh(t, t.expiresAt - 60_001), false);
    assert.equal(needsRefresh(t, t.expiresAt - 60_000), true);
    assert.equal(needsRefresh(t, t.expiresAt + 1), true);
  });

  it('refreshes at 80 % of life for short tokens (time-scaled emulator, 300 s clients)', () => {
    assert.equal(refreshMargin(5000), 1000);
    assert.equal(refreshMargin(300_000), 60_000);
    const t = tokenFromResponse({ access_token: 'a', expires_in: 5 }, 0, NOW);
    assert.equal(needsRefresh(t, NOW + 3999), false);
    assert.equal(needsRefresh(t, NOW + 4000), true);
  });

  it('fetches when there is no token yet', () => {
    assert.equal(needsRefresh(undefined, NOW), true);
  });

  it('recognises the 401 that means "token expired" and nothing else', () => {
    const expired = JSON.stringify({ code: 'credentials.expired', status: 401, message: 'expired' });
    assert.equal(isExpiredToken(401, expired), true);
    assert.equal(isExpiredToken(401, JSON.stringify({ code: 'bad.credentials' })), false);
    assert.equal(isExpiredToken(403, expired), false);
    assert.equal(isExpiredToken(401, 'not json'), false);
    assert.equal(isExpiredToken(401, null), false);
  });

  it('spreads VUs round-robin over the tokens', () => {
    assert.deepEqual(
      [1, 2, 3, 4, 5].map((vu) => tokenIndexForVU(vu, 2)),
      [0, 1, 0, 1, 0],
    );
    assert.equal(tokenIndexForVU(7, 1), 0);
    assert.equal(tokenIndexForVU(0, 3), 0, 'setup (VU 0) uses the first client');
  });
});
