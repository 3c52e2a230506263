// OAuth client credentials. setup() fetches one token per configured client and hands them to the VUs
// sealed (lib/core/seal.ts: setup data ends up in summary files); each VU unseals its copy with the client
// secret it already has and refreshes it shortly before expiry (a soak outlives a token). When setup()
// runs on every instance (k6-operator), every instance simply gets its own tokens.
import crypto from 'k6/crypto';
import encoding from 'k6/encoding';
import exec from 'k6/execution';
import { ENDPOINTS } from './core/endpoints.ts';
import { sealToken, toHex, unsealToken, type HmacSha256Hex, type SealedToken } from './core/seal.ts';
import { needsRefresh, tokenFromResponse, tokenIndexForVU, type Token } from './core/token.ts';
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

/** The bearer token for this VU, refreshed when it is about to expire. */
export function accessToken(settings: Settings, tokens: SealedToken[] | undefined): string {
  if (!current && tokens && tokens.length > 0) {
    current = unseal(settings, tokens[tokenIndexForVU(vuId(), tokens.length)]);
  }
  if (needsRefresh(current, Date.now())) {
    const index = current ? current.client : tokenIndexForVU(vuId(), settings.connection.clients.length);
    current = fetchToken(settings, index);
  }
  return (current as Token).accessToken;
}

/** The platform said the token expired before we thought: fetch a new one now. */
export function refreshToken(settings: Settings): void {
  const index = current ? current.client : tokenIndexForVU(vuId(), settings.connection.clients.length);
  current = fetchToken(settings, index);
}
