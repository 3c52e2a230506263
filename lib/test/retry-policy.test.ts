import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffCeiling, backoffDelay } from '../core/backoff.ts';
import {
  decideRetry,
  mayRetry,
  retryReason,
  type AttemptOutcome,
  type RetryPolicy,
} from '../core/retry-policy.ts';

const policy: RetryPolicy = { maxAttempts: 5, budgetMs: 60_000, baseMs: 500, capMs: 8000 };
const NOW = 1_800_000_000_000;
const outcome = (o: Partial<AttemptOutcome>): AttemptOutcome => ({
  method: 'GET',
  status: 200,
  attempt: 1,
  elapsedMs: 0,
  nowMs: NOW,
  ...o,
});

describe('backoff', () => {
  it('doubles the ceiling per retry up to the cap', () => {
    const s = { baseMs: 500, capMs: 8000 };
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 7].map((n) => backoffCeiling(n, s)),
      [500, 1000, 2000, 4000, 8000, 8000, 8000],
    );
    assert.equal(backoffCeiling(0, s), 0);
    assert.equal(backoffCeiling(10_000, s), 8000, 'no overflow for absurd retry counts');
  });

  it('draws full jitter: anywhere from 0 to the ceiling', () => {
    const s = { baseMs: 500, capMs: 8000 };
    assert.equal(
      backoffDelay(3, s, () => 0),
      0,
    );
    assert.equal(
      backoffDelay(3, s, () => 0.5),
      1000,
    );
    assert.equal(
      backoffDelay(3, s, () => 0.999999),
      1999,
    );
    let seed = 7;
    const lcg = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let n = 1; n < 12; n++) {
      for (let i = 0; i < 200; i++) {
        const d = backoffDelay(n, s, lcg);
        assert.ok(d >= 0 && d < backoffCeiling(n, s), `retry ${n}: ${d}`);
      }
    }
  });
});

describe('which failures are retried', () => {
  it('names the retryable statuses and nothing else', () => {
    assert.equal(retryReason(429), 'rate_limited');
    assert.equal(retryReason(0), 'network');
    assert.equal(retryReason(502), 'bad_gateway');
    assert.equal(retryReason(503), 'unavailable');
    assert.equal(retryReason(504), 'gateway_timeout');
    for (const s of [200, 400, 401, 404, 409, 500, 501]) assert.equal(retryReason(s), undefined, String(s));
  });

  it('retries idempotent methods on every retryable failure', () => {
    for (const m of ['GET', 'PUT', 'DELETE', 'head']) {
      for (const s of [0, 429, 502, 503, 504]) assert.ok(mayRetry(m, s, false), `${m} ${s}`);
    }
  });

  it('retries a POST on 429 only, unless the caller marked it safe', () => {
    assert.ok(mayRetry('POST', 429, false));
    for (const s of [0, 502, 503, 504]) {
      assert.equal(mayRetry('POST', s, false), false, `unsafe POST ${s}`);
      assert.ok(mayRetry('POST', s, true), `safe POST ${s}`);
    }
    assert.equal(mayRetry('PATCH', 503, false), false);
  });
});

describe('decideRetry', () => {
  it('waits exactly the announced Retry-After, never less', () => {
    const d = decideRetry(outcome({ status: 429, retryAfter: '3' }), policy, () => 0);
    assert.deepEqual(d, { retry: true, waitMs: 3000, reason: 'rate_limited', announced: true });
  });

  it('honours an HTTP-date Retry-After on 503', () => {
    const at = new Date(NOW + 4000).toUTCString();
    const d = decideRetry(outcome({ status: 503, retryAfter: at }), policy, () => 0);
    assert.deepEqual(d, { retry: true, waitMs: 4000, reason: 'unavailable', announced: true });
  });

  it('honours a Retry-After on any retryable failure', () => {
    const d = decideRetry(outcome({ status: 502, retryAfter: '5' }), policy, () => 0.5);
    assert.deepEqual(d, { retry: true, waitMs: 5000, reason: 'bad_gateway', announced: true });
  });

  it('falls back to the body of a 429 without the header', () => {
    const body = '{"message":"Rate limit exceeded the maximum. Retry the request in [2] seconds"}';
    const d = decideRetry(outcome({ status: 429, body }), policy, () => 0.9);
    assert.deepEqual(d, { retry: true, waitMs: 2000, reason: 'rate_limited', announced: true });
  });

  it('backs off with jitter when nothing is announced', () => {
    const d = decideRetry(outcome({ status: 502, attempt: 3 }), policy, () => 0.5);
    assert.deepEqual(d, { retry: true, waitMs: 1000, reason: 'bad_gateway', announced: false });
    const garbage = decideRetry(outcome({ status: 429, retryAfter: 'later', attempt: 1 }), policy, () => 0.5);
    assert.deepEqual(garbage, { retry: true, waitMs: 250, reason: 'rate_limited', announced: false });
  });

  it('stops after maxAttempts and says the budget is exhausted', () => {
    const d = decideRetry(outcome({ status: 429, retryAfter: '1', attempt: 5 }), policy, () => 0);
    assert.deepEqual(d, { retry: false, reason: 'rate_limited', exhausted: true });
  });

  it('gives up instead of retrying early when Retry-After exceeds the time left', () => {
    const d = decideRetry(outcome({ status: 429, retryAfter: '30', elapsedMs: 45_000 }), policy, () => 0);
    assert.deepEqual(d, { retry: false, reason: 'rate_limited', exhausted: true });
    const fits = decideRetry(outcome({ status: 429, retryAfter: '15', elapsedMs: 45_000 }), policy, () => 0);
    assert.equal(fits.retry, true);
  });

  it('trims a backoff to the time left, and stops when none is left', () => {
    const d = decideRetry(outcome({ status: 504, attempt: 4, elapsedMs: 59_500 }), policy, () => 0.99);
    assert.deepEqual(d, { retry: true, waitMs: 500, reason: 'gateway_timeout', announced: false });
    const none = decideRetry(outcome({ status: 504, attempt: 2, elapsedMs: 60_000 }), policy, () => 0.5);
    assert.deepEqual(none, { retry: false, reason: 'gateway_timeout', exhausted: true });
  });

  it('does not retry successes or client errors, and those are not budget exhaustion', () => {
    for (const s of [200, 202, 400, 401, 404, 500]) {
      const d = decideRetry(outcome({ status: s, attempt: 5 }), policy, () => 0);
      assert.equal(d.retry, false, String(s));
      assert.equal((d as { exhausted: boolean }).exhausted, false, String(s));
    }
  });

  it('does not retry an unsafe POST after a gateway error', () => {
    const d = decideRetry(outcome({ method: 'POST', status: 503, retryAfter: '1' }), policy, () => 0);
    assert.deepEqual(d, { retry: false, reason: 'unavailable', exhausted: false });
  });
});
