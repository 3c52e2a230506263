// Platform API calls with the VU's bearer token: JSON in, JSON out, retries from lib/http, and one token
// refresh when the platform refuses the token (credentials.expired, bad.credentials after a revocation).
import type { SealedToken } from './core/seal.ts';
import { rejectedToken } from './core/token.ts';
import { accessToken, authOutcome, refreshToken } from './auth.ts';
import { send, type Response } from './http.ts';
import { lazySettings, type Settings } from './settings.ts';

/**
 * The load shape is read in init (a bad value stops the test there); the org and its credentials on first
 * use, in setup() and in each VU, so init runs where no credential is (k6 archive, cloud, k6-operator).
 */
export const settings: Settings = lazySettings(__ENV);

let tokens: SealedToken[] | undefined;

/** Hands setup()'s sealed tokens to this VU; call at the start of every iteration (cheap after the first). */
export function useTokens(setupTokens: SealedToken[] | undefined): void {
  if (!tokens && setupTokens) tokens = setupTokens;
}

export interface CallOptions {
  /** Endpoint template for the `name` tag, e.g. "POST /api/v2/textbots/botflows/sessions/{sessionId}/turns". */
  name: string;
  expect?: number[];
  safe?: boolean;
  tags?: Record<string, string>;
}

const bodyText = (res: Response) => (typeof res.body === 'string' ? res.body : null);

export function api(method: string, path: string, body: unknown, opts: CallOptions): Response {
  const res = send(
    method,
    settings.connection.apiUrl + path,
    body === undefined ? null : JSON.stringify(body),
    {
      ...opts,
      policy: settings.retry,
      headers: () => {
        const h: Record<string, string> = { Authorization: `Bearer ${accessToken(settings, tokens)}` };
        if (body !== undefined) h['Content-Type'] = 'application/json';
        return h;
      },
      recover: (res) => {
        const why = rejectedToken(res.status, bodyText(res));
        if (why === undefined) return false;
        refreshToken(settings, why);
        return true;
      },
    },
  );
  authOutcome(settings, res.status, rejectedToken(res.status, bodyText(res)));
  return res;
}

/** The parsed JSON body, or undefined when there is none or it is not JSON. */
export function json<T>(res: Response): T | undefined {
  if (typeof res.body !== 'string' || res.body === '') return undefined;
  try {
    return JSON.parse(res.body) as T;
  } catch {
    return undefined;
  }
}
