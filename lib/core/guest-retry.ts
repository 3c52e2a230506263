// When a Web Messaging guest may send a throttled message again. The platform answers an onMessage past
// the session's rate with TooManyRequestsErrorMessage (errorCode 4029) and `retryAfter` in seconds; the
// guest waits that long plus a little jitter (every guest of a burst was throttled in the same second) and
// tries again within the same attempt and time budget as a REST call. Pure: the k6 client does the waiting.
import { backoffDelay } from './backoff.ts';
import type { RetryPolicy } from './retry-policy.ts';

export interface GuestThrottle {
  /** `body.retryAfter` of the 4029 as received: seconds, or anything a broken proxy may put there. */
  retryAfter: unknown;
  /** 1 for the message's first attempt. */
  attempt: number;
  /** ms since the message's first attempt. */
  elapsedMs: number;
}

export type GuestRetryDecision =
  | { retry: true; waitMs: number; announcedMs: number | undefined }
  | { retry: false; announcedMs: number | undefined };

/** `retryAfter` in ms when it is a usable number of seconds (whole or not, never negative). */
export function announcedWait(retryAfter: unknown): number | undefined {
  const s = typeof retryAfter === 'string' && retryAfter.trim() !== '' ? Number(retryAfter) : retryAfter;
  if (typeof s !== 'number' || !Number.isFinite(s) || s < 0) return undefined;
  return Math.ceil(s * 1000);
}

/**
 * After a 4029: wait at least the announced time (an earlier try is only another 4029), plus full jitter
 * of the REST backoff for this retry (without a usable retryAfter, the backoff alone), the jitter cut to
 * what the budget leaves. Gives up when the attempts are spent or the announced wait outlasts the budget.
 */
export function decideGuestRetry(
  t: GuestThrottle,
  policy: RetryPolicy,
  random: () => number,
): GuestRetryDecision {
  const announcedMs = announcedWait(t.retryAfter);
  if (t.attempt >= policy.maxAttempts) return { retry: false, announcedMs };
  const remaining = policy.budgetMs - t.elapsedMs;
  if (remaining <= 0 || (announcedMs ?? 0) > remaining) return { retry: false, announcedMs };
  const waitMs = Math.min((announcedMs ?? 0) + backoffDelay(t.attempt, policy, random), remaining);
  return { retry: true, waitMs, announcedMs };
}
