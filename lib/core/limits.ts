// The rate limits that bound a test, read from GET /api/v2/organizations/limits/namespaces/platform.api
// when the client may (organization:limits:view), else the platform's documented defaults.

export const LIMITS_NAMESPACE = 'platform.api';

export interface RateLimits {
  /** token.rate.per.minute: requests per access token per minute. */
  tokenPerMinute: number;
  /** client.credentials.token.rate.per.minute: the same, for client-credentials tokens. */
  clientCredentialsTokenPerMinute: number;
  /** org.app.user.rate.per.minute: per org and OAuth client, shared by every token of that client. */
  orgAppPerMinute: number;
  source: 'org' | 'defaults';
}

export const DEFAULT_LIMITS: RateLimits = {
  tokenPerMinute: 300,
  clientCredentialsTokenPerMinute: 300,
  orgAppPerMinute: 3000,
  source: 'defaults',
};

const KEYS: Record<string, keyof Omit<RateLimits, 'source'>> = {
  'token.rate.per.minute': 'tokenPerMinute',
  'client.credentials.token.rate.per.minute': 'clientCredentialsTokenPerMinute',
  'org.app.user.rate.per.minute': 'orgAppPerMinute',
};

/**
 * Reads the limit values from a limits response. Accepts the shapes seen in the wild: a flat
 * `{ "key": value }` map, or lists of `{ key, value }` under any property (`limits`, `entities`).
 * Keys it does not find keep their defaults; nothing found means the defaults.
 */
export function limitsFromResponse(body: unknown): RateLimits {
  const out: RateLimits = { ...DEFAULT_LIMITS };
  let found = false;
  const take = (key: unknown, value: unknown) => {
    if (typeof key !== 'string' || typeof value !== 'number' || !(value > 0)) return;
    const field = KEYS[key];
    if (field) {
      out[field] = value;
      found = true;
    }
  };
  const walk = (v: unknown, depth: number) => {
    if (depth > 4 || v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) {
      for (const item of v) walk(item, depth + 1);
      return;
    }
    const o = v as Record<string, unknown>;
    if ('key' in o && 'value' in o) take(o.key, o.value);
    for (const [k, val] of Object.entries(o)) {
      if (typeof val === 'number') take(k, val);
      else walk(val, depth + 1);
    }
  };
  walk(body, 0);
  out.source = found ? 'org' : 'defaults';
  return out;
}
