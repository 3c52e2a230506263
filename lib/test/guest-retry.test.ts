import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jittered } from '../core/backoff.ts';
import { announcedWait, decideGuestRetry } from '../core/guest-retry.ts';
import type { RetryPolicy } from '../core/retry-policy.ts';

const policy: RetryPolicy = { maxAttempts: 5, budgetMs: 60_000, baseMs: 500, capMs: 8000 };
const none = () => 0;
const most = () => 0.999;

describe('announcedWait', () => {
  it('reads retryAfter seconds as the platform sends them, and numeric strings', () => {
    assert.equal(announcedWait(1), 1000);
    assert.equal(announcedWait(3), 3000);
    assert.equal(announcedWait(0), 0);
    assert.equal(announcedWait('2'), 2000);
    assert.equal(announcedWait(0.25), 250);
  });

  it('ignores what is not a non-negative number', () => {
    for (const v of [undefined, null, -1, 'soon', '', NaN, Infinity, {}, [2]]) {
      assert.equal(announcedWait(v), undefined, String(v));
    }
  });
});

describe('decideGuestRetry', () => {
  it('never waits less than retryAfter, adding the REST backoff jitter on top', () => {
    assert.deepEqual(decideGuestRetry({ retryAfter: 1, attempt: 1, elapsedMs: 0 }, policy, none), {
      retry: true,
      waitMs: 1000,
      announcedMs: 1000,
    });
    const d = decideGuestRetry({ retryAfter: 1, attempt: 1, elapsedMs: 0 }, policy, most);
    assert.ok(d.retry && d.waitMs >= 1000 && d.waitMs < 1500, JSON.stringify(d));
    // The jitter's ceiling doubles per retry, as the REST backoff's does.
    const third = decideGuestRetry({ retryAfter: 1, attempt: 3, elapsedMs: 0 }, policy, most);
    assert.ok(third.retry && third.waitMs >= 2990 && third.waitMs < 3000, JSON.stringify(third));
  });

  it('spreads guests throttled together', () => {
    const waits = [0, 0.25, 0.5, 0.75].map((r) => {
      const d = decideGuestRetry({ retryAfter: 1, attempt: 1, elapsedMs: 0 }, policy, () => r);
      return d.retry ? d.waitMs : -1;
    });
    assert.deepEqual(waits, [1000, 1125, 1250, 1375]);
  });

  it('falls back to the backoff alone when retryAfter is unusable', () => {
    const d = decideGuestRetry({ retryAfter: 'later', attempt: 2, elapsedMs: 0 }, policy, () => 0.5);
    assert.deepEqual(d, { retry: true, waitMs: 500, announcedMs: undefined });
  });

  it('gives up after the last attempt', () => {
    assert.deepEqual(decideGuestRetry({ retryAfter: 1, attempt: 5, elapsedMs: 0 }, policy, none), {
      retry: false,
      announcedMs: 1000,
    });
    const one = { ...policy, maxAttempts: 1 };
    assert.equal(decideGuestRetry({ retryAfter: 1, attempt: 1, elapsedMs: 0 }, one, none).retry, false);
  });

  it('gives up when the announced wait outlasts the budget, and cuts the jitter to what is left', () => {
    const late = decideGuestRetry({ retryAfter: 3, attempt: 2, elapsedMs: 58_000 }, policy, none);
    assert.equal(late.retry, false);
    const tight = decideGuestRetry({ retryAfter: 1, attempt: 2, elapsedMs: 58_800 }, policy, most);
    assert.deepEqual(tight, { retry: true, waitMs: 1200, announcedMs: 1000 });
    assert.equal(
      decideGuestRetry({ retryAfter: 0, attempt: 2, elapsedMs: 60_000 }, policy, none).retry,
      false,
    );
  });
});

describe('jittered', () => {
  it('stays within half the mean either side', () => {
    assert.equal(
      jittered(4, () => 0),
      2,
    );
    assert.equal(
      jittered(4, () => 0.5),
      4,
    );
    assert.ok(jittered(4, most) < 6 && jittered(4, most) > 5.99);
    assert.equal(jittered(0, most), 0);
    assert.equal(
      jittered(2, () => 1, 0.25),
      2.5,
    );
  });
});
