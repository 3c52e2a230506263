// OAuth client credentials grant and bearer-token checks, with the platform's OAuth and 401/403 bodies.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { EmulatorConfig, OAuthClient } from './config.ts';
import { ApiError } from './errors.ts';
import { mediaType, unsupportedMediaType } from './body.ts';

export interface Token {
  value: string;
  client: OAuthClient;
  permissions: Set<string>;
  expiresAt: number;
  revoked: boolean;
}

/** An OAuth endpoint error: its body is the login host's shape, not the Platform API's. */
export class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
  ) {
    super(description);
  }
  body() {
    return { error: this.error, description: this.description, error_description: this.description };
  }
}

const BEARER = /^bearer /i;

/** Basic credentials may be form-encoded; a malformed escape is taken literally. */
function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export class TokenStore {
  private tokens = new Map<string, Token>();
  private clients: Map<string, OAuthClient>;
  private permissions = new Map<string, Set<string>>();
  private disabled = new Set<string>();
  issued = 0;
  revoked = 0;

  constructor(private readonly config: EmulatorConfig) {
    this.clients = new Map(config.clients.map((c) => [c.id, c]));
    for (const c of config.clients) this.permissions.set(c.id, new Set(c.permissions));
  }

  /** Checks Basic client auth and the form body; returns the client on success. */
  authenticate(req: IncomingMessage, raw: Buffer): OAuthClient {
    const type = mediaType(req);
    if (type !== 'application/x-www-form-urlencoded') {
      throw unsupportedMediaType(type, 'application/x-www-form-urlencoded');
    }
    const header = req.headers.authorization ?? '';
    const m = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header);
    const decoded = m ? Buffer.from(m[1], 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new OAuthError(401, 'invalid_client', 'client authentication is required');
    const id = safeDecode(decoded.slice(0, colon));
    const secret = safeDecode(decoded.slice(colon + 1));
    const client = this.clients.get(id);
    if (!client) throw new OAuthError(400, 'invalid_client', 'client not found');
    if (client.secret !== secret || this.disabled.has(id))
      throw new OAuthError(401, 'invalid_client', 'authentication failed');
    const grant = new URLSearchParams(raw.toString('utf8')).get('grant_type');
    if (grant !== 'client_credentials') {
      throw new OAuthError(400, 'unsupported_grant_type', `grant type ${grant ?? '(none)'} is not supported`);
    }
    return client;
  }

  issue(client: OAuthClient, now: number): { access_token: string; token_type: string; expires_in: number } {
    const lifetimeMs = (client.tokenLifetimeSeconds * 1000) / this.config.timeScale;
    const token: Token = {
      value: randomBytes(32).toString('base64url'),
      client,
      permissions: this.permissions.get(client.id)!,
      expiresAt: now + lifetimeMs,
      revoked: false,
    };
    this.tokens.set(token.value, token);
    this.issued++;
    // Seconds of real time, like every other duration the emulator sends, so a client's clock agrees.
    return {
      access_token: token.value,
      token_type: 'bearer',
      expires_in: Math.max(1, Math.floor(lifetimeMs / 1000)),
    };
  }

  /** The token behind an Authorization header, or the platform's 401. */
  check(header: string | undefined, now: number): Token {
    if (!header || header.length < 8 || !BEARER.test(header)) {
      throw new ApiError(
        401,
        'authentication.required',
        'No authentication bearer token specified in authorization header.',
      );
    }
    let token = this.tokens.get(header.slice(7));
    token ??= this.tokens.get(header.slice(7).trim());
    if (!token || token.revoked) throw new ApiError(401, 'bad.credentials', 'Invalid login credentials.');
    if (token.expiresAt <= now)
      throw new ApiError(401, 'credentials.expired', 'The supplied credentials are expired.');
    return token;
  }

  /**
   * What an admin rotating a client's secret (or deleting the client) does: its tokens stop working at once,
   * and with `disable` new token requests are refused as if the secret were wrong.
   */
  revokeClient(id: string, disable: boolean): number {
    if (!this.clients.has(id)) return -1;
    let n = 0;
    for (const t of this.tokens.values()) {
      if (t.client.id === id && !t.revoked) {
        this.revoke(t);
        n++;
      }
    }
    if (disable) this.disabled.add(id);
    return n;
  }

  revoke(token: Token): void {
    if (!token.revoked) this.revoked++;
    token.revoked = true;
  }

  get active(): number {
    return this.tokens.size;
  }

  /** Forgets tokens expired long ago (they then read as unknown: 401 bad.credentials). */
  sweep(now: number): void {
    for (const [value, t] of this.tokens) if (t.expiresAt + 3_600_000 < now) this.tokens.delete(value);
  }

  clear(): void {
    this.disabled.clear();
    this.tokens.clear();
    this.issued = 0;
    this.revoked = 0;
  }
}

export function missingPermission(permission: string): ApiError {
  return new ApiError(
    403,
    'missing.permissions',
    `Unable to perform the requested action. You are missing the following permission(s): [${permission}]`,
    [],
    {
      messageWithParams:
        'Unable to perform the requested action. You are missing the following permission(s): {permissions}',
      messageParams: { permissions: permission },
    },
  );
}
