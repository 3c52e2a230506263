// Retry-After (RFC 9110 §10.2.3): either a non-negative integer number of seconds or an HTTP-date.
// Genesys Cloud always sends seconds, but proxies in front of an integration may send a date.

const DELAY_SECONDS = /^\d+$/;
// IMF-fixdate and the obsolete RFC 850 form: day name, comma, date. asctime: "Sun Nov  6 08:49:37 1994".
const HTTP_DATE = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*, ?\s*\d/;
const ASCTIME = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) [A-Z][a-z]{2} +\d{1,2} \d\d:\d\d:\d\d \d{4}$/;

/**
 * How long the server asked us to wait, in milliseconds, measured from `nowMs`.
 * Returns undefined when the header is absent or unusable (garbage, negative, fractional), so the caller
 * falls back to its own backoff. A date in the past means "retry now" (0).
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const v = String(value).trim();
  if (v === '') return undefined;
  if (DELAY_SECONDS.test(v)) {
    const seconds = Number(v);
    return Number.isSafeInteger(seconds) ? seconds * 1000 : undefined;
  }
  let at: number;
  if (HTTP_DATE.test(v)) at = Date.parse(v);
  // asctime carries no zone but HTTP dates are always GMT; Date.parse would read it as local time.
  else if (ASCTIME.test(v)) at = Date.parse(`${v} GMT`);
  else return undefined;
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

// The 429 body repeats the delay: "Retry the request in [42] seconds".
const BODY_SECONDS = /Retry the request in \[(\d+)\] seconds/;

/** The delay announced in a Genesys Cloud 429 body, in milliseconds, when the header is missing. */
export function retryAfterFromBody(body: string | null | undefined): number | undefined {
  if (typeof body !== 'string') return undefined;
  const m = BODY_SECONDS.exec(body);
  return m ? Number(m[1]) * 1000 : undefined;
}
