// OAuth client credentials. setup() fetches one token per configured client and hands them to the VUs
// sealed (lib/core/seal.ts: setup data ends up in summary files); each VU unseals its copy with the client
// secret it already has and refreshes it shortly before expiry (a soak outlives a token). When setup()
// runs on every instance (k6-operator), every instance simply gets its own tokens. A token the platform
// refuses (expired early, revoked) is replaced once per call; when fresh tokens keep being refused, or the
// login service refuses the client, the VU stops the test: every later request would fail the same way.
import crypto from 'k6/crypto';
import encoding from 'k6/encoding';
import exec from 'k6/execution';
import { ENDPOINTS } from './core/endpoints.ts';
import { sealToken, toHex, unsealToken, type HmacSha256Hex, type SealedToken } from './core/seal.ts';
import {
  AuthFailureStreak,
  needsRefresh,
  tokenFromResponse,
  tokenIndexForVU,
  type Token,
} from './core/token.ts';
import { authFailures, tokenRefreshes } from './metrics.ts';
import { send } from './http.ts';
import type { Settings } from './settings.ts';

export type { Token } from './core/token.ts';

/** POST {login}/oauth/token for client `index`; honours 429/Retry-After like every other call. */
export function fetchToken(settings: Settings, index: number): Token {
  const client = settings.connection.clients[index];
  const res = send('POST', `${settings.connection.loginUrl}/oauth/token`, 'grant_type=client_credentials', {
    name: ENDPOINTS.token,
    // Asking for a token twice does no harm, so gateway errors may be retried too.
    safe: true,
    policy: settings.retry,
    headers: () => ({
      Authorization: `Basic ${encoding.b64encode(`${client.id}:${client.secret}`)}`,
      'Content-Type': 'application/x-www-form-urlencoded',
    }),
  });
  if (res.status !== 200) {
    // The error body names the problem (invalid_client, authentication failed) and never the secret.
    let why = '';
    try {
      const b = JSON.parse(String(res.body)) as { error?: string; error_description?: string };
      why = [b.error, b.error_description].filter(Boolean).join(': ');
    } catch {
      why = res.error || '';
    }
    throw new Error(
      `OAuth token request for client ${index + 1} (${client.id}) failed with status ${res.status}${why ? ` (${why})` : ''}`,
    );
  }
  return tokenFromResponse(res.json(), index, Date.now());
}

const hmacSha256: HmacSha256Hex = (key, data) => crypto.hmac('sha256', key, data, 'hex');

/** For setup(): one token per OAuth client, sealed under its client's secret with a fresh nonce. */
export function fetchSealedTokens(settings: Settings): SealedToken[] {
  const nonce = toHex(crypto.randomBytes(16));
  return settings.connection.clients.map((client, i) =>
    sealToken(fetchToken(settings, i), client.secret, nonce, hmacSha256),
  );
}

// Per-VU state: the token this VU uses, unsealed from setup() data on its first call.
let current: Token | undefined;

function unseal(settings: Settings, s: SealedToken): Token {
  const client = settings.connection.clients[s.client];
  if (!client) {
    throw new Error(
      `setup data names OAuth client ${s.client + 1}, but this VU has only ${settings.connection.clients.length}`,
    );
  }
  const accessToken = unsealToken(s, client.secret, hmacSha256);
  return { accessToken, client: s.client, expiresAt: s.expiresAt, lifetimeMs: s.lifetimeMs };
}

function vuId(): number {
  try {
    return exec.vu.idInTest;
  } catch {
    return 0; // setup/teardown
  }
}

const streak = new AuthFailureStreak();

function inVU(): boolean {
  try {
    return exec.vu.idInTest > 0;
  } catch {
    return false;
  }
}

/** A new token for this VU's client; in a VU, a refusal by the login service stops the test. */
function renew(settings: Settings): Token {
  const index = current ? current.client : tokenIndexForVU(vuId(), settings.connection.clients.length);
  try {
    return fetchToken(settings, index);
  } catch (err) {
    // In setup() the error itself stops the run (exit 107); a VU would only fail every iteration.
    if (!inVU()) throw err;
    authFailures.add(1, { reason: 'token_request' });
    exec.test.abort(`authentication failed: ${(err as Error).message}; stopping instead of sending more`);
    throw err;
  }
}

/** The bearer token for this VU, refreshed when it is about to expire. */
export function accessToken(settings: Settings, tokens: SealedToken[] | undefined): string {
  if (!current && tokens && tokens.length > 0) {
    current = unseal(settings, tokens[tokenIndexForVU(vuId(), tokens.length)]);
  }
  if (needsRefresh(current, Date.now())) current = renew(settings);
  return (current as Token).accessToken;
}

/** The platform refused the token (expired early, revoked): fetch a new one now, counted by `reason`. */
export function refreshToken(settings: Settings, reason = 'credentials.expired'): void {
  tokenRefreshes.add(1, { reason });
  current = renew(settings);
}

/**
 * What a call's final answer says about authentication. A 401 after the fresh token is a failure; past
 * AUTH_FAILURES_IN_A_ROW of them the test stops with one line instead of running on at 100 % failures.
 */
export function authOutcome(settings: Settings, status: number, code: string | undefined): void {
  if (status !== 401) {
    streak.ok();
    return;
  }
  authFailures.add(1, { reason: code ?? 'unauthorized' });
  const { count, stop } = streak.failed();
  if (stop && inVU()) {
    const client = settings.connection.clients[current ? current.client : 0];
    exec.test.abort(
      `authentication keeps failing: ${count} calls in a row answered 401${code ? ` ${code}` : ''} with a fresh token; check OAuth client ${client ? client.id : ''} and its grants`,
    );
  }
}
