import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRetryAfter, retryAfterFromBody } from '../core/retry-after.ts';

const NOW = Date.parse('2026-11-29T03:00:00Z');

describe('parseRetryAfter', () => {
  it('reads delay-seconds as milliseconds', () => {
    assert.equal(parseRetryAfter('42', NOW), 42_000);
    assert.equal(parseRetryAfter('0', NOW), 0);
    assert.equal(parseRetryAfter(' 7 ', NOW), 7000);
  });

  it('reads an IMF-fixdate relative to now', () => {
    assert.equal(parseRetryAfter('Sun, 29 Nov 2026 03:00:30 GMT', NOW), 30_000);
  });

  it('reads the obsolete RFC 850 and asctime date forms', () => {
    assert.equal(parseRetryAfter('Sunday, 29-Nov-26 03:00:10 GMT', NOW), 10_000);
    assert.equal(parseRetryAfter('Sun Nov 29 03:00:05 2026', NOW), 5000);
  });

  it('treats a date in the past as "retry now"', () => {
    assert.equal(parseRetryAfter('Sun, 29 Nov 2026 02:59:00 GMT', NOW), 0);
  });

  it('rejects negative, fractional and garbage values', () => {
    for (const v of ['-5', '1.5', 'soon', '10s', '', '   ', '0x10', 'Tomorrow', '2026-11-29T03:00:30Z']) {
      assert.equal(parseRetryAfter(v, NOW), undefined, v);
    }
    assert.equal(parseRetryAfter(undefined, NOW), undefined);
    assert.equal(parseRetryAfter(null, NOW), undefined);
  });

  it('rejects a number too large to be exact', () => {
    assert.equal(parseRetryAfter('99999999999999999999', NOW), undefined);
  });
});

describe('retryAfterFromBody', () => {
  it('reads the delay Genesys Cloud repeats in the 429 message', () => {
    const body = JSON.stringify({
      message: 'Rate limit exceeded the maximum. Retry the request in [42] seconds',
      code: 'too.many.requests.retry.after',
      status: 429,
    });
    assert.equal(retryAfterFromBody(body), 42_000);
  });

  it('gives undefined for other bodies', () => {
    assert.equal(retryAfterFromBody('{"message":"nope"}'), undefined);
    assert.equal(retryAfterFromBody(null), undefined);
  });
});
