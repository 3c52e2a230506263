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

/** The 401 codes that mean "this token is no good", where a fresh token may succeed. */
export const REJECTED_TOKEN_CODES = ['credentials.expired', 'bad.credentials'] as const;

/**
 * The code of a 401 that refused the token itself (expired, revoked, or unknown to the platform), or
 * undefined for any other answer. Either way a new token is worth one try; a 401 of another kind is not.
 */
export function rejectedToken(status: number, body: string | null | undefined): string | undefined {
  if (status !== 401 || typeof body !== 'string') return undefined;
  try {
    const code = (JSON.parse(body) as { code?: unknown }).code;
    return (REJECTED_TOKEN_CODES as readonly unknown[]).includes(code) ? (code as string) : undefined;
  } catch {
    return undefined;
  }
}

/** A 401 whose body says the token expired. */
export function isExpiredToken(status: number, body: string | null | undefined): boolean {
  return rejectedToken(status, body) === 'credentials.expired';
}

/** Calls in a row that a VU may see refused with 401 despite a fresh token before the test stops. */
export const AUTH_FAILURES_IN_A_ROW = 3;

/** Counts a VU's consecutive authentication failures; `stop` is true once they reach the limit. */
export class AuthFailureStreak {
  private inARow = 0;
  constructor(private readonly limit = AUTH_FAILURES_IN_A_ROW) {}
  ok(): void {
    this.inARow = 0;
  }
  failed(): { count: number; stop: boolean } {
    this.inARow++;
    return { count: this.inARow, stop: this.inARow >= this.limit };
  }
}

/** Which token a VU uses when the test spreads over several OAuth clients: round-robin by VU id. */
export function tokenIndexForVU(vuId: number, tokenCount: number): number {
  if (tokenCount <= 1) return 0;
  return (Math.max(1, vuId) - 1) % tokenCount;
}
