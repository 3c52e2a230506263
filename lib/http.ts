// The one request wrapper everything uses: retries 429/502/503/504 and network errors after the announced
// Retry-After (or full-jitter backoff), within a per-call budget, and records what the retries cost.
import http, { type RefinedResponse, type ResponseType } from 'k6/http';
import { sleep } from 'k6';
import { decideRetry, mayRetry, RETRYABLE_STATUSES, type RetryPolicy } from './core/retry-policy.ts';
import { finalFailures, rateLimited, retries, retryBudgetExhausted, retryWait } from './metrics.ts';

export type Response = RefinedResponse<ResponseType | undefined>;

export interface SendOptions {
  /** The `name` tag: the endpoint template, so every session id lands in one time series. */
  name: string;
  /** Statuses besides 2xx/3xx that are a normal answer for this call (e.g. 404 while analytics lags). */
  expect?: number[];
  /** A POST/PATCH whose 5xx or network failure may be repeated without doing the work twice. */
  safe?: boolean;
  headers?: () => Record<string, string>;
  tags?: Record<string, string>;
  /** When a response is not retryable: return true to repeat it once at once (e.g. after a token refresh). */
  recover?: (res: Response) => boolean;
  policy: RetryPolicy;
}

function isExpected(status: number, expect: number[] | undefined): boolean {
  return (status >= 200 && status < 400) || (expect !== undefined && expect.includes(status));
}

// One response callback per distinct set of expected statuses, built once per VU.
const callbacks: Record<string, ReturnType<typeof http.expectedStatuses>> = {};

function callbackFor(method: string, opts: SendOptions, mayRetryAgain: boolean, mayRecover: boolean) {
  const extra = [...(opts.expect ?? [])];
  // A failure that will be retried is not a failed request: http_req_failed counts final failures only.
  // Status 0 is a network error (a reset, a refused connection): k6 asks the callback about it too.
  if (mayRetryAgain) {
    for (const s of [0, ...RETRYABLE_STATUSES]) if (mayRetry(method, s, opts.safe === true)) extra.push(s);
  }
  // A refused token is renewed and the call repeated once (opts.recover), so that 401 is not final either.
  if (mayRecover) extra.push(401);
  const key = extra.join(',');
  if (!callbacks[key]) callbacks[key] = http.expectedStatuses({ min: 200, max: 399 }, ...extra);
  return callbacks[key];
}

// Called on every 429 this VU receives, the moment it arrives (a test may react before the retry waits).
let onRateLimited: ((name: string) => void) | undefined;
export function whenRateLimited(fn: (name: string) => void): void {
  onRateLimited = fn;
}

export function send(method: string, url: string, body: string | null, opts: SendOptions): Response {
  const started = Date.now();
  let attempt = 1;
  let reason = 'none';
  let recovered = false;
  for (;;) {
    const mayRetryAgain = attempt < opts.policy.maxAttempts && Date.now() - started < opts.policy.budgetMs;
    const tags = { ...opts.tags, name: opts.name, attempt: String(attempt), retry_reason: reason };
    const res = http.request(method, url, body, {
      headers: opts.headers ? opts.headers() : {},
      tags,
      responseCallback: callbackFor(method, opts, mayRetryAgain, !recovered && opts.recover !== undefined),
    }) as Response;
    rateLimited.add(res.status === 429, { name: opts.name });
    if (res.status === 429 && onRateLimited) onRateLimited(opts.name);

    const decision = decideRetry(
      {
        method,
        status: res.status,
        attempt,
        elapsedMs: Date.now() - started,
        retryAfter: res.headers ? res.headers['Retry-After'] : undefined,
        body: typeof res.body === 'string' ? res.body : null,
        safe: opts.safe,
        nowMs: Date.now(),
      },
      opts.policy,
      Math.random,
    );
    if (decision.retry) {
      retries.add(1, { name: opts.name, reason: decision.reason });
      retryWait.add(decision.waitMs, { name: opts.name, reason: decision.reason });
      if (decision.waitMs > 0) sleep(decision.waitMs / 1000);
      attempt++;
      reason = decision.reason;
      continue;
    }
    if (decision.exhausted)
      retryBudgetExhausted.add(1, { name: opts.name, reason: decision.reason ?? 'unknown' });
    if (!recovered && opts.recover && !isExpected(res.status, opts.expect) && opts.recover(res)) {
      recovered = true;
      retries.add(1, { name: opts.name, reason: 'token_expired' });
      attempt++;
      reason = 'token_expired';
      continue;
    }
    finalFailures.add(!isExpected(res.status, opts.expect), { name: opts.name });
    return res;
  }
}
