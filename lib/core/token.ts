// OAuth client-credentials tokens: what a token response means and when a VU should fetch a fresh one.

export interface Token {
  accessToken: string;
  /** Epoch ms at which the platform stops accepting it. */
  expiresAt: number;
  /** expires_in as granted, in ms. */
  lifetimeMs: number;
  /** Which configured OAuth client issued it (index into the client list). */
  client: number;
}

/** SDKs refresh 60 s before expiry; tokens shorter-lived than 5 minutes refresh at 80 % of their life. */
export const REFRESH_SKEW_MS = 60_000;

export function tokenFromResponse(body: unknown, client: number, nowMs: number): Token {
  const b = body as { access_token?: unknown; expires_in?: unknown } | null;
  if (!b || typeof b.access_token !== 'string' || b.access_token === '') {
    throw new Error('token response has no access_token');
  }
  const expiresIn = typeof b.expires_in === 'number' && b.expires_in > 0 ? b.expires_in : 86_400;
  return {
    accessToken: b.access_token,
    expiresAt: nowMs + expiresIn * 1000,
    lifetimeMs: expiresIn * 1000,
    client,
  };
}

/** How long before expiry a token is replaced: 60 s, or a fifth of its life when that is shorter. */
export function refreshMargin(lifetimeMs: number): number {
  return Math.min(REFRESH_SKEW_MS, lifetimeMs * 0.2);
}

/** True when the token is missing, expired, or inside its refresh margin. */
export function needsRefresh(token: Token | undefined, nowMs: number): boolean {
  if (!token) return true;
  return nowMs >= token.expiresAt - refreshMargin(token.lifetimeMs);
}

/** A 401 whose body says the token expired: refresh once and repeat the request. */
export function isExpiredToken(status: number, body: string | null | undefined): boolean {
  if (status !== 401 || typeof body !== 'string') return false;
  try {
    const parsed = JSON.parse(body) as { code?: unknown };
    return parsed.code === 'credentials.expired';
  } catch {
    return false;
  }
}

/** Which token a VU uses when the test spreads over several OAuth clients: round-robin by VU id. */
export function tokenIndexForVU(vuId: number, tokenCount: number): number {
  if (tokenCount <= 1) return 0;
  return (Math.max(1, vuId) - 1) % tokenCount;
}
