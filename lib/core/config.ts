// Suite configuration from environment variables. Every problem is one line naming the variable and what
// it accepts; secrets are never part of a message.
import { parseDuration } from './duration.ts';
import { regionDomain, regionNames } from './regions.ts';

export type Env = Readonly<Record<string, string | undefined>>;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export interface OAuthClient {
  id: string;
  secret: string;
}

export interface Connection {
  /** e.g. https://api.mypurecloud.ie, no trailing slash. */
  apiUrl: string;
  /** e.g. https://login.mypurecloud.ie, no trailing slash. */
  loginUrl: string;
  region?: string;
  clients: OAuthClient[];
}

function set(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

function baseUrl(env: Env, name: string): string | undefined {
  const v = set(env, name);
  if (v === undefined) return undefined;
  if (!/^https?:\/\/[^\s/]+(\/[^\s]*)?$/.test(v)) {
    throw new ConfigError(`${name} must be an http(s) URL such as https://api.mypurecloud.com, got "${v}"`);
  }
  return v.replace(/\/+$/, '');
}

function clients(env: Env): OAuthClient[] {
  const list = set(env, 'GENESYSCLOUD_OAUTHCLIENTS');
  if (list !== undefined) {
    return list.split(',').map((entry, i) => {
      const at = entry.indexOf(':');
      const id = at < 0 ? '' : entry.slice(0, at).trim();
      const secret = at < 0 ? '' : entry.slice(at + 1).trim();
      if (id === '' || secret === '') {
        throw new ConfigError(
          `GENESYSCLOUD_OAUTHCLIENTS entry ${i + 1} must be clientId:clientSecret (comma-separated list)`,
        );
      }
      return { id, secret };
    });
  }
  const id = set(env, 'GENESYSCLOUD_OAUTHCLIENT_ID');
  const secret = set(env, 'GENESYSCLOUD_OAUTHCLIENT_SECRET');
  if (id === undefined) {
    throw new ConfigError(
      'GENESYSCLOUD_OAUTHCLIENT_ID is not set: give the client-credentials OAuth client id (or GENESYSCLOUD_OAUTHCLIENTS=id:secret,...)',
    );
  }
  if (secret === undefined) {
    throw new ConfigError('GENESYSCLOUD_OAUTHCLIENT_SECRET is not set: give the secret of that OAuth client');
  }
  return [{ id, secret }];
}

/** Where the Platform API is: GENESYSCLOUD_API_URL (the emulator, a proxy) or the region's api host. */
export function readApiLocation(env: Env): {
  apiUrl: string;
  region?: string;
  domain?: string;
  override: boolean;
} {
  const region = set(env, 'GENESYSCLOUD_REGION');
  let domain: string | undefined;
  if (region !== undefined) {
    domain = regionDomain(region);
    if (domain === undefined) {
      throw new ConfigError(
        `GENESYSCLOUD_REGION "${region}" is not a region; valid: ${regionNames().join(', ')}`,
      );
    }
  }
  const apiOverride = baseUrl(env, 'GENESYSCLOUD_API_URL');
  if (domain === undefined && apiOverride === undefined) {
    throw new ConfigError(
      `GENESYSCLOUD_REGION is not set: give one of ${regionNames().join(', ')} (or GENESYSCLOUD_API_URL for the emulator)`,
    );
  }
  return {
    apiUrl: apiOverride ?? `https://api.${domain}`,
    region,
    domain,
    override: apiOverride !== undefined,
  };
}

/** Where the API and login hosts are and which OAuth clients to use. */
export function readConnection(env: Env): Connection {
  const { apiUrl, region, domain, override } = readApiLocation(env);
  const loginOverride = baseUrl(env, 'GENESYSCLOUD_LOGIN_URL');
  // With only an API override, a real "api." host implies its "login." sibling; the emulator serves both.
  const loginUrl =
    loginOverride ??
    (!override
      ? `https://login.${domain}`
      : /^(https?:\/\/)api\./.test(apiUrl)
        ? apiUrl.replace(/^(https?:\/\/)api\./, '$1login.')
        : apiUrl);
  return { apiUrl, loginUrl, region, clients: clients(env) };
}

export interface NumberRule {
  min?: number;
  max?: number;
  integer?: boolean;
}

/** A numeric knob: the default when unset, else a checked number. */
export function readNumber(env: Env, name: string, fallback: number, rule: NumberRule = {}): number {
  const v = set(env, name);
  if (v === undefined) return fallback;
  const n = Number(v);
  const kind = rule.integer ? 'an integer' : 'a number';
  const range =
    rule.min !== undefined && rule.max !== undefined
      ? ` from ${rule.min} to ${rule.max}`
      : rule.min !== undefined
        ? ` >= ${rule.min}`
        : '';
  if (
    !Number.isFinite(n) ||
    (rule.integer && !Number.isInteger(n)) ||
    (rule.min !== undefined && n < rule.min) ||
    (rule.max !== undefined && n > rule.max)
  ) {
    throw new ConfigError(`${name} must be ${kind}${range}, got "${v}"`);
  }
  return n;
}

/** A k6 duration knob ("30s", "2m", "1h30m"); returns the text (k6 wants it) after checking it. */
export function readDuration(env: Env, name: string, fallback: string): string {
  const v = set(env, name);
  if (v === undefined) return fallback;
  const ms = parseDuration(v);
  if (ms === undefined || ms <= 0) {
    throw new ConfigError(`${name} must be a duration such as 45s, 5m or 1h30m, got "${v}"`);
  }
  return /^\d+(\.\d+)?$/.test(v) ? `${v}ms` : v;
}

/** 1/true/yes or 0/false/no. */
export function readFlag(env: Env, name: string, fallback = false): boolean {
  const v = set(env, name);
  if (v === undefined) return fallback;
  if (/^(1|true|yes|on)$/i.test(v)) return true;
  if (/^(0|false|no|off)$/i.test(v)) return false;
  throw new ConfigError(`${name} must be 1 or 0 (true/false), got "${v}"`);
}

export function readString(env: Env, name: string, fallback: string): string {
  return set(env, name) ?? fallback;
}
