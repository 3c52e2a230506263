// When to retry a Platform API call, and how long to wait first. Pure: the k6 request wrapper feeds it
// the response and the clock, and does the waiting.
import { backoffDelay } from './backoff.ts';
import { parseRetryAfter, retryAfterFromBody } from './retry-after.ts';

export interface RetryPolicy {
  /** Attempts per call, the first included. */
  maxAttempts: number;
  /** Wall time a call may spend, waits included, in ms. */
  budgetMs: number;
  /** Backoff settings when the server gives no Retry-After. */
  baseMs: number;
  capMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  budgetMs: 120_000,
  baseMs: 500,
  capMs: 20_000,
};

/** Statuses worth another try: throttled, or a gateway that could not reach a healthy backend. */
export const RETRYABLE_STATUSES: readonly number[] = [429, 502, 503, 504];

const IDEMPOTENT = ['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS'];

export type RetryReason = 'rate_limited' | 'bad_gateway' | 'unavailable' | 'gateway_timeout' | 'network';

export function retryReason(status: number): RetryReason | undefined {
  switch (status) {
    case 0:
      return 'network';
    case 429:
      return 'rate_limited';
    case 502:
      return 'bad_gateway';
    case 503:
      return 'unavailable';
    case 504:
      return 'gateway_timeout';
    default:
      return undefined;
  }
}

/**
 * Whether a failure of this kind may be retried for this method at all.
 * Idempotent methods retry every retryable failure. A POST or PATCH retries a 429 (the platform refused it
 * before doing any work, and says so), but a 5xx or a network error only when the caller marked the call
 * safe: the first attempt may have been carried out.
 */
export function mayRetry(method: string, status: number, safe: boolean): boolean {
  if (retryReason(status) === undefined) return false;
  if (safe || IDEMPOTENT.includes(method.toUpperCase())) return true;
  return status === 429;
}

export interface AttemptOutcome {
  method: string;
  status: number;
  /** 1 for the first attempt. */
  attempt: number;
  /** ms since the call started (first attempt sent). */
  elapsedMs: number;
  retryAfter?: string | null;
  body?: string | null;
  safe?: boolean;
  nowMs: number;
}

export type RetryDecision =
  | { retry: true; waitMs: number; reason: RetryReason; announced: boolean }
  | { retry: false; reason?: RetryReason; exhausted: boolean };

/**
 * Decide after one attempt. `exhausted` means the failure was retryable but the call's budget (attempts or
 * time) could not cover another try; a wait the server announced is never shortened, because an early
 * retry is just another 429.
 */
export function decideRetry(o: AttemptOutcome, policy: RetryPolicy, random: () => number): RetryDecision {
  const reason = retryReason(o.status);
  if (reason === undefined || !mayRetry(o.method, o.status, o.safe === true)) {
    return { retry: false, reason, exhausted: false };
  }
  if (o.attempt >= policy.maxAttempts) return { retry: false, reason, exhausted: true };
  const remaining = policy.budgetMs - o.elapsedMs;
  if (remaining <= 0) return { retry: false, reason, exhausted: true };

  let announcedMs = parseRetryAfter(o.retryAfter, o.nowMs);
  if (announcedMs === undefined && o.status === 429) announcedMs = retryAfterFromBody(o.body);
  if (announcedMs !== undefined) {
    if (announcedMs > remaining) return { retry: false, reason, exhausted: true };
    return { retry: true, waitMs: announcedMs, reason, announced: true };
  }
  const waitMs = Math.min(backoffDelay(o.attempt, policy, random), remaining);
  return { retry: true, waitMs, reason, announced: false };
}
