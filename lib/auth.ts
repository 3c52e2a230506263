// OAuth client credentials. setup() fetches one token per configured client and hands them to the VUs;
// each VU keeps its own copy and refreshes it shortly before expiry (a soak outlives a token). When
// setup() runs on every instance (k6-operator), every instance simply gets its own tokens.
import encoding from 'k6/encoding';
import exec from 'k6/execution';
import { ENDPOINTS } from './core/endpoints.ts';
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

/** For setup(): one token per OAuth client. */
export function fetchTokens(settings: Settings): Token[] {
  return settings.connection.clients.map((_, i) => fetchToken(settings, i));
}

// Per-VU state: the token this VU uses, seeded from setup() data on its first call.
let current: Token | undefined;

function vuId(): number {
  try {
    return exec.vu.idInTest;
  } catch {
    return 0; // setup/teardown
  }
}

/** The bearer token for this VU, refreshed when it is about to expire. */
export function accessToken(settings: Settings, tokens: Token[] | undefined): string {
  if (!current && tokens && tokens.length > 0) current = tokens[tokenIndexForVU(vuId(), tokens.length)];
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
