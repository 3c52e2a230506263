// The org's rate limits, for the pre-flight. 403 (no organization:limits:view) or 404 fall back to the
// documented defaults: the answer is advice, not a gate.
import { limitsFromResponse, LIMITS_NAMESPACE, DEFAULT_LIMITS, type RateLimits } from '../core/limits.ts';
import { api, json } from '../api.ts';
import { ENDPOINTS } from '../core/endpoints.ts';

export function readRateLimits(): RateLimits {
  const res = api('GET', `/api/v2/organizations/limits/namespaces/${LIMITS_NAMESPACE}`, undefined, {
    name: ENDPOINTS.limits,
    expect: [403, 404],
  });
  if (res.status !== 200) return { ...DEFAULT_LIMITS };
  return limitsFromResponse(json(res));
}
